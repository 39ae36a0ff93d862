import assert from "node:assert/strict";
import {
  excerptOf,
  isLikelyJsonLine,
  parseMessageLine,
  type ParseOutcome,
} from "../../src/protocol/message_parser.ts";
import { registerSecret } from "../../src/secrets.ts";

function failureOf(outcome: ParseOutcome) {
  assert.ok(!outcome.ok, "expected a failure");
  return outcome;
}

const RECORD = '{"type":"RECORD","record":{"stream":"users","data":{"id":1},"emitted_at":1700000000000}}';

Deno.test("parseMessageLine returns a RECORD as parsed, without copying", () => {
  const outcome = parseMessageLine(RECORD);
  assert.ok(outcome.ok);
  assert.equal(outcome.message.type, "RECORD");
  assert.equal(JSON.stringify(outcome.message), RECORD);
});

Deno.test("parseMessageLine accepts surrounding whitespace and a null namespace", () => {
  const line = '  {"type":"RECORD","record":{"stream":"s","namespace":null,"data":{},"emitted_at":1}}  ';
  assert.ok(parseMessageLine(line).ok);
});

Deno.test("parseMessageLine calls a Python traceback not_json", () => {
  for (
    const line of [
      "Traceback (most recent call last):",
      '  File "main.py", line 3, in <module>',
      "",
      "INFO hi",
    ]
  ) {
    const failure = failureOf(parseMessageLine(line));
    assert.equal(failure.reason, "not_json", line);
    assert.match(failure.detail, /Cannot parse the line as JSON/);
  }
});

Deno.test("parseMessageLine calls truncated JSON not_json", () => {
  const failure = failureOf(parseMessageLine(RECORD.slice(0, 40)));
  assert.equal(failure.reason, "not_json");
  assert.equal(failure.excerpt, RECORD.slice(0, 40));
});

Deno.test("parseMessageLine calls JSON without a known type not_airbyte", () => {
  const cases: [string, RegExp][] = [
    ['{"level":"info","msg":"hello"}', /type is missing/],
    ['{"type":"record","record":{}}', /type is '"record"'/],
    ['{"type":"FOO"}', /type is '"FOO"'/],
    ['{"type":42}', /type is '42'/],
    ["[1,2,3]", /not an object/],
    ["42", /not an object/],
    ['"RECORD"', /not an object/],
    ["null", /not an object/],
  ];
  for (const [line, detail] of cases) {
    const failure = failureOf(parseMessageLine(line));
    assert.equal(failure.reason, "not_airbyte", line);
    assert.match(failure.detail, detail, line);
  }
});

Deno.test("parseMessageLine calls a malformed RECORD invalid and says what is wrong", () => {
  const cases: [unknown, RegExp][] = [
    [{ type: "RECORD" }, /record: expected an object/],
    [{ type: "RECORD", record: [] }, /record: expected an object/],
    [{ type: "RECORD", record: { data: {}, emitted_at: 1 } }, /record\.stream/],
    [{ type: "RECORD", record: { stream: "s", emitted_at: 1 } }, /record\.data/],
    [{ type: "RECORD", record: { stream: "s", data: [1], emitted_at: 1 } }, /record\.data/],
    [{ type: "RECORD", record: { stream: "s", data: null, emitted_at: 1 } }, /record\.data/],
    [{ type: "RECORD", record: { stream: "s", data: {} } }, /record\.emitted_at/],
    [{ type: "RECORD", record: { stream: "s", data: {}, emitted_at: "1" } }, /record\.emitted_at/],
    [{ type: "RECORD", record: { stream: "s", data: {}, emitted_at: 1, namespace: 5 } }, /record\.namespace/],
    [
      {
        type: "RECORD",
        record: { stream: "s", data: {}, emitted_at: 1, meta: { changes: [{ field: "x" }] } },
      },
      /record\.meta\.changes\.0/,
    ],
  ];
  for (const [message, detail] of cases) {
    const failure = failureOf(parseMessageLine(JSON.stringify(message)));
    assert.equal(failure.reason, "invalid", JSON.stringify(message));
    assert.match(failure.detail, /^Invalid RECORD message: /);
    assert.match(failure.detail, detail, JSON.stringify(message));
  }
});

Deno.test("parseMessageLine validates a RECORD's meta with the schema", () => {
  const meta = { changes: [{ field: "bio", change: "NULLED", reason: "SOURCE_SERIALIZATION_ERROR" }] };
  const line = JSON.stringify({ type: "RECORD", record: { stream: "s", data: {}, emitted_at: 1, meta } });
  assert.ok(parseMessageLine(line).ok);
});

Deno.test("parseMessageLine calls other malformed messages invalid with the failing path", () => {
  const failure = failureOf(
    parseMessageLine('{"type":"STATE","state":{"type":"STREAM","stream":{"stream_state":{}}}}'),
  );
  assert.equal(failure.reason, "invalid");
  assert.match(failure.detail, /^Invalid STATE message: state\.stream\.stream_descriptor/);
  const trace = failureOf(
    parseMessageLine('{"type":"TRACE","trace":{"type":"ERROR","error":{"message":"x"}}}'),
  );
  assert.match(trace.detail, /trace\.emitted_at/);
});

Deno.test("parseMessageLine cuts excerpts to about 200 characters", () => {
  const line = "not json " + "z".repeat(5000);
  const failure = failureOf(parseMessageLine(line));
  assert.equal(failure.excerpt.length, 201);
  assert.ok(failure.excerpt.endsWith("…"));
  assert.ok(line.startsWith(failure.excerpt.slice(0, 200)));
});

Deno.test("parseMessageLine masks registered secrets in the excerpt and detail", () => {
  registerSecret("s3cr3t-token-value");
  const failure = failureOf(parseMessageLine("s3cr3t-token-value is not JSON"));
  assert.ok(!failure.excerpt.includes("s3cr3t-token-value"));
  assert.ok(!failure.detail.includes("s3cr3t-token-value"));
  assert.match(failure.excerpt, /\*\*\*\*/);
});

Deno.test("excerptOf leaves short text whole", () => {
  assert.equal(excerptOf("short"), "short");
  assert.equal(excerptOf("x".repeat(200)), "x".repeat(200));
});

Deno.test("isLikelyJsonLine spots object lines only", () => {
  assert.equal(isLikelyJsonLine('{"type":"LOG"}'), true);
  assert.equal(isLikelyJsonLine(' \t{"a":1}'), true);
  assert.equal(isLikelyJsonLine("[1]"), false);
  assert.equal(isLikelyJsonLine(""), false);
  assert.equal(isLikelyJsonLine("   "), false);
  assert.equal(isLikelyJsonLine("Traceback"), false);
});
