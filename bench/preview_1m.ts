/**
 * Preview figures on a 1M-row cache: time from page load to the first rows shown, time to sort by
 * a column (a number and a text column), time to show rows after jumping around the sorted grid,
 * the bytes of the cache file fetched, and the memory of the browser's processes.
 *
 *   deno run -A bench/preview_1m.ts [--rows 1000000] [--keep PATH] [--ranges]
 *
 * `--ranges` opens the page with `?ranges`: the cache is read by HTTP ranges even when it is small
 * enough to be fetched whole (what a cache over 64 MB gets).
 *
 * The cache is written by a read of an in-process source (eight columns) into a DuckDB file.
 */
import { chromium } from "playwright-core";
import { DuckDBCache, getSource, type InProcessConnector } from "../mod.ts";
import { startPreviewServer } from "../src/preview/preview_server.ts";
import { CHROMIUM, CHROMIUM_ARGS } from "../tests/_browser_page.ts";

const args = Deno.args;
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ROWS = Number(flag("--rows") ?? 1_000_000);
const keep = flag("--keep");
const query = args.includes("--ranges") ? "?ranges" : "";

function connector(rows: number): InProcessConnector {
  const words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"];
  return {
    name: "source-bench",
    spec: () => Promise.resolve({ connectionSpecification: { type: "object", properties: {} } }),
    check: () => Promise.resolve({ status: "SUCCEEDED" }),
    discover: () =>
      Promise.resolve({
        streams: [{
          name: "events",
          json_schema: {
            type: "object",
            properties: {
              id: { type: "integer" },
              user_name: { type: "string" },
              email: { type: "string" },
              amount: { type: "number" },
              quantity: { type: "integer" },
              country: { type: "string" },
              created_at: { type: "string", format: "date-time" },
              active: { type: "boolean" },
            },
          },
          supported_sync_modes: ["full_refresh"],
        }],
      }),
    async *read() {
      const start = Date.UTC(2023, 0, 1);
      for (let i = 0; i < rows; i++) {
        const w = words[(i * 7) % 10];
        yield {
          type: "RECORD",
          record: {
            stream: "events",
            emitted_at: start + i * 10,
            data: {
              id: i,
              user_name: `${w}_${(i * 2654435761) % 100000}`,
              email: `${w}${i}@example.com`,
              amount: ((i * 7919) % 1_000_000) / 100,
              quantity: (i * 31) % 17,
              country: ["PT", "KE", "JP", "EC", "EE", "US", "IN", "AU"][i % 8],
              created_at: new Date(start + ((i * 104_729) % (730 * 86_400_000))).toISOString(),
              active: i % 3 !== 0,
            },
          },
        };
      }
    },
  };
}

/** This run's browser: its main process carries a marker flag; its children descend from it. */
const MARKER = `--airbyte-ts-bench=${crypto.randomUUID()}`;

async function browserPssMb(): Promise<number> {
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  let root = 0;
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const pid = Number(entry.name);
    try {
      const status = await Deno.readTextFile(`/proc/${pid}/status`);
      parent.set(pid, Number(status.match(/PPid:\s+(\d+)/)?.[1] ?? 0));
      // Proportional set size: shared pages are split between the processes that share them.
      const rollup = await Deno.readTextFile(`/proc/${pid}/smaps_rollup`).catch(() => "");
      rss.set(pid, Number(rollup.match(/Pss:\s+(\d+) kB/)?.[1] ?? 0));
      if ((await Deno.readTextFile(`/proc/${pid}/cmdline`)).includes(MARKER)) root = pid;
    } catch {
      // gone
    }
  }
  const inTree = (pid: number): boolean => pid === root || (pid > 1 && inTree(parent.get(pid) ?? 0));
  let total = 0;
  for (const [pid, kb] of rss) if (root && inTree(pid)) total += kb;
  return Math.round(total / 1024);
}

const dir = await Deno.makeTempDir({ prefix: "airbyte-ts-bench-preview-" });
const path = keep ?? `${dir}/events.duckdb`;
try {
  if (!keep || !(await Deno.stat(path).catch(() => null))) {
    const started = performance.now();
    const source = await getSource("source-bench", { connector: connector(ROWS), config: {}, streams: "*" });
    const cache = new DuckDBCache({ path });
    await source.read({ cache, progress: "none" });
    await cache.close();
    console.log(`cache: ${ROWS} rows written in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const size = (await Deno.stat(path)).size;
  console.log(`cache file: ${(size / 1e6).toFixed(1)} MB`);
  await using server = await startPreviewServer({ cachePath: path });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, MARKER],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
    console.log(`machine load average (1, 5, 15 min): ${load}`);
    const rssBefore = await browserPssMb();
    await page.goto(`${server.url}${query}#/stream/events/records`);
    await page.waitForSelector(".grid[data-loaded=true]", { timeout: 120_000 });
    const firstRows = await page.evaluate(() =>
      performance.getEntriesByName("airbyte-preview:first-rows")[0]?.startTime
    );
    const bytesFirst = server.served.cacheBytes;
    console.log(`first rows shown: ${Math.round(firstRows)} ms after navigation start`);
    console.log(
      `cache bytes fetched until then: ${(bytesFirst / 1e6).toFixed(2)} MB of ${(size / 1e6).toFixed(1)} MB`,
    );
    const rssLoaded = await browserPssMb();
    const marks = await page.evaluate(() =>
      Object.fromEntries(performance.getEntriesByType("mark").map((m) => [m.name, Math.round(m.startTime)]))
    );
    console.log(
      `  of which DuckDB-WASM start and attach: ${
        marks["airbyte-preview:opened"] - marks["airbyte-preview:open-start"]
      } ms`,
    );
    console.log(
      `  page marks (ms after navigation start): ${
        Object.entries(marks).sort((a, b) => a[1] - b[1]).map(([name, ms]) =>
          `${name.replace("airbyte-preview:", "")} ${ms}`
        )
          .join(", ")
      }`,
    );
    // A second visit: the browser has the .wasm (and its compiled code) cached.
    await page.reload();
    await page.waitForSelector(".grid[data-loaded=true]", { timeout: 120_000 });
    const again = await page.evaluate(() =>
      performance.getEntriesByName("airbyte-preview:first-rows")[0]?.startTime
    );
    console.log(
      `first rows shown on a reload (warm browser cache): ${Math.round(again)} ms after navigation start`,
    );

    const columns = await page.$$eval(
      ".grid-header .th-name",
      (els) => els.map((e) => e.firstChild!.textContent),
    );
    /** Scroll the grid to `fraction` of its rows and wait until those rows are shown. */
    const jumpTo = async (fraction: number) => {
      await page.evaluate((f) => {
        const s = document.querySelector(".grid-scroll")!;
        s.scrollTop = (s.scrollHeight - s.clientHeight) * f;
      }, fraction);
      await page.waitForFunction(
        ({ f, rows }) => {
          const g = document.querySelector<HTMLElement>(".grid")!;
          return Math.abs(Number(g.dataset.firstRow) / rows - f) < 0.01 && g.dataset.loaded === "true";
        },
        { f: fraction, rows: ROWS },
        { timeout: 60_000 },
      );
    };
    const jumps: number[] = [];
    for (const column of ["amount", "user_name"]) {
      const index = columns.indexOf(column);
      const t0 = performance.now();
      await page.click(`.th[data-col="${index}"] .th-name`);
      await page.waitForSelector(`.grid[data-sort="${column}:asc"][data-sort-ms]`, { timeout: 120_000 });
      const wall = performance.now() - t0;
      await page.waitForSelector(`.grid[data-sort-complete-ms]`, { timeout: 120_000 });
      const full = performance.now() - t0;
      const inPage = await page.getAttribute(".grid", "data-sort-ms");
      const completeInPage = await page.getAttribute(".grid", "data-sort-complete-ms");
      console.log(
        `sort by ${column}: first sorted rows shown ${
          Math.round(wall)
        } ms after the click (${inPage} ms in the ` +
          `page); whole order stored ${Math.round(full)} ms after it (${completeInPage} ms in the page)`,
      );
      for (const fraction of [0.5, 0.9, 0.1, 0.999, 0.3]) {
        const j0 = performance.now();
        await jumpTo(fraction);
        jumps.push(performance.now() - j0);
      }
    }
    jumps.sort((a, b) => a - b);
    console.log(
      `jump to a far row of the sorted grid: median ${Math.round(jumps[jumps.length >> 1])} ms, ` +
        `max ${Math.round(jumps[jumps.length - 1])} ms (${jumps.length} jumps)`,
    );
    const heap = await page.evaluate(() =>
      (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0
    );
    const rssEnd = await browserPssMb();
    // Ten more jumps: memory should stay where it is (bounded page cache, no growth per jump).
    for (const fraction of [0.05, 0.95, 0.45, 0.65, 0.15, 0.85, 0.25, 0.75, 0.55, 0.35]) {
      await jumpTo(fraction);
    }
    const rssMore = await browserPssMb();
    console.log(
      `page JS heap: ${(heap / 1e6).toFixed(0)} MB; rows held by the grid: ${await page.evaluate(() =>
        document.querySelectorAll(".grid-body .tr").length
      )} in the DOM`,
    );
    console.log(
      `browser memory (PSS of its processes): ${rssBefore} MB blank, ${rssLoaded} MB loaded, ${rssEnd} MB after 2 sorts and 10 jumps, ${rssMore} MB after 10 more jumps`,
    );
    console.log(
      `cache bytes fetched in all: ${
        (server.served.cacheBytes / 1e6).toFixed(1)
      } MB in ${server.served.cacheResponses} responses`,
    );
    console.log(`first_rows_ms=${Math.round(firstRows)} pss_end_mb=${rssEnd}`);
  } finally {
    await browser.close();
  }
} finally {
  if (!keep) await Deno.remove(dir, { recursive: true });
}
