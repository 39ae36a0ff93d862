/**
 * The in-page read example: a connector written in TypeScript runs in this tab (InProcessExecutor),
 * its records go into a DuckDB cache in the browser's origin private file system (OPFS), with live
 * progress; then the same views as the preview show the cache. The cache outlives a reload: the
 * page shows what is stored before offering to read more.
 */
import "./style.css";
import { DuckDBCache, getSource, type InProcessConnector, type ProgressEvent } from "../../../mod.ts";
import { PreviewApp } from "./app.ts";
import { h, replace } from "./dom.ts";
import { formatCount, formatMs } from "./format.ts";
import type { PreviewDb } from "./preview_db.ts";
import { errorText, Shell } from "./shell.ts";

const CACHE_PATH = "opfs://airbyte-ts-preview/in_page_read.duckdb";
const assetsBaseUrl = new URL("duckdb/", location.href);
const shell = new Shell(document.getElementById("app")!);

const FIRST = ["Ada", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Alan", "Radia"];
const CITIES = ["Lisbon", "Nairobi", "Osaka", "Quito", "Tallinn", "Denver", "Pune", "Hobart"];

/** A small deterministic source: `customers` and `orders`, incremental by `updated_at`. */
function demoConnector(): InProcessConnector {
  const streams = [{
    name: "customers",
    json_schema: {
      type: "object",
      properties: {
        id: { type: "integer" },
        name: { type: "string" },
        city: { type: "string" },
        signed_up: { type: "string", format: "date-time" },
        updated_at: { type: "string", format: "date-time" },
      },
    },
    supported_sync_modes: ["full_refresh", "incremental"],
    source_defined_cursor: true,
    default_cursor_field: ["updated_at"],
    source_defined_primary_key: [["id"]],
  }, {
    name: "orders",
    json_schema: {
      type: "object",
      properties: {
        id: { type: "integer" },
        customer_id: { type: "integer" },
        amount: { type: "number" },
        quantity: { type: "integer" },
        ordered_at: { type: "string", format: "date-time" },
        updated_at: { type: "string", format: "date-time" },
      },
    },
    supported_sync_modes: ["full_refresh", "incremental"],
    source_defined_cursor: true,
    default_cursor_field: ["updated_at"],
    source_defined_primary_key: [["id"]],
  }];
  return {
    name: "source-in-page-demo",
    spec: () =>
      Promise.resolve({
        connectionSpecification: { type: "object", properties: { count: { type: "integer" } } },
      }),
    check: () => Promise.resolve({ status: "SUCCEEDED" }),
    discover: () => Promise.resolve({ streams }),
    async *read(config) {
      const count = Number(config.count ?? 20_000);
      const start = Date.UTC(2024, 0, 1);
      const now = new Date().toISOString();
      for (let i = 1; i <= count; i++) {
        yield {
          type: "RECORD",
          record: {
            stream: "customers",
            emitted_at: Date.now(),
            data: {
              id: i,
              name: `${FIRST[i % FIRST.length]} ${String.fromCharCode(65 + (i % 26))}.`,
              city: CITIES[(i * 7) % CITIES.length],
              signed_up: new Date(start + ((i * 9_973_331) % (365 * 86_400_000))).toISOString(),
              updated_at: now,
            },
          },
        };
        // One misfit in every thousand rows: a quantity that is not an integer.
        yield {
          type: "RECORD",
          record: {
            stream: "orders",
            emitted_at: Date.now(),
            data: {
              id: i,
              customer_id: 1 + ((i * 31) % count),
              amount: Math.round(((i * 7919) % 50_000) + 99) / 100,
              quantity: i % 1000 === 0 ? "a dozen" : 1 + (i % 5),
              ordered_at: new Date(start + ((i * 104_729) % (365 * 86_400_000))).toISOString(),
              updated_at: now,
            },
          },
        };
        if (i % 1000 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      for (const stream of ["customers", "orders"]) {
        yield {
          type: "STATE",
          state: {
            type: "STREAM",
            stream: { stream_descriptor: { name: stream }, stream_state: { updated_at: now, rows: count } },
          },
        };
      }
    },
  };
}

function cacheDb(cache: DuckDBCache): PreviewDb {
  return {
    title: "in_page_read.duckdb",
    detail: `${CACHE_PATH} · this browser's private file system`,
    query: (sql) => cache.sql(sql),
    close: () => cache.close(),
  };
}

let cache = new DuckDBCache({ path: CACHE_PATH, assetsBaseUrl });

async function showCache(): Promise<void> {
  const app = new PreviewApp(cacheDb(cache), {
    onError: (e, context) => shell.banner(`${context}: ${errorText(e)}`),
  });
  await app.start();
  shell.setTitle("in_page_read.duckdb", `${CACHE_PATH} · kept across reloads`, ["OPFS", "in-page read"]);
  shell.show(app.el);
  document.body.dataset.streams = String(app.catalog.streams.length);
}

async function runRead(count: number): Promise<void> {
  const bars = new Map<string, HTMLElement>();
  const total = h("div", { class: "read-total" });
  const list = h("div", { class: "read-streams" });
  replace(
    document.querySelector(".stage")!,
    h(
      "div",
      { class: "loading-panel read-panel" },
      h("div", { class: "spinner" }),
      h(
        "div",
        { class: "read-body" },
        h("h2", { class: "message-title" }, `Reading ${formatCount(count * 2)} records in this tab`),
        total,
        list,
      ),
    ),
  );
  document.body.dataset.state = "reading";
  const onProgress = (event: ProgressEvent) => {
    for (const [name, s] of Object.entries(event.streams)) {
      let bar = bars.get(name);
      if (!bar) {
        bar = h("div", { class: "read-stream" });
        bars.set(name, bar);
        list.append(bar);
      }
      const share = Math.min(1, s.records / count);
      replace(
        bar,
        h("span", { class: "mono" }, name),
        h("span", { class: "freq-track" }, h("span", { class: "freq-fill", style: `width:${share * 100}%` })),
        `${formatCount(s.records)}${s.done ? " ✓" : ""}`,
      );
    }
    total.textContent = `${formatCount(event.totalRecords)} records · ${
      formatCount(Math.round(event.recordsPerSecond))
    } records/s · ${formatMs(event.elapsedMs)}`;
    document.body.dataset.records = String(event.totalRecords);
  };
  const source = await getSource("source-in-page-demo", {
    connector: demoConnector(),
    config: { count },
    streams: "*",
  });
  const result = await source.read({ cache, progress: onProgress, forceFullRefresh: true });
  document.body.dataset.readRecords = String(result.processedRecords);
}

async function boot(): Promise<void> {
  const count = Number(new URLSearchParams(location.search).get("count") ?? 20_000);
  const readButton = h("button", { class: "primary", onclick: () => readAgain() }, "Read again");
  const clearButton = h("button", { onclick: () => clearCache() }, "Delete the cache");
  shell.setActions(readButton, clearButton);
  shell.setTitle("in_page_read.duckdb", CACHE_PATH, ["OPFS"]);
  shell.progress(["Start DuckDB-WASM", "Open the OPFS cache", "Read streams and state"], 0);
  async function readAgain() {
    try {
      await runRead(count);
      await showCache();
    } catch (error) {
      shell.message({ kind: "failed", title: "The read failed", detail: errorText(error) });
    }
  }
  async function clearCache() {
    await cache.close();
    const root = await navigator.storage.getDirectory();
    await root.removeEntry("airbyte-ts-preview", { recursive: true }).catch(() => {});
    cache = new DuckDBCache({ path: CACHE_PATH, assetsBaseUrl });
    location.reload();
  }
  try {
    const streams = await cache.streams;
    // What an earlier visit stored is shown as it is; otherwise read first.
    if (streams.length === 0) await runRead(count);
    else document.body.dataset.restored = "true";
    await showCache();
  } catch (error) {
    shell.message({
      kind: "failed",
      title: "Cannot use the OPFS cache",
      detail: `${errorText(error)} (OPFS needs a secure context: https or localhost).`,
    });
  }
}

boot();
