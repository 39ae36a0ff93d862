/**
 * The preview page served by `startPreviewServer`: opens the served cache read-only (HTTP range
 * requests), or a `.duckdb` file dropped on the page or picked with its file input (read by the
 * browser, no server involved), and shows it.
 */
import "./style.css";
import {
  browserBundlesAt,
  prepareBrowserReadOnly,
  type ReadOnlyDatabase,
  type ReadOnlyOpener,
} from "../../duckdb/browser_read_only.ts";
import type { CacheFileStatus } from "../preview_server.ts";
import { PreviewApp } from "./app.ts";
import { h } from "./dom.ts";
import { formatBytes } from "./format.ts";
import type { PreviewDb } from "./preview_db.ts";
import { errorText, type Message, Shell } from "./shell.ts";

const shell = new Shell(document.getElementById("app")!);
const bundles = browserBundlesAt(new URL("duckdb/", location.href));
/** What DuckDB-WASM may hold in the tab: cached blocks of the cache file, sort orders, results. */
const MEMORY_LIMIT = "1GB";
const STEPS = ["Start DuckDB-WASM", "Open the cache read-only", "Read streams and state"];
// DuckDB-WASM starts at once, while the page asks the server what to open.
let opener: ReadOnlyOpener | null = startDuckDB();

function startDuckDB(): ReadOnlyOpener {
  const next = prepareBrowserReadOnly(bundles);
  next.started.then(() => performance.mark("airbyte-preview:instantiated"), () => {});
  return next;
}
let current: PreviewDb | null = null;
let watch: ReturnType<typeof setInterval> | undefined;

const fileInput = h("input", {
  type: "file",
  accept: ".duckdb,.db,.wal,application/octet-stream",
  multiple: true,
  hidden: true,
  onchange: () => openFiles([...fileInput.files ?? []]),
}) as HTMLInputElement;
document.body.append(fileInput);
const openButton = h("button", { class: "open-file", onclick: () => fileInput.click() }, "Open a file…");
shell.setActions(openButton);

/** "DUCK" at offset 8 is DuckDB's file magic. */
async function looksLikeDuckDB(blob: Blob): Promise<"duckdb" | "other" | "empty"> {
  if (blob.size < 12) return "empty";
  const head = new Uint8Array(await blob.slice(8, 12).arrayBuffer());
  return new TextDecoder().decode(head) === "DUCK" ? "duckdb" : "other";
}

function notDuckDB(name: string, format: "other" | "empty"): Message {
  return format === "empty"
    ? {
      kind: "empty",
      title: `${name} is empty`,
      detail:
        "The file has no DuckDB database in it (0 bytes, or cut short). Run a read into it, or pick another file.",
    }
    : {
      kind: "not-duckdb",
      title: `${name} is not a DuckDB database`,
      detail:
        "Its first bytes are not a DuckDB file header. Pick a .duckdb cache written by airbyte-ts (or any DuckDB 1.x database).",
    };
}

function openFailed(name: string, error: unknown): Message {
  const text = errorText(error);
  const corrupt =
    /corrupt|checksum|serializ|invalid|magic|version|out of range|unexpected|failed to read|not a valid/i
      .test(text);
  return {
    kind: corrupt ? "corrupt" : "failed",
    title: corrupt ? `${name} is damaged or unreadable` : `Cannot open ${name}`,
    detail: `DuckDB-WASM (DuckDB 1.4) says: ${text}` +
      (corrupt ? " The file may be damaged, truncated, or written by a newer DuckDB version." : ""),
    actions: [{ label: "Open another file…", run: () => fileInput.click() }],
  };
}

async function show(db: PreviewDb, badges: string[]): Promise<void> {
  shell.progress(STEPS, 2);
  await current?.close().catch(() => {});
  current = db;
  const app = new PreviewApp(db, { onError: (e, context) => shell.banner(`${context}: ${errorText(e)}`) });
  try {
    await app.start();
  } catch (error) {
    shell.message(openFailed(db.title, error));
    return;
  }
  shell.setTitle(db.title, db.detail, badges);
  shell.show(app.el);
}

async function open(
  database: ReadOnlyDatabase,
  title: string,
  detail: string,
  badges: string[],
): Promise<boolean> {
  shell.setTitle(title, detail);
  shell.progress(STEPS, 0);
  let engine;
  // A later file gets a fresh DuckDB-WASM (the first one started with the page).
  const using = opener ?? startDuckDB();
  opener = null;
  try {
    performance.mark("airbyte-preview:open-start");
    using.started.then(() => shell.progress(STEPS, 1), () => {});
    engine = await using.open(database);
    // The tab's memory stays bounded whatever the cache's size: DuckDB evicts cached blocks past
    // this (its default is most of the 4 GB a WebAssembly module can address).
    await engine.query(`SET memory_limit='${MEMORY_LIMIT}'`);
    performance.mark("airbyte-preview:opened");
  } catch (error) {
    shell.message(openFailed(title, error));
    return false;
  }
  const db: PreviewDb = { title, detail, query: (sql) => engine.query(sql), close: () => engine.close() };
  // For the browser console (and the benchmark): run SQL on what the page shows.
  (globalThis as { airbytePreview?: unknown }).airbytePreview = { query: db.query };
  await show(db, badges);
  return true;
}

/** Files dropped or picked: one database, and optionally its `.wal`. */
async function openFiles(files: File[]): Promise<void> {
  clearInterval(watch);
  const main = files.find((f) => !f.name.endsWith(".wal")) ?? files[0];
  if (!main) return;
  const wal = files.find((f) => f !== main && f.name === `${main.name}.wal`);
  const format = await looksLikeDuckDB(main);
  if (format !== "duckdb") {
    shell.setTitle(main.name, formatBytes(main.size));
    shell.message({
      ...notDuckDB(main.name, format),
      actions: [{ label: "Open another file…", run: () => fileInput.click() }],
    });
    return;
  }
  await open(
    { file: main, wal },
    main.name,
    `${formatBytes(main.size)} · local file${wal ? " + WAL" : ""}`,
    ["read-only", "local file"],
  );
}

addEventListener("dragover", (event) => {
  event.preventDefault();
  document.body.classList.add("dropping");
});
addEventListener("dragleave", (event) => {
  if (event.relatedTarget === null) document.body.classList.remove("dropping");
});
addEventListener("drop", (event) => {
  event.preventDefault();
  document.body.classList.remove("dropping");
  const files = [...event.dataTransfer?.files ?? []];
  if (files.length > 0) openFiles(files);
});

/**
 * A small cache is fetched whole while DuckDB-WASM starts: one response instead of a round trip per
 * block DuckDB reads (attach, catalog and first rows are ~0.5 s sooner at 1M rows). A larger one is
 * read by HTTP ranges, so a page never holds a big file. `?ranges` in the URL always uses ranges.
 */
const WHOLE_FILE_MAX_BYTES = 64 * 1024 * 1024;

async function fetchWhole(status: CacheFileStatus): Promise<{ file: Blob; wal?: Blob } | undefined> {
  const size = (status.size ?? 0) + (status.walSize ?? 0);
  if (size > WHOLE_FILE_MAX_BYTES || new URLSearchParams(location.search).has("ranges")) return undefined;
  const get = async (path: string) => {
    const response = await fetch(path, { cache: "no-store" });
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    return await response.blob();
  };
  try {
    const [file, wal] = await Promise.all([
      get("cache.duckdb"),
      status.walSize ? get("cache.duckdb.wal") : undefined,
    ]);
    return wal ? { file, wal } : { file };
  } catch {
    return undefined; // ranges still work where one whole response did not
  }
}

async function fetchStatus(): Promise<CacheFileStatus> {
  const response = await fetch("api/cache", { cache: "no-store" });
  if (!response.ok) throw new Error(`the preview server answered ${response.status}`);
  return await response.json();
}

function lockedMessage(status: CacheFileStatus, openAnyway: () => void): Message {
  const lock = status.lock!;
  const who = lock.pid
    ? `process ${lock.pid}${lock.hostname ? ` on ${lock.hostname}` : ""}`
    : "another process";
  return {
    kind: "locked",
    title: `Another process is writing ${status.name}`,
    detail: `${who[0].toUpperCase()}${who.slice(1)} holds its write lock` +
      (lock.startedAt ? ` (since ${lock.startedAt})` : "") +
      `. What is on disk may be half-written until it finishes. This page opens the cache by itself when ` +
      `the lock is released.`,
    actions: [{ label: "Open what is on disk now", run: openAnyway }],
  };
}

/** After opening: tell the user when the file changes under the page (a read wrote to it). */
function watchForChanges(opened: CacheFileStatus): void {
  clearInterval(watch);
  let told = false;
  watch = setInterval(async () => {
    try {
      const now = await fetchStatus();
      const changed = now.mtimeMs !== opened.mtimeMs || now.size !== opened.size ||
        now.walSize !== opened.walSize;
      if (!told && (changed || (now.lock && !now.lock.stale))) {
        told = true;
        shell.banner(
          now.lock
            ? `Process ${now.lock.pid ?? "?"} is writing this cache now.`
            : "The cache changed on disk since it was opened.",
          "info",
          { label: "Reload", run: () => location.reload() },
        );
      }
    } catch {
      // the server stopped: the data already open stays usable
    }
  }, 3000);
}

async function boot(): Promise<void> {
  let status: CacheFileStatus;
  try {
    status = await fetchStatus();
  } catch (error) {
    shell.message({
      kind: "failed",
      title: "The preview server does not answer",
      detail: `${errorText(error)}. Start it again with \`airbyte-ts preview\`.`,
    });
    return;
  }
  if (!status.served) {
    shell.setTitle("No cache opened", "Drop a .duckdb file here, or pick one");
    shell.message({
      kind: "welcome",
      title: "Drop a .duckdb cache on this page",
      detail: "Or pick one with the button. It is read in this browser tab: nothing is uploaded. " +
        "Drop its .wal file with it to include commits not yet checkpointed.",
      actions: [{ label: "Open a file…", run: () => fileInput.click(), primary: true }],
    });
    document.body.dataset.state = "empty";
    return;
  }
  const name = status.name!;
  shell.setTitle(name, status.path!);
  if (!status.exists) {
    shell.message({
      kind: "missing",
      title: `No cache at ${status.path}`,
      detail: "The file does not exist. Check the path, or read a source into it first " +
        "(for example `airbyte-ts read source-faker --cache <path>`). You can also open a file from this computer.",
      actions: [{ label: "Check again", run: () => boot(), primary: true }, {
        label: "Open a file…",
        run: () => fileInput.click(),
      }],
    });
    return;
  }
  if (status.format !== "duckdb") {
    shell.message({
      ...notDuckDB(name, status.format === "empty" ? "empty" : "other"),
      actions: [{ label: "Open a file…", run: () => fileInput.click() }],
    });
    return;
  }
  const openServed = async (snapshotOfLive: boolean) => {
    clearInterval(watch);
    const detail = `${status.path} · ${formatBytes(status.size ?? 0)}` +
      (status.walSize ? ` · WAL ${formatBytes(status.walSize)} replayed` : "");
    const whole = await fetchWhole(status);
    const badges = [
      "read-only",
      whole ? "fetched whole" : "HTTP ranges",
      ...(snapshotOfLive ? ["being written"] : []),
    ];
    const database = whole ?? { url: new URL("cache.duckdb", location.href) };
    if (await open(database, name, detail, badges)) watchForChanges(status);
  };
  if (status.lock?.stale) {
    // The writer died holding its lock: what it committed is in the file and its WAL.
    await openServed(false);
    shell.banner(
      `Process ${status.lock.pid} on ${status.lock.hostname} died while writing this cache (its lock is stale). ` +
        "Shown: everything it committed; the next write to the cache takes the lock over.",
      "info",
    );
    return;
  }
  if (status.lock) {
    shell.message(lockedMessage(status, () => openServed(true)));
    // Open by itself once the writer is done.
    watch = setInterval(async () => {
      try {
        const now = await fetchStatus();
        if (!now.lock || now.lock.stale) {
          clearInterval(watch);
          status = now;
          await openServed(false);
        }
      } catch {
        // keep waiting
      }
    }, 2000);
    return;
  }
  await openServed(false);
}

boot();
