import assert from "node:assert/strict";
import {
  AIRBYTE_MESSAGE_TYPES,
  AirbyteMessageSchema,
  AirbyteStateMessageSchema,
  isAirbyteMessageType,
  parseAirbyteMessage,
} from "../../src/protocol/messages.ts";
import { parseMessageLine } from "../../src/protocol/message_parser.ts";

/** One message of each type and sub-type, each with keys the schema does not know. */
const SAMPLES: Record<string, unknown> = {
  record: {
    type: "RECORD",
    record: {
      stream: "users",
      namespace: "public",
      data: { id: 1, name: "Ada", nested: { a: [1, 2, { b: null }] } },
      emitted_at: 1700000000000,
      meta: { changes: [{ field: "bio", change: "TRUNCATED", reason: "SOURCE_FIELD_SIZE_LIMITATION" }] },
      file_reference: { staging_file_url: "/tmp/x" },
    },
    extra_top: true,
  },
  streamState: {
    type: "STATE",
    state: {
      type: "STREAM",
      stream: {
        stream_descriptor: { name: "users", namespace: "public", extra_descriptor: 1 },
        stream_state: { cursor: "2024-05-01T00:00:00Z", partitions: [{ p: 1, c: "x" }] },
        extra_stream: "kept",
      },
      sourceStats: { recordCount: 42.0, extra_stats: "kept" },
      destinationStats: { recordCount: 41.0 },
      id: 12345,
    },
  },
  globalState: {
    type: "STATE",
    state: {
      type: "GLOBAL",
      global: {
        shared_state: { lsn: 987654321, server: "db1" },
        stream_states: [
          { stream_descriptor: { name: "a" }, stream_state: { pk: 10 } },
          { stream_descriptor: { name: "b", namespace: "s" }, stream_state: { pk: 20 } },
        ],
        extra_global: [1, 2, 3],
      },
    },
  },
  legacyState: { type: "STATE", state: { data: { users: { cursor: 5 } }, legacy_extra: "x" } },
  log: { type: "LOG", log: { level: "WARN", message: "careful", stack_trace: "at x", logger: "py" } },
  spec: {
    type: "SPEC",
    spec: {
      documentationUrl: "https://docs.example.com",
      connectionSpecification: {
        $schema: "http://json-schema.org/draft-07/schema#",
        type: "object",
        required: ["api_key"],
        properties: { api_key: { type: "string", airbyte_secret: true } },
      },
      supportsIncremental: true,
      supported_destination_sync_modes: ["append", "overwrite", "append_dedup", "overwrite_dedup"],
      protocol_version: "0.2.0",
      vendor_extension: { x: 1 },
    },
  },
  connectionStatus: {
    type: "CONNECTION_STATUS",
    connectionStatus: { status: "FAILED", message: "Wrong password", extra: 1 },
  },
  catalog: {
    type: "CATALOG",
    catalog: {
      streams: [
        {
          name: "users",
          json_schema: { type: "object", properties: { id: { type: "integer" } } },
          supported_sync_modes: ["full_refresh", "incremental"],
          source_defined_cursor: true,
          default_cursor_field: ["updated_at"],
          source_defined_primary_key: [["id"]],
          namespace: null,
          is_resumable: true,
          x_unknown: "kept",
        },
      ],
    },
  },
  traceError: {
    type: "TRACE",
    trace: {
      type: "ERROR",
      emitted_at: 1700000000000.5,
      error: {
        message: "Something went wrong",
        internal_message: "KeyError: 'x'",
        stack_trace: "Traceback...",
        failure_type: "config_error",
        stream_descriptor: { name: "users" },
        extra_error: true,
      },
    },
  },
  traceEstimate: {
    type: "TRACE",
    trace: {
      type: "ESTIMATE",
      emitted_at: 1,
      estimate: { name: "users", type: "STREAM", row_estimate: 100, byte_estimate: 4096 },
    },
  },
  traceStreamStatus: {
    type: "TRACE",
    trace: {
      type: "STREAM_STATUS",
      emitted_at: 1,
      stream_status: {
        stream_descriptor: { name: "users", namespace: null },
        status: "INCOMPLETE",
        reasons: [{ type: "RATE_LIMITED", rate_limited: { quota_reset: 123 } }],
      },
    },
  },
  traceAnalytics: {
    type: "TRACE",
    trace: { type: "ANALYTICS", emitted_at: 1, analytics: { type: "cursor-indexed", value: "2" } },
  },
  control: {
    type: "CONTROL",
    control: {
      type: "CONNECTOR_CONFIG",
      emitted_at: 1,
      connectorConfig: { config: { refresh_token: "new", nested: { a: 1 } } },
    },
  },
  destinationCatalog: {
    type: "DESTINATION_CATALOG",
    destination_catalog: {
      operations: [{
        object_name: "contacts",
        sync_mode: "update",
        json_schema: {},
        matching_keys: [["email"]],
      }],
    },
  },
};

for (const [name, sample] of Object.entries(SAMPLES)) {
  Deno.test(`parseMessageLine parses a ${name} message and keeps its unknown keys byte for byte`, () => {
    const line = JSON.stringify(sample);
    const outcome = parseMessageLine(line);
    assert.ok(outcome.ok, outcome.ok ? "" : `${outcome.reason}: ${outcome.detail}`);
    assert.equal(JSON.stringify(outcome.message), line);
  });

  Deno.test(`AirbyteMessageSchema accepts a ${name} message and keeps its unknown keys`, () => {
    const result = AirbyteMessageSchema.safeParse(sample);
    assert.ok(result.success, result.success ? "" : result.error.message);
    assert.deepEqual(result.data, sample);
  });
}

Deno.test("AIRBYTE_MESSAGE_TYPES covers every sample type and the schema's union", () => {
  const sampleTypes = new Set(Object.values(SAMPLES).map((s) => (s as { type: string }).type));
  assert.deepEqual([...sampleTypes].sort(), [...AIRBYTE_MESSAGE_TYPES].sort());
  assert.ok(AIRBYTE_MESSAGE_TYPES.every(isAirbyteMessageType));
});

Deno.test("parseAirbyteMessage returns the very input object", () => {
  const input = structuredClone(SAMPLES.globalState);
  const result = parseAirbyteMessage(input);
  assert.ok(result.success);
  assert.equal(result.message, input);
});

Deno.test("parseAirbyteMessage names the path of each problem", () => {
  const result = parseAirbyteMessage({ type: "CONNECTION_STATUS", connectionStatus: { status: "OK" } });
  assert.ok(!result.success);
  assert.match(result.issues, /connectionStatus\.status/);
});

Deno.test("AirbyteMessageSchema rejects values outside the protocol's enums", () => {
  const bad = [
    { type: "STATE", state: { type: "PER_STREAM", data: {} } },
    { type: "LOG", log: { level: "VERBOSE", message: "x" } },
    { type: "TRACE", trace: { type: "ERROR", emitted_at: 1, error: { message: "x", failure_type: "oops" } } },
    {
      type: "TRACE",
      trace: {
        type: "STREAM_STATUS",
        emitted_at: 1,
        stream_status: { stream_descriptor: { name: "s" }, status: "DONE" },
      },
    },
    {
      type: "CATALOG",
      catalog: { streams: [{ name: "s", json_schema: {}, supported_sync_modes: ["sometimes"] }] },
    },
    { type: "record", record: { stream: "s", data: {}, emitted_at: 1 } },
  ];
  for (const message of bad) {
    assert.equal(AirbyteMessageSchema.safeParse(message).success, false, JSON.stringify(message));
  }
});

Deno.test("AirbyteMessageSchema requires each type's body field", () => {
  for (const type of AIRBYTE_MESSAGE_TYPES) {
    assert.equal(AirbyteMessageSchema.safeParse({ type }).success, false, type);
  }
});

Deno.test("AirbyteStateMessageSchema accepts nulls where connectors send them", () => {
  const state = {
    type: "STREAM",
    stream: { stream_descriptor: { name: "users", namespace: null }, stream_state: null },
    data: null,
    sourceStats: null,
  };
  assert.ok(AirbyteStateMessageSchema.safeParse(state).success);
});
