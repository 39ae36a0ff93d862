// The podman Engine API service for tests (see scripts/services/podman.sh) and the connector
// images they run (scripts/images/build.sh). `dockerHost()` returns AIRBYTE_TS_TEST_DOCKER_HOST
// when scripts/test.sh started a service for the whole run (it also built the images); otherwise
// it starts a private service for this test process, makes sure the images are there, and stops
// the service when the process exits. So `npx deno test -A tests/executors/docker/` works alone.
import { CONTAINER_LABEL } from "../../src/executors/docker/docker_executor.ts";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/** The images scripts/images/build.sh builds. */
export const IMAGES = {
  /** airbyte-source-faker 7.2.1 from PyPI in a Debian root filesystem, Airbyte conventions. */
  faker: "localhost/airbyte-ts/source-faker:7.2.1",
  /** tests/fixtures/destination_jsonl (airbyte-cdk) the same way. */
  destination: "localhost/airbyte-ts/destination-jsonl:0.1.0",
  /** python3 + tests/fixtures/connectors/*.py and bench/replay_source.py under /airbyte/connectors. */
  fixtures: "localhost/airbyte-ts/fixtures:dev",
} as const;

/** A fixture connector script inside the fixtures image, as an entrypoint. */
export function fixtureEntrypoint(script: string): string[] {
  return ["python3", `/airbyte/connectors/${script}`];
}

let started: Promise<string> | undefined;

/** The engine address (`unix://...`) for tests, starting a private service when needed. */
export function dockerHost(): Promise<string> {
  started ??= start();
  return started;
}

async function start(): Promise<string> {
  const shared = Deno.env.get("AIRBYTE_TS_TEST_DOCKER_HOST");
  if (shared) return shared;
  const dir = await Deno.makeTempDir({ prefix: "airbyte-ts-podman-" });
  const out = await run("bash", [`${ROOT}/scripts/services/podman.sh`, "start", dir]);
  globalThis.addEventListener("unload", () => {
    new Deno.Command("bash", { args: [`${ROOT}/scripts/services/podman.sh`, "stop", dir] }).outputSync();
  });
  await run("bash", [`${ROOT}/scripts/images/build.sh`, "ensure"]);
  return out.trim().split("\n").pop()!;
}

async function run(command: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (out.code !== 0) throw new Error(`${command} ${args.join(" ")} failed (${out.code}):\n${stderr}`);
  return new TextDecoder().decode(out.stdout);
}

/** One Engine API call from a test, outside the code under test (curl, so no client is shared). */
export async function engineApi(
  host: string,
  method: string,
  path: string,
): Promise<{ status: number; body: any }> {
  const socket = host.replace(/^unix:\/\//, "");
  const out = await new Deno.Command("curl", {
    args: ["-s", "-X", method, "--unix-socket", socket, "-w", "\n%{http_code}", `http://d/v1.41${path}`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  const cut = text.lastIndexOf("\n");
  const body = text.slice(0, cut);
  let parsed: unknown = body;
  try {
    parsed = body ? JSON.parse(body) : undefined;
  } catch {
    // Not JSON.
  }
  return { status: Number(text.slice(cut + 1)), body: parsed };
}

/** Containers (any state) made by executors whose connector name is `connector`. */
export async function containersOf(
  host: string,
  connector: string,
): Promise<{ Id: string; State: string }[]> {
  const filters = encodeURIComponent(
    JSON.stringify({ label: [`${CONTAINER_LABEL}.connector=${connector}`] }),
  );
  const { body } = await engineApi(host, "GET", `/containers/json?all=1&filters=${filters}`);
  return body as { Id: string; State: string }[];
}

/** A connector name no other test uses, so containers can be told apart. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}
