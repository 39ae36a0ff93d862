// Source against the real airbyte-source-faker 7.2.1 from PyPI, installed into its own venv.
import assert from "node:assert/strict";
import { ConfigValidationError, getSource, memoryLogger, StreamNotFoundError } from "../../mod.ts";
import { faker, FAKER_PIP, markedFaker, processesMarked, tempDir } from "../_support.ts";

Deno.test("Source.spec returns faker's config schema with count", async () => {
  const source = await getSource("source-faker", { pipUrl: FAKER_PIP });
  const schema = await source.configSpec;
  assert.ok((schema.properties as Record<string, unknown>).count, "count is in the schema");
});

Deno.test("Source.check succeeds for faker with count 100 and seed 1", async () => {
  const source = await faker({ count: 100, seed: 1 });
  await source.check();
});

Deno.test("Source.discover lists faker's users, products and purchases", async () => {
  const source = await faker();
  const names = await source.getAvailableStreams();
  for (const s of ["users", "products", "purchases"]) assert.ok(names.includes(s), `${s} in ${names}`);
});

Deno.test("Source.getRecords yields exactly the limit and leaves no connector process behind", async () => {
  const { source, mark } = await markedFaker({ count: 1000, seed: 1 });
  const users: Record<string, unknown>[] = [];
  for await (const user of source.getRecords("users", { limit: 10 })) users.push(user);
  assert.equal(users.length, 10);
  assert.ok(users.every((u) => typeof u.id === "number"));
  // The loop has ended: the connector was ended and reaped before it returned.
  assert.deepEqual(await processesMarked(mark), []);
});

Deno.test("Source.getRecords ends the connector when the loop breaks early", async () => {
  const { source, mark } = await markedFaker({ count: 100000, seed: 1 });
  let n = 0;
  for await (const _ of source.getRecords("users")) if (++n === 3) break;
  assert.equal(n, 3);
  assert.deepEqual(await processesMarked(mark), []);
});

Deno.test("getSource rejects a config of the wrong type, naming the field, before the connector sees it", async () => {
  // A wrapper logs every verb the connector is started with: only `spec` may run.
  await using dir = await tempDir();
  const log = `${dir.path}/calls.log`;
  const exe = `${dir.path}/source-faker`;
  const home = Deno.env.get("AIRBYTE_TS_HOME") ?? `${Deno.env.get("HOME")}/.cache/airbyte-ts`;
  await Deno.writeTextFile(
    exe,
    `#!/bin/sh\necho "$1" >> ${log}\nexec ${home}/venvs/source-faker/bin/source-faker "$@"\n`,
  );
  await Deno.chmod(exe, 0o755);
  await getSource("source-faker", { pipUrl: FAKER_PIP }); // make sure the venv exists
  const error = await getSource("source-faker", { localExecutable: exe, config: { count: "many", seed: 1 } })
    .catch((e) => e);
  assert.ok(error instanceof ConfigValidationError, String(error));
  assert.match(error.message, /\$\.count/);
  assert.deepEqual((await Deno.readTextFile(log)).trim().split("\n"), ["spec"]);
});

Deno.test("Source.read of an unknown stream raises StreamNotFoundError listing the available streams", async () => {
  const source = await faker();
  const error = await (async () => {
    for await (const _ of source.getRecords("userz")) break;
  })().catch((e) => e);
  assert.ok(error instanceof StreamNotFoundError, String(error));
  assert.match(error.message, /'userz'/);
  assert.match(error.message, /'users'/);
  assert.ok(error.availableStreams.includes("purchases"));
});

Deno.test("Source.selectStreams rejects unknown names once the catalog is known", async () => {
  const source = await faker();
  await source.discover();
  assert.throws(() => source.selectStreams(["users", "nope"]), StreamNotFoundError);
  source.selectStreams(["users"]);
  assert.deepEqual(source.getSelectedStreams(), ["users"]);
});

Deno.test("Source.getConfiguredCatalog makes faker's users incremental and honours key overrides", async () => {
  const source = await faker();
  await source.discover();
  source.setPrimaryKey("users", ["id", "email"]);
  source.setCursorKey("users", "updated_at");
  const catalog = source.getConfiguredCatalog({ streams: ["users"] });
  const users = catalog.streams[0];
  assert.equal(users.sync_mode, "incremental");
  assert.deepEqual(users.primary_key, [["id"], ["email"]]);
  assert.deepEqual(users.cursor_field, ["updated_at"]);
  const full = source.getConfiguredCatalog({ streams: ["users"], forceFullRefresh: true });
  assert.equal(full.streams[0].sync_mode, "full_refresh");
});

Deno.test("Source logs nothing alarming for a clean faker read", async () => {
  const logger = memoryLogger();
  const source = await getSource("source-faker", {
    pipUrl: FAKER_PIP,
    config: { count: 5, seed: 1 },
    logger,
  });
  const rows = [];
  for await (const r of source.getRecords("products")) rows.push(r);
  assert.ok(rows.length > 0);
  assert.deepEqual(logger.lines.filter((l) => l.startsWith("WARN")), []);
});
