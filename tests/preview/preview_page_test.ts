// The preview page in real Chromium on a cache synced from airbyte-source-faker: what the page
// shows is compared with what the cache holds, and each view is saved as a screenshot.
import assert from "node:assert/strict";
import { DuckDBCache } from "../../mod.ts";
import { INTERNAL_TABLES, internalSchemaFor } from "../../src/duckdb/internal_tables.ts";
import { startPreviewServer } from "../../src/preview/preview_server.ts";
import { faker, ROOT, tempDir } from "../_support.ts";
import { openBrowser, screenshotPath, settled } from "./_browser.ts";

interface Expected {
  streams: { stream: string; rows: number; columns: { name: string; type: string }[] }[];
  state: { stream: string; json: string }[];
  /** The answers to QUERIES, by name. */
  answers: Record<string, Record<string, unknown>[]>;
}

/**
 * What the page's views are checked against, asked of the cache before the page opens it (a
 * writer must not change the file under a reader).
 */
const QUERIES: Record<string, string> = {
  sortedAsc: "SELECT CAST(id AS VARCHAR) AS id FROM users ORDER BY age ASC NULLS LAST, rowid LIMIT 5",
  sortedDesc: "SELECT CAST(id AS VARCHAR) AS id FROM users ORDER BY age DESC NULLS LAST, rowid LIMIT 5",
  lastSortedDesc:
    "SELECT id FROM (SELECT CAST(id AS VARCHAR) AS id, row_number() OVER (ORDER BY age DESC NULLS LAST, " +
    "rowid) AS rn, count(*) OVER () AS n FROM users) WHERE rn = n",
  idSummary:
    "SELECT count(*) - count(id) AS nulls, count(DISTINCT id) AS d, CAST(min(id) AS VARCHAR) AS lo, " +
    "CAST(max(id) AS VARCHAR) AS hi FROM users",
  genders: "SELECT count(DISTINCT gender) AS n FROM users",
  purchasesCreated: "SELECT count(created_at) AS n FROM purchases",
  usersMisfits: `SELECT count(*) AS n FROM users WHERE _airbyte_meta LIKE '{"changes":[{%'`,
};

async function syncFaker(path: string): Promise<Expected> {
  const source = await faker({ count: 300, seed: 7 });
  const cache = new DuckDBCache({ path });
  try {
    source.selectAllStreams();
    await source.read({ cache, progress: "none" });
    const streams = [];
    for (const t of await cache.listStreamTables()) {
      const rows = Number((await cache.sql(`SELECT count(*) AS n FROM "${t.table}"`)).get(0)!.n);
      const columns = (await cache.sql(`DESCRIBE "${t.table}"`)).toArray().map((r) => ({
        name: String(r.column_name),
        type: String(r.column_type),
      }));
      streams.push({ stream: t.stream, rows, columns });
    }
    const state = (await cache.sql(
      `SELECT state_json FROM "${internalSchemaFor("main")}"."${INTERNAL_TABLES.state}" ORDER BY state_key`,
    )).toArray().map(
      (r) => {
        const json = String(r.state_json);
        return { stream: JSON.parse(json).stream.stream_descriptor.name as string, json };
      },
    );
    const answers: Expected["answers"] = {};
    for (const [name, sql] of Object.entries(QUERIES)) {
      answers[name] = (await cache.sql(sql)).toArray().map((r) => r.toJSON());
    }
    return { streams, state, answers };
  } finally {
    await cache.close();
  }
}

Deno.test({
  name: "preview page shows a faker cache: streams, counts, columns, state, grid, summary, SQL, timeline",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    await using dir = await tempDir("airbyte-ts-preview-page-");
    const path = `${dir.path}/faker.duckdb`;
    const expected = await syncFaker(path);
    assert.deepEqual(expected.streams.map((s) => s.stream).sort(), ["products", "purchases", "users"]);
    const before = await Deno.readFile(path);
    await using server = await startPreviewServer({ cachePath: path });
    await using session = await openBrowser();
    const { page } = session;
    const shot = async (name: string) => {
      await page.waitForTimeout(300);
      await page.screenshot({ path: await screenshotPath(name) });
    };
    // Views change through the URL's hash: no reload, DuckDB-WASM stays open.
    const go = (hash: string) => page.evaluate((h) => location.hash = h, hash);
    const fail = (message: string) => `${message}\npage log:\n${session.log.join("\n")}`;

    await page.goto(`${server.url}#/stream/users/records`);
    assert.equal(await settled(page), "ready", fail("the page did not open the cache"));

    await t.step("the sidebar lists every stream with its row count", async () => {
      const shown = await page.$$eval(
        ".nav-item[data-stream]",
        (items) =>
          items.map((i) => ({
            stream: (i as HTMLElement).dataset.stream!,
            rows: Number((i as HTMLElement).dataset.rows),
          })),
      );
      assert.deepEqual(
        shown.sort((a, b) => a.stream.localeCompare(b.stream)),
        expected.streams.map((s) => ({ stream: s.stream, rows: s.rows })).sort((a, b) =>
          a.stream.localeCompare(b.stream)
        ),
      );
    });

    await t.step("the grid shows the first rows and the cache's row count", async () => {
      await page.waitForSelector(".grid[data-loaded=true]");
      const users = expected.streams.find((s) => s.stream === "users")!;
      const status = await page.textContent(".grid-status");
      assert.match(status ?? "", new RegExp(`of ${users.rows.toLocaleString("en-US")}$`));
      const headers = await page.$$eval(
        ".grid-header .th-name",
        (els) => els.map((e) => e.firstChild!.textContent),
      );
      assert.deepEqual(headers, users.columns.map((c) => c.name));
      await shot("records");
    });

    await t.step("each stream's columns and types equal the table's", async () => {
      for (const stream of expected.streams) {
        await go(`#/stream/${stream.stream}/columns`);
        await page.waitForSelector(`.content[data-view=columns] tr[data-column]`);
        const shown = await page.$$eval(
          "tr[data-column]",
          (rows) =>
            rows.map((r) => ({
              name: (r as HTMLElement).dataset.column!,
              type: r.querySelector(".type-pill")!.textContent!,
            })),
        );
        assert.deepEqual(shown, stream.columns, stream.stream);
      }
      await shot("columns");
    });

    await t.step("the state view shows every stored state message", async () => {
      await go(`#/state`);
      await page.waitForSelector(".state-card");
      const cards = await page.$$eval(
        ".state-card",
        (cards) =>
          cards.map((c) => ({
            subject: (c as HTMLElement).dataset.subject!,
            body: c.querySelector("pre.json")!.textContent!,
          })),
      );
      assert.deepEqual(cards.map((c) => c.subject).sort(), expected.state.map((s) => s.stream).sort());
      for (const card of cards) {
        const stored = expected.state.find((s) => s.stream === card.subject)!;
        assert.deepEqual(JSON.parse(card.body), JSON.parse(stored.json).stream.stream_state);
      }
      await shot("state");
    });

    await t.step("sorting by a column orders the grid as SQL does, both ways", async () => {
      await go(`#/stream/users/records`);
      await page.waitForSelector(".grid[data-loaded=true]");
      const ageCol = expected.streams.find((s) => s.stream === "users")!.columns.findIndex((c) =>
        c.name === "age"
      );
      const firstIds = async () =>
        await page.$$eval(
          ".grid-body .tr",
          (rows) => rows.slice(0, 5).map((r) => r.querySelectorAll(".td")[1].textContent),
        );
      for (const direction of ["asc", "desc"]) {
        await page.click(`.th[data-col="${ageCol}"] .th-name`);
        await page.waitForSelector(`.grid[data-sort="age:${direction}"][data-loaded=true]`);
        const want = expected.answers[direction === "asc" ? "sortedAsc" : "sortedDesc"];
        assert.deepEqual(await firstIds(), want.map((r) => r.id), direction);
        await shot(`sorted-${direction}`);
      }
    });

    await t.step("scrolling to the end shows the last rows in sorted order", async () => {
      await page.evaluate(() => {
        const scroll = document.querySelector(".grid-scroll")!;
        scroll.scrollTop = scroll.scrollHeight;
      });
      await page.waitForFunction(() => {
        const grid = document.querySelector<HTMLElement>(".grid")!;
        return Number(grid.dataset.firstRow) > 200 && grid.dataset.loaded === "true";
      });
      const lastShown = await page.$$eval(".grid-body .tr", (rows) => {
        const last = rows[rows.length - 1];
        return {
          n: last.querySelector(".rownum")!.textContent,
          id: last.querySelectorAll(".td")[1].textContent,
        };
      });
      const want = expected.answers.lastSortedDesc;
      const users = expected.streams.find((s) => s.stream === "users")!;
      assert.equal(lastShown.n, String(users.rows));
      assert.equal(lastShown.id, want[0].id);
      await shot("scrolled");
    });

    await t.step("a column summary shows nulls, distinct values, min, max and a histogram", async () => {
      await page.hover(`.th[data-col="0"]`);
      await page.click(`.th[data-col="0"] .th-summary`);
      await page.waitForSelector(".summary[data-state=ready]");
      const [want] = expected.answers.idSummary;
      const shown = await page.evaluate(() => {
        const panel = document.querySelector<HTMLElement>(".summary")!;
        return {
          nulls: panel.dataset.nulls,
          distinct: panel.dataset.distinct,
          values: [...panel.querySelectorAll(".stat-value")].map((e) => e.textContent),
          bars: panel.querySelectorAll(".uplot canvas").length,
        };
      });
      assert.equal(shown.nulls, String(want.nulls));
      assert.equal(shown.distinct, String(want.d));
      assert.equal(shown.values[3], want.lo);
      assert.equal(shown.values[4], want.hi);
      assert.equal(shown.bars, 1, "a histogram is drawn");
      await shot("summary");
      // The README's picture: `AIRBYTE_TS_UPDATE_DOCS_SCREENSHOT=1 deno test -A tests/preview/preview_page_test.ts`
      if (Deno.env.get("AIRBYTE_TS_UPDATE_DOCS_SCREENSHOT") === "1") {
        const created = expected.streams.find((s) => s.stream === "users")!.columns.findIndex((c) =>
          c.name === "created_at"
        );
        await page.hover(`.th[data-col="${created}"]`);
        await page.click(`.th[data-col="${created}"] .th-summary`);
        await page.waitForSelector(".summary[data-state=ready][data-column=created_at]");
        await page.waitForTimeout(300);
        await page.screenshot({ path: `${ROOT}/docs/preview.png` });
      }
    });

    await t.step("the SQL box shows a query's rows, and DuckDB's error for a bad one", async () => {
      await go(`#/sql`);
      await page.fill(
        ".sql-editor",
        "SELECT gender, count(*) AS n FROM users GROUP BY ALL ORDER BY n DESC, gender",
      );
      await page.click(".sql-actions button.primary");
      await page.waitForSelector(".sql[data-state=done]");
      const want = expected.answers.genders;
      assert.equal(await page.getAttribute(".sql", "data-rows"), String(want[0].n));
      await page.waitForSelector(".sql .grid[data-loaded=true]");
      await shot("sql");
      await page.fill(".sql-editor", "SELECT * FROM no_such_table");
      await page.keyboard.press("Control+Enter");
      await page.waitForSelector(".sql[data-state=error]");
      assert.match(await page.textContent(".sql-error") ?? "", /no_such_table/);
      assert.equal(await page.isVisible(".sql-error"), true);
      await shot("sql-error");
    });

    await t.step(
      "the timeline counts every record by _airbyte_extracted_at, or by a picked column",
      async () => {
        await go(`#/stream/purchases/timeline`);
        await page.waitForSelector(".timeline[data-state=ready]");
        const purchases = expected.streams.find((s) => s.stream === "purchases")!;
        assert.equal(await page.getAttribute(".timeline", "data-total"), String(purchases.rows));
        await page.selectOption(".timeline-column", "created_at");
        await page.waitForFunction(() =>
          document.querySelector(".timeline .caption")?.textContent?.includes("per")
        );
        await page.waitForSelector(".timeline[data-state=ready]");
        const [want] = expected.answers.purchasesCreated;
        assert.equal(await page.getAttribute(".timeline", "data-total"), String(want.n));
        await shot("timeline");
      },
    );

    await t.step("misfits: a faker cache has none, and says so", async () => {
      await go(`#/stream/users/misfits`);
      await page.waitForSelector(".misfits[data-state=ready]");
      const [want] = expected.answers.usersMisfits;
      assert.equal(await page.getAttribute(".misfits", "data-count"), String(want.n));
    });

    await t.step(
      "a small cache is fetched whole in one response, ?ranges reads it by ranges, and neither writes it",
      async () => {
        const info = await Deno.stat(path);
        assert.equal(server.served.cacheResponses, 1, "one response for the whole file");
        assert.equal(server.served.cacheBytes, info.size);
        assert.match(await page.textContent("header") ?? "", /fetched whole/);
        await page.goto(`${server.url}?ranges#/stream/users/records`);
        assert.equal(await settled(page), "ready", fail("the page did not open the cache by ranges"));
        assert.match(await page.textContent("header") ?? "", /HTTP ranges/);
        assert.ok(server.served.cacheResponses > 2, "read in several ranged responses");
        const rangeBytes = server.served.cacheBytes - info.size;
        assert.ok(rangeBytes <= info.size * 2, `${rangeBytes} bytes served by ranges`);
        assert.deepEqual(await Deno.readFile(path), before, "the cache file is unchanged");
      },
    );
    assert.deepEqual(session.log.filter((l) => l.startsWith("[pageerror]")), []);
  },
});
