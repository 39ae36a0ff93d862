// A writer that commits into a cache and exits without closing it, as a crash would: its last
// commit stays in the WAL (used by preview_errors_test.ts).   deno run -A _crashing_writer.ts PATH
import { DuckDBCache } from "../../mod.ts";

const cache = new DuckDBCache({ path: Deno.args[0] });
await cache.sql("INSERT INTO numbers SELECT range + 100, 0 FROM range(5)");
Deno.exit(0);
