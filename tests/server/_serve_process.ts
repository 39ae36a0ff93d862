// `airbyte-ts serve <config>` as the tests run it in a child process (Deno directly, Node through an
// esbuild bundle): the token comes from AIRBYTE_TS_SERVER_TOKEN, SIGTERM drains, and the process
// exits 0 once the server has stopped. Runtime-neutral on purpose: it uses mod.ts only.
import { getRuntime, loadServerConfig, serve } from "../../mod.ts";

const rt = await getRuntime();
const [configPath] = rt.args();
const config = await loadServerConfig(configPath);
const server = await serve(config);
await server.finished;
rt.exit(0);
