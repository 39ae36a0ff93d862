import assert from "node:assert/strict";
import {
  ConfiguredAirbyteCatalogSchema,
  ConfiguredAirbyteStreamSchema,
  streamDescriptorKey,
} from "../../src/protocol/catalog.ts";

const stream = {
  name: "users",
  json_schema: { type: "object" },
  supported_sync_modes: ["full_refresh", "incremental"],
};

Deno.test("ConfiguredAirbyteCatalogSchema accepts a full catalog and keeps unknown keys", () => {
  const catalog = {
    streams: [
      {
        stream,
        sync_mode: "incremental",
        destination_sync_mode: "append_dedup",
        cursor_field: ["updated_at"],
        primary_key: [["id"], ["org", "id"]],
        generation_id: 3,
        minimum_generation_id: 0,
        sync_id: 77,
        x_extra: { kept: true },
      },
      {
        stream: { ...stream, name: "orders" },
        sync_mode: "full_refresh",
        destination_sync_mode: "overwrite_dedup",
      },
    ],
    catalog_extra: 1,
  };
  const result = ConfiguredAirbyteCatalogSchema.safeParse(catalog);
  assert.ok(result.success, result.success ? "" : result.error.message);
  assert.deepEqual(result.data, catalog);
});

Deno.test("ConfiguredAirbyteStreamSchema rejects unknown sync modes and a flat primary key", () => {
  const base = { stream, sync_mode: "full_refresh", destination_sync_mode: "append" };
  assert.ok(ConfiguredAirbyteStreamSchema.safeParse(base).success);
  assert.equal(ConfiguredAirbyteStreamSchema.safeParse({ ...base, sync_mode: "cdc" }).success, false);
  assert.equal(
    ConfiguredAirbyteStreamSchema.safeParse({ ...base, destination_sync_mode: "upsert" }).success,
    false,
  );
  assert.equal(ConfiguredAirbyteStreamSchema.safeParse({ ...base, primary_key: ["id"] }).success, false);
  assert.equal(ConfiguredAirbyteStreamSchema.safeParse({ ...base, generation_id: 1.5 }).success, false);
});

Deno.test("streamDescriptorKey treats a missing, null or empty namespace alike", () => {
  assert.equal(streamDescriptorKey("users"), "users");
  assert.equal(streamDescriptorKey("users", null), "users");
  assert.equal(streamDescriptorKey("users", ""), "users");
});

Deno.test("streamDescriptorKey keeps dotted names apart from namespaced ones", () => {
  assert.notEqual(streamDescriptorKey("a.b"), streamDescriptorKey("b", "a"));
  assert.notEqual(streamDescriptorKey("users", "public"), streamDescriptorKey("users", "private"));
  assert.equal(streamDescriptorKey("users", "public"), streamDescriptorKey("users", "public"));
});
