import { browserBundlesAt, openBrowserReadOnly } from "../../../wasm/load_browser.ts";
const out = document.getElementById("out")!;
try {
  const engine = await openBrowserReadOnly({ url: "/cache.duckdb" }, browserBundlesAt(new URL("/duckdb/", location.href)));
  const t = await engine.query("SELECT schema_name, table_name, estimated_size FROM duckdb_tables() WHERE database_name = current_database() ORDER BY table_name DESC");
  const rows = t.toArray().map((r) => r.toJSON());
  const first = rows[0]?.table_name;
  const c = await engine.query(`SELECT count(*)::INT AS n FROM "${first}"`);
  let tz = "";
  try { tz = JSON.stringify((await engine.query(`SELECT epoch_ms(max(_airbyte_extracted_at)) m, max(_airbyte_extracted_at)::TIMESTAMP ts FROM "${first}"`)).toArray()[0].toJSON(), (_k, v) => typeof v === "bigint" ? Number(v) : v); } catch (e) { tz = String(e); }
  out.textContent = JSON.stringify({ rows, n: c.toArray()[0].n, tz }, (_k, v) => typeof v === "bigint" ? Number(v) : v);
} catch (e) {
  out.textContent = "ERROR " + String((e as Error)?.stack ?? e);
}
(globalThis as any).__done = true;
