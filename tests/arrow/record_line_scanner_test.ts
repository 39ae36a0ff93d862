/**
 * RecordLineScanner is a fast path: it writes a RECORD line's values straight into an
 * ArrowBatchBuilder, or declines the line and leaves the builder untouched. Its whole contract is
 * "same batches as the general path", so almost every test here is differential: two builders
 * with the same columns, syncId and idPrefix, one fed by the general path alone (the reference),
 * the other through `scanner.add(line) ?? generalPath(line)`, then their Arrow batches compared
 * cell by cell.
 *
 * The general path is what a read does with a line today: `parseMessageLine` (JSON.parse plus the
 * RECORD shape checks: object `record`, string `stream`, object `data`, number `emitted_at`),
 * then `builder.add(record.data, record.emitted_at)` for a stream that has a builder.
 *
 * @module
 */
import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { ArrowBatchBuilder } from "../../src/arrow/arrow_batch_builder.ts";
import { RecordLineScanner } from "../../src/arrow/record_line_scanner.ts";
import {
  AIRBYTE_EXTRACTED_AT_COLUMN,
  AIRBYTE_META_COLUMN,
  AIRBYTE_RAW_ID_COLUMN,
  toStreamColumns,
} from "../../src/arrow/stream_columns.ts";
import { parseMessageLine } from "../../src/protocol/message_parser.ts";
import { EVERY_TYPE } from "./_schemas.ts";

// ---------------------------------------------------------------------------------------------
// Schemas

// A stream using every Airbyte type, plus property names that need normalizing or escaping.
const USERS = {
  type: "object",
  properties: {
    ...EVERY_TYPE.properties,
    maybe_id: { type: ["null", "integer"] },
    "Display Name": { type: "string" },
    "café": { type: "string" },
    either: { type: ["string", "integer"] },
  },
};

// A second stream, to check that lines go to their own stream's builder.
const EVENTS = {
  type: "object",
  properties: { id: { type: "integer" }, kind: { type: "string" }, payload: {} },
};

const SCHEMAS: Record<string, object> = { users: USERS, events: EVENTS };

const EMITTED_AT = 1700000000000;

// ---------------------------------------------------------------------------------------------
// The differential harness

/** The general path: what the read loop does with a line the scanner declined. */
function generalAdd(line: string, builders: Map<string, ArrowBatchBuilder>): string | undefined {
  const outcome = parseMessageLine(line);
  if (!outcome.ok || outcome.message.type !== "RECORD") return undefined;
  const { stream, data, emitted_at } = outcome.message.record;
  const builder = builders.get(stream);
  if (builder === undefined) return undefined;
  builder.add(data as Record<string, unknown>, emitted_at);
  return stream;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/**
 * One cell as a comparable primitive, read from the raw Arrow buffers (not `Vector.get`, which
 * rounds timestamps to milliseconds): text as the exact string its UTF-8 decodes to, int64-backed
 * types (BIGINT, TIMESTAMP, TIME) and DECIMAL as bigints, DATE as days, DOUBLE as a number, a
 * dictionary-encoded cell as its value.
 */
function cell(vector: arrow.Vector, row: number): unknown {
  let data: arrow.Data | undefined;
  let i = row;
  for (const chunk of vector.data) {
    if (i < chunk.length) {
      data = chunk;
      break;
    }
    i -= chunk.length;
  }
  if (data === undefined) throw new Error(`row ${row} is past the column's end`);
  if (!data.getValid(i)) return null;
  const j = data.offset + i;
  const type = data.type as arrow.DataType;
  const values = data.values as ArrayBufferView & { [k: number]: number };
  // A dictionary-encoded column (such as `_airbyte_meta`) compares by the value its index points at.
  if (arrow.DataType.isDictionary(type)) return cell(data.dictionary!, values[j]);
  const view = new DataView(values.buffer, values.byteOffset, values.byteLength);
  if (arrow.DataType.isUtf8(type)) {
    const offsets = data.valueOffsets as Int32Array;
    const bytes = (data.values as Uint8Array).subarray(offsets[j], offsets[j + 1]);
    try {
      return utf8.decode(bytes);
    } catch {
      return `<invalid UTF-8: ${hex(bytes)}>`;
    }
  }
  if (arrow.DataType.isBool(type)) return ((values[j >> 3] >> (j & 7)) & 1) === 1;
  if (arrow.DataType.isFloat(type)) return view.getFloat64(j * 8, true);
  if (arrow.DataType.isDate(type)) return view.getInt32(j * 4, true);
  if (arrow.DataType.isDecimal(type)) {
    return (view.getBigInt64(j * 16 + 8, true) << 64n) | view.getBigUint64(j * 16, true);
  }
  return view.getBigInt64(j * 8, true); // Int64, Timestamp(µs), Time64(µs)
}

function show(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : String(value);
  return JSON.stringify(value) ?? String(value);
}

// A JSON column may hold the source's own text (compacted) on the fast path, so its cells are
// compared as JSON values. -0 and 0 are the same JSON number written two ways.
function parseJsonCell(text: string): unknown {
  return JSON.parse(text, (_key, v) => Object.is(v, -0) ? 0 : v);
}

/** True when JSON text has no whitespace outside its strings. */
function isCompact(text: string): boolean {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === " " || c === "\t" || c === "\n" || c === "\r") return false;
  }
  return true;
}

function sameCell(fast: unknown, ref: unknown, loose: boolean): boolean {
  if (loose && typeof fast === "string" && typeof ref === "string" && fast !== ref) {
    // The source's text is fine, but compacted: the general path never stores JSON with spaces.
    if (!isCompact(fast)) return false;
    try {
      assert.deepStrictEqual(parseJsonCell(fast), parseJsonCell(ref));
      return true;
    } catch {
      return false;
    }
  }
  return Object.is(fast, ref);
}

interface Side {
  builders: Map<string, ArrowBatchBuilder>;
}

/**
 * Two sides fed the same lines. `feed` checks each line as it goes (a declined line leaves the
 * fast builders as they were; an accepted one is a line the general path also adds, to the same
 * stream); `check` finishes both sides' batches and compares them.
 */
class Differential {
  readonly ref: Side = { builders: new Map() };
  readonly fast: Side = { builders: new Map() };
  readonly scanner: RecordLineScanner;
  /** Per stream, the data columns whose kind is `json` (compared as JSON values). */
  readonly #jsonColumns = new Map<string, Set<string>>();
  /** Per stream, the line behind each row of the current batch (for messages). */
  readonly #rowLines = new Map<string, string[]>();
  readonly problems: string[] = [];

  constructor(schemas: Record<string, object> = SCHEMAS, options: { batchRows?: number } = {}) {
    for (const [stream, schema] of Object.entries(schemas)) {
      const columns = toStreamColumns(schema);
      // A small first allocation, so rows the scanner writes also cross the builders' buffer growth.
      const builderOptions = {
        syncId: 7,
        idTime: 7,
        idSeed: stream.length,
        batchRows: options.batchRows ?? 16,
      };
      this.ref.builders.set(stream, new ArrowBatchBuilder(columns, builderOptions));
      this.fast.builders.set(stream, new ArrowBatchBuilder(columns, builderOptions));
      const json = columns.filter((c) => c.kind === "json" && !c.name.startsWith("_airbyte_"));
      this.#jsonColumns.set(stream, new Set(json.map((c) => c.name)));
      this.#rowLines.set(stream, []);
    }
    this.scanner = new RecordLineScanner((stream) => this.fast.builders.get(stream));
  }

  /** Feeds one line to both sides; returns what `scanner.add` returned. */
  feed(line: string): string | undefined {
    const before = new Map([...this.fast.builders].map(([s, b]) => [s, b.rowCount]));
    let taken: string | undefined;
    try {
      taken = this.scanner.add(line);
    } catch (error) {
      this.problems.push(`scanner.add threw ${error} on ${line}`);
      return undefined;
    }
    const refStream = generalAdd(line, this.ref.builders);
    if (refStream !== undefined) this.#rowLines.get(refStream)!.push(line);
    if (taken === undefined) {
      for (const [stream, builder] of this.fast.builders) {
        if (builder.rowCount !== before.get(stream)) {
          this.problems.push(
            `declined, yet ${stream}.rowCount went ${before.get(stream)} -> ${builder.rowCount}: ${line}`,
          );
        }
      }
      generalAdd(line, this.fast.builders);
    } else {
      if (taken !== refStream) {
        this.problems.push(
          `scanner added the line to ${show(taken)}, the general path to ${show(refStream)}: ${line}`,
        );
      }
      for (const [stream, builder] of this.fast.builders) {
        const grew = builder.rowCount - before.get(stream)!;
        if (grew !== (stream === taken ? 1 : 0)) {
          this.problems.push(`scanner returned ${show(taken)}, yet ${stream} grew by ${grew} rows: ${line}`);
        }
      }
    }
    return taken;
  }

  /** Finishes the current batch on both sides and compares them; returns the new problems. */
  check(): string[] {
    const found: string[] = [];
    for (const [stream, refBuilder] of this.ref.builders) {
      const lines = this.#rowLines.get(stream)!;
      const ref = arrow.tableFromIPC(refBuilder.finish());
      const fast = arrow.tableFromIPC(this.fast.builders.get(stream)!.finish());
      this.#rowLines.set(stream, []);
      assert.deepEqual(
        fast.schema.fields.map((f) => `${f.name}: ${f.type}`),
        ref.schema.fields.map((f) => `${f.name}: ${f.type}`),
      );
      if (fast.numRows !== ref.numRows) {
        found.push(`${stream}: ${fast.numRows} rows on the fast path, ${ref.numRows} on the general path`);
        continue;
      }
      // The builder's own columns are compared like the data columns, byte for byte.
      for (const name of [AIRBYTE_RAW_ID_COLUMN, AIRBYTE_EXTRACTED_AT_COLUMN, AIRBYTE_META_COLUMN]) {
        assert.ok(ref.getChild(name), `${stream} has ${name}`);
      }
      const json = this.#jsonColumns.get(stream)!;
      for (const field of ref.schema.fields) {
        const refColumn = ref.getChild(field.name)!;
        const fastColumn = fast.getChild(field.name)!;
        for (let row = 0; row < ref.numRows; row++) {
          const r = cell(refColumn, row);
          const f = cell(fastColumn, row);
          if (!sameCell(f, r, json.has(field.name))) {
            found.push(`${stream}.${field.name}: fast ${show(f)}, expected ${show(r)}; line: ${lines[row]}`);
          }
        }
      }
    }
    this.problems.push(...found);
    return found;
  }
}

/** Runs lines through a fresh Differential and returns what the scanner did with each, and the problems. */
function differential(lines: string[]): { taken: (string | undefined)[]; problems: string[] } {
  const d = new Differential();
  const taken = lines.map((line) => d.feed(line));
  d.check();
  return { taken, problems: d.problems };
}

/**
 * Checks each case on its own, between two plain records (so a case that leaves the builder in a
 * bad state shows in the rows around it), and collects every problem so one run reports them all.
 * `expect`: "taken" asserts the fast path took the line, "declined" that it did not.
 */
function checkCases(
  cases: [label: string, line: string][],
  expect: "taken" | "declined" | "either",
): string[] {
  const problems: string[] = [];
  for (const [label, line] of cases) {
    const { taken, problems: found } = differential([BEFORE, line, AFTER]);
    if (expect === "taken" && taken[1] !== "users") problems.push(`${label}: declined: ${line}`);
    if (expect === "declined" && taken[1] !== undefined) {
      problems.push(`${label}: taken as ${show(taken[1])}, expected declined: ${line}`);
    }
    problems.push(...found.map((p) => `${label}: ${p}`));
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Line builders

/** A compact RECORD line, as orjson / the Airbyte CDK write it; `data` is raw JSON text. */
function compact(data: string, stream = "users", emittedAt: number | string = EMITTED_AT): string {
  return `{"type":"RECORD","record":{"stream":"${stream}","data":${data},"emitted_at":${emittedAt}}}`;
}

/** The same in Python `json.dumps` default style. */
function pythonStyle(data: string, stream = "users"): string {
  return `{"type": "RECORD", "record": {"stream": "${stream}", "data": ${data}, "emitted_at": ${EMITTED_AT}}}`;
}

const BEFORE = compact(`{"id":1,"name":"before","tags":["x"],"seen_at":"2024-01-01T00:00:00Z"}`);
const AFTER = compact(`{"id":2,"name":"after","price":2.5,"address":{"city":"Oslo"}}`);

/**
 * A record with a value of every kind the fast path is meant to take, in compact JSON (big_integer
 * and decimal values are left out: the scanner may leave those to the general path).
 */
const FULL_DATA = `{"id":9007199254740991,"maybe_id":-42,"big":null,` +
  `"price":19.99,"exact":null,"active":true,"name":"Zoë","Display Name":"Ada L.",` +
  `"café":"crème","born":"1990-02-28","seen_at":"2024-03-01T12:34:56.123456Z",` +
  `"local_at":"2024-03-01T12:34:56.5","opens":"09:30:15.25","opens_tz":"09:30:00+02:00",` +
  `"address":{"city":"Montréal","zip":"H2X","geo":[45.5,-73.6]},"tags":["a","b"],` +
  `"anything":{"n":null,"t":true,"deep":[[1,{"x":"y"}],[]]},"either":"text"}`;

/** The same with big_integer and decimal values too. */
const FULL_DATA_WITH_DECIMALS = FULL_DATA.replace(`"big":null`, `"big":"123456789012345678901234567890"`)
  .replace(`"exact":null`, `"exact":"-1234.500000001"`);

// ---------------------------------------------------------------------------------------------
// 1. Differential equality on the common shapes, with the fast path taken

Deno.test("RecordLineScanner takes compact CDK/orjson lines and builds the same batch as the general path", () => {
  const problems = checkCases([
    ["every kind", compact(FULL_DATA)],
    ["only an id", compact(`{"id":1}`)],
    ["empty data", compact(`{}`)],
    [
      "nulls everywhere",
      compact(`{"id":null,"price":null,"name":null,"born":null,"address":null,"anything":null}`),
    ],
    [
      "with namespace",
      `{"type":"RECORD","record":{"namespace":"public","stream":"users","data":{"id":3},"emitted_at":${EMITTED_AT}}}`,
    ],
    [
      "namespace after data",
      `{"type":"RECORD","record":{"stream":"users","data":{"id":3},"namespace":"public","emitted_at":${EMITTED_AT}}}`,
    ],
    [
      "null namespace",
      `{"type":"RECORD","record":{"stream":"users","data":{"id":3},"emitted_at":${EMITTED_AT},"namespace":null}}`,
    ],
    ["emitted_at 0", compact(`{"id":1}`, "users", 0)],
  ], "taken");
  assert.deepEqual(problems, []);
});

Deno.test("RecordLineScanner takes lines in Python json.dumps default style (spaces, ensure_ascii escapes)", () => {
  const problems = checkCases([
    ["spaced", pythonStyle(`{"id": 1, "name": "Ada", "price": 2.5, "active": false}`)],
    [
      "ensure_ascii",
      pythonStyle(`{"id": 2, "name": "Zo\\u00eb \\ud83d\\ude00", "Display Name": "cr\\u00e8me"}`),
    ],
    [
      "spaced nested",
      pythonStyle(`{"address": {"city": "Montr\\u00e9al", "zip": null}, "tags": ["a", "b"]}`),
    ],
    ["spaced every kind", pythonStyle(FULL_DATA.replaceAll('":', '": ').replaceAll(',"', ', "'))],
    ["python floats", pythonStyle(`{"price": 1e-07, "maybe_id": 3}`)],
    ["python big float", pythonStyle(`{"price": 1e+16}`)],
  ], "taken");
  assert.deepEqual(problems, []);
});

Deno.test("RecordLineScanner takes message and record keys in any order", () => {
  const data = `{"id":5,"name":"x"}`;
  const problems = checkCases([
    [
      "type after record",
      `{"record":{"stream":"users","data":${data},"emitted_at":${EMITTED_AT}},"type":"RECORD"}`,
    ],
    [
      "emitted_at first",
      `{"type":"RECORD","record":{"emitted_at":${EMITTED_AT},"stream":"users","data":${data}}}`,
    ],
    ["data last", `{"type":"RECORD","record":{"emitted_at":${EMITTED_AT},"stream":"users","data":${data}}}`],
    [
      "type last",
      `{"record":{"emitted_at":${EMITTED_AT},"stream":"users","data":${data}},"type":"RECORD"}`,
    ],
    ["data keys reversed", compact(`{"name":"x","price":1.5,"id":5}`)],
    ["data keys shuffled", compact(`{"tags":[],"born":"2000-01-01","id":5,"active":true,"name":"y"}`)],
  ], "taken");
  assert.deepEqual(problems, []);
});

// Kept apart from the key-order test above: a scanner that picks the builder by `stream` before it
// reaches `data` has to handle this order separately.
// The scanner needs the stream's columns before it reads `data`; such records take the general
// path (CDK and orjson write `stream` first).
Deno.test("RecordLineScanner leaves records whose stream comes after data to the general path", () => {
  const data = `{"id":5,"name":"x"}`;
  const problems = checkCases([
    ["data first", `{"type":"RECORD","record":{"data":${data},"emitted_at":${EMITTED_AT},"stream":"users"}}`],
    [
      "stream last",
      `{"type":"RECORD","record":{"emitted_at":${EMITTED_AT},"data":${data},"stream":"users"}}`,
    ],
    [
      "stream last, type last",
      `{"record":{"data":${data},"emitted_at":${EMITTED_AT},"stream":"users"},"type":"RECORD"}`,
    ],
  ], "declined");
  assert.deepEqual(problems, []);
});

// Python's json.dumps (ensure_ascii) escapes a non-ASCII property name too. Keys are matched as
// bytes, so such records take the general path, with the same result.
Deno.test("RecordLineScanner leaves property names written with \\u escapes to the general path", () => {
  const problems = checkCases([
    ["ensure_ascii key", pythonStyle(`{"id": 2, "caf\\u00e9": "cr\\u00e8me"}`)],
    ["uppercase hex key", compact(`{"caf\\u00E9":"x"}`)],
  ], "declined");
  assert.deepEqual(problems, []);
});

Deno.test("RecordLineScanner takes every kind's ordinary values", () => {
  const cases: [string, string][] = [
    // integers, negatives, decimals and exponents in number columns
    ["integers", compact(`{"id":0,"maybe_id":-1}`)],
    ["int64 edges", compact(`{"id":-9223372036854775808,"maybe_id":9007199254740991}`)],
    ["int64 large", compact(`{"id":123456789012,"maybe_id":-123456789012}`)],
    ["number decimal", compact(`{"price":-0.5}`)],
    ["number integral", compact(`{"price":42}`)],
    ["number exponent", compact(`{"price":1.5e3}`)],
    ["number EXPONENT", compact(`{"price":-2.5E-7}`)],
    ["number e+", compact(`{"price":6.02e+23}`)],
    ["number full precision", compact(`{"price":0.30000000000000004}`)],
    ["number 17 digits", compact(`{"price":1234567.8901234567}`)],
    ["number tiny", compact(`{"price":5e-324}`)],
    ["number huge", compact(`{"price":1.7976931348623157e308}`)],
    // booleans
    ["true", compact(`{"active":true}`)],
    ["false", compact(`{"active":false}`)],
    // dates and times
    ["date", compact(`{"born":"2024-02-29"}`)],
    ["timestamp Z", compact(`{"seen_at":"2024-03-01T12:34:56Z","local_at":"2024-03-01T12:34:56Z"}`)],
    [
      "timestamp offset",
      compact(`{"seen_at":"2024-03-01T12:34:56+05:30","local_at":"2024-03-01T12:34:56-08:00"}`),
    ],
    ["timestamp fraction 1", compact(`{"seen_at":"2024-03-01T12:34:56.1Z"}`)],
    ["timestamp fraction 3", compact(`{"seen_at":"2024-03-01T12:34:56.123+01:00"}`)],
    [
      "timestamp fraction 6",
      compact(`{"seen_at":"2024-03-01T12:34:56.123456Z","local_at":"2024-03-01T12:34:56.000001"}`),
    ],
    ["timestamp no zone", compact(`{"local_at":"2024-03-01T12:34:56","seen_at":"2024-03-01T12:34:56"}`)],
    ["timestamp before 1970", compact(`{"seen_at":"1969-12-31T23:59:59.999999Z"}`)],
    ["time", compact(`{"opens":"09:30:15"}`)],
    ["time fraction", compact(`{"opens":"23:59:59.999999"}`)],
    ["time with tz text", compact(`{"opens_tz":"09:30:00+02:00"}`)],
    // strings
    ["string plain", compact(`{"name":"Ada Lovelace"}`)],
    ["string empty", compact(`{"name":""}`)],
    ["string escapes", compact(`{"name":"q\\"b\\\\s\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00"}`)],
    ["string raw non-ASCII", compact(`{"name":"Zoë 中文 😀 ß","café":"🎉"}`)],
    ["string raw U+2028", compact(`{"name":"a\u2028b\u2029c"}`)],
    ["string NUL escape", compact(`{"name":"a\\u0000b"}`)],
    ["string uppercase hex", compact(`{"name":"\\u00C9\\uD83D\\uDE00"}`)],
    // json columns
    ["object", compact(`{"address":{"city":"Oslo","n":[1,2,{"k":null}]}}`)],
    ["empty object and array", compact(`{"address":{},"tags":[]}`)],
    ["nested arrays", compact(`{"tags":[["a",["b",[]]],{"c":[1.5,-2e3,true,false,null]}]}`)],
    ["untyped scalar", compact(`{"anything":"text"}`)],
    ["untyped number", compact(`{"anything":7}`)],
    ["untyped bool", compact(`{"anything":false}`)],
    ["union string", compact(`{"either":"x"}`)],
    ["union integer", compact(`{"either":12}`)],
    ["json with escapes", compact(`{"anything":{"q\\"k":"v\\n\\u00e9","s":"\\ud83d\\ude00"}}`)],
    ["json spaced", pythonStyle(`{"anything": {"a": [1, 2, {"b": "c"}], "d": {}}}`)],
  ];
  assert.deepEqual(checkCases(cases, "taken"), []);
});

Deno.test("RecordLineScanner stores a union column's strings as plain text and its numbers as their text, as the general path does", () => {
  // ["string", "integer"] is a text column: "The Land Girls" must not be stored as "\"The Land Girls\"".
  const taken: [string, string][] = [
    ["union string", compact(`{"either":"The Land Girls"}`)],
    ["union escaped string", compact(`{"either":"caf\\u00e9 \\"q\\""}`)],
    ["union integer", compact(`{"either":1917}`)],
    ["union negative integer", compact(`{"either":-12}`)],
    ["union fraction", compact(`{"either":8.25}`)],
    ["union true", compact(`{"either":true}`)],
    ["union false", compact(`{"either":false}`)],
    ["union null", compact(`{"either":null}`)],
  ];
  assert.deepEqual(checkCases(taken, "taken"), []);
  // Spellings String(n) writes otherwise, and objects or arrays, go the general path's way.
  const declined: [string, string][] = [
    ["union 1.50", compact(`{"either":1.50}`)],
    ["union 1e3", compact(`{"either":1e3}`)],
    ["union -0", compact(`{"either":-0}`)],
    ["union past 2**53", compact(`{"either":9007199254740993}`)],
    ["union object", compact(`{"either":{"a":[1,"x"]}}`)],
    ["union array", compact(`{"either":[1,2]}`)],
  ];
  assert.deepEqual(checkCases(declined, "declined"), []);

  // And what both paths store: strings as they are, everything else as its text.
  const lines = [
    compact(`{"either":"The Land Girls"}`),
    compact(`{"either":1917}`),
    compact(`{"either":true}`),
    compact(`{"either":{"a":[1,"x"]}}`),
  ];
  const d = new Differential();
  for (const line of lines) d.feed(line);
  const fast = arrow.tableFromIPC(d.fast.builders.get("users")!.finish());
  const ref = arrow.tableFromIPC(d.ref.builders.get("users")!.finish());
  const expected = ["The Land Girls", "1917", "true", '{"a":[1,"x"]}'];
  assert.deepEqual(fast.getChild("either")!.toArray(), expected);
  assert.deepEqual(ref.getChild("either")!.toArray(), expected);
});

Deno.test("RecordLineScanner writes string columns byte-exact", () => {
  // [JSON text of the value, the string it must become]
  const strings: [string, string][] = [
    [`"q\\"b\\\\s\\/"`, 'q"b\\s/'],
    [`"\\b\\f\\n\\r\\t"`, "\b\f\n\r\t"],
    [`"\\u00e9\\u00E9é"`, "ééé"],
    [`"\\ud83d\\ude00😀"`, "😀😀"],
    [`"Zoë 中文 ß"`, "Zoë 中文 ß"],
    [`"\\u0000\\u001f\\u007f"`, "\u0000\u001f\u007f"],
    [`"a\u2028b"`, "a\u2028b"],
    [`"\\ufeffbom"`, "\ufeffbom"],
    [`""`, ""],
    [`"${"long ".repeat(2000)}"`, "long ".repeat(2000)],
  ];
  const d = new Differential();
  const problems: string[] = [];
  for (const [json, _] of strings) {
    const line = compact(`{"id":1,"name":${json},"Display Name":${json}}`);
    if (d.feed(line) !== "users") problems.push(`declined: ${line}`);
  }
  const table = arrow.tableFromIPC(d.fast.builders.get("users")!.finish());
  strings.forEach(([json, expected], row) => {
    for (const column of ["name", "display_name"]) {
      const got = cell(table.getChild(column)!, row);
      if (got !== expected) {
        problems.push(`${column} from ${json}: got ${show(got)}, expected ${show(expected)}`);
      }
    }
  });
  assert.deepEqual(problems, []);
});

Deno.test("RecordLineScanner stores what the general path stores for lone surrogates", () => {
  // Python's json.dumps writes a lone surrogate as \udXXX; the general path gets a lone surrogate
  // from JSON.parse, which TextEncoder stores as U+FFFD.
  const problems = checkCases([
    ["lone high", compact(`{"name":"a\\ud800b"}`)],
    ["lone low", compact(`{"name":"\\udc00"}`)],
    ["reversed pair", compact(`{"name":"\\ude00\\ud83d"}`)],
    ["lone in json", compact(`{"anything":"\\ud800"}`)],
    ["lone in key", compact(`{"\\ud800":1}`)],
  ], "either");
  assert.deepEqual(problems, []);
});

Deno.test("RecordLineScanner routes each line to its own stream's builder", () => {
  const { taken, problems } = differential([
    compact(`{"id":1,"name":"u1"}`),
    compact(`{"id":10,"kind":"click","payload":{"x":1}}`, "events"),
    compact(`{"id":2,"name":"u2"}`),
    compact(`{"id":11,"kind":"view","payload":[1,2]}`, "events"),
  ]);
  assert.deepEqual(taken, ["users", "events", "users", "events"]);
  assert.deepEqual(problems, []);
});

// ---------------------------------------------------------------------------------------------
// 2. Declines: the line is left to the general path, the builder is untouched

Deno.test("RecordLineScanner declines messages that are not RECORDs", () => {
  const problems = checkCases([
    [
      "STATE",
      `{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"c":1}}}}`,
    ],
    ["LOG", `{"type":"LOG","log":{"level":"INFO","message":"{\\"type\\":\\"RECORD\\",\\"record\\":{}}"}}`],
    ["TRACE", `{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1.0,"error":{"message":"boom"}}}`],
    [
      "STATE with a record key",
      `{"type":"STATE","record":{"stream":"users","data":{"id":1},"emitted_at":1}}`,
    ],
    ["record without type", `{"record":{"stream":"users","data":{"id":1},"emitted_at":1}}`],
    ["type is not a string", `{"type":1,"record":{"stream":"users","data":{"id":1},"emitted_at":1}}`],
    ["lowercase record type", `{"type":"record","record":{"stream":"users","data":{"id":1},"emitted_at":1}}`],
    [
      "duplicate type, STATE last",
      `{"type":"RECORD","record":{"stream":"users","data":{"id":1},"emitted_at":1},"type":"STATE"}`,
    ],
    ["JSON array", `[{"type":"RECORD"}]`],
  ], "declined");
  assert.deepEqual(problems, []);
});

Deno.test("RecordLineScanner declines malformed lines", () => {
  const problems = checkCases([
    ["empty", ``],
    ["blank", `   `],
    ["plain text", `INFO starting sync`],
    ["traceback", `Traceback (most recent call last):`],
    ["open brace", `{`],
    ["BOM", `\ufeff${compact(`{"id":1}`)}`],
    ["unquoted key", compact(`{id:1}`)],
    ["single quotes", compact(`{'id':1}`)],
    ["trailing comma in data", compact(`{"id":1,}`)],
    [
      "trailing comma in record",
      `{"type":"RECORD","record":{"stream":"users","data":{"id":1},"emitted_at":1,}}`,
    ],
    ["missing colon", compact(`{"id" 1}`)],
    ["missing comma", compact(`{"id":1 "name":"x"}`)],
    ["leading zero", compact(`{"id":01}`)],
    ["plus sign", compact(`{"id":+1}`)],
    ["bare dot", compact(`{"price":.5}`)],
    ["dot without digits", compact(`{"price":1.}`)],
    ["empty exponent", compact(`{"price":1e}`)],
    ["lone minus", compact(`{"price":-}`)],
    ["hex number", compact(`{"id":0x10}`)],
    ["NaN literal", compact(`{"price":NaN}`)],
    ["Infinity literal", compact(`{"price":Infinity}`)],
    ["Python True", compact(`{"active":True}`)],
    ["truncated true", compact(`{"active":tru}`)],
    ["nul literal", compact(`{"name":nul}`)],
    ["bad escape", compact(`{"name":"a\\xb"}`)],
    ["short unicode escape", compact(`{"name":"\\u12"}`)],
    ["non-hex unicode escape", compact(`{"name":"\\u12g4"}`)],
    ["raw tab in string", compact(`{"name":"a\tb"}`)],
    ["raw newline in string", compact(`{"name":"a\nb"}`)],
    ["unterminated string", `{"type":"RECORD","record":{"stream":"users","data":{"name":"abc`],
    ["unclosed array", compact(`{"tags":["a","b"}`)],
    ["unclosed object in json", compact(`{"address":{"city":"x"}`)],
    ["mismatched brackets", compact(`{"tags":["a"}}`)],
  ], "declined");
  assert.deepEqual(problems, []);
});

Deno.test("RecordLineScanner declines every truncation of a valid line", () => {
  const problems: string[] = [];
  for (const full of [compact(FULL_DATA), pythonStyle(`{"id": 1, "name": "Zo\\u00eb", "tags": ["a"]}`)]) {
    const d = new Differential();
    for (let length = 0; length < full.length; length++) {
      const prefix = full.slice(0, length);
      if (d.feed(prefix) !== undefined) problems.push(`taken: ${prefix}`);
      // A valid line after each truncated one: a decline must leave nothing behind.
      if (length % 10 === 0) d.feed(BEFORE);
    }
    if (d.feed(full) !== "users") problems.push(`full line declined: ${full}`);
    d.check();
    problems.push(...d.problems);
  }
  assert.deepEqual(problems, []);
});

Deno.test("RecordLineScanner declines records of streams without a builder", () => {
  const problems = checkCases([
    ["unknown stream", compact(`{"id":1}`, "orders")],
    ["stream differing in case", compact(`{"id":1}`, "Users")],
    ["stream with a trailing space", compact(`{"id":1}`, "users ")],
    ["empty stream name", compact(`{"id":1}`, "")],
    [
      "known stream, unknown last",
      `{"type":"RECORD","record":{"stream":"users","data":{"id":1},"emitted_at":1,"stream":"orders"}}`,
    ],
  ], "declined");
  assert.deepEqual(problems, []);
});

Deno.test("RecordLineScanner declines lines with garbage after the closing brace", () => {
  const line = compact(`{"id":1,"name":"x","tags":["a"],"seen_at":"2024-01-01T00:00:00Z"}`);
  const problems = checkCases([
    ["letter", `${line}x`],
    ["extra brace", `${line}}`],
    ["comma", `${line},`],
    ["second object", `${line} {"type":"LOG"}`],
    ["second record", `${line}${line}`],
    ["NUL", `${line}\u0000`],
    ["after whitespace", `${line}  ]`],
  ], "declined");
  assert.deepEqual(problems, []);
});

Deno.test("RecordLineScanner declines RECORDs the message parser rejects", () => {
  // The general path reports these as invalid messages and caches nothing.
  const problems = checkCases([
    ["no emitted_at", `{"type":"RECORD","record":{"stream":"users","data":{"id":1}}}`],
    ["string emitted_at", compact(`{"id":1}`, "users", `"1700000000000"`)],
    ["null emitted_at", compact(`{"id":1}`, "users", "null")],
    ["no data", `{"type":"RECORD","record":{"stream":"users","emitted_at":1}}`],
    ["null data", compact(`null`)],
    ["array data", compact(`[1,2]`)],
    ["string data", compact(`"x"`)],
    ["no stream", `{"type":"RECORD","record":{"data":{"id":1},"emitted_at":1}}`],
    ["numeric stream", `{"type":"RECORD","record":{"stream":1,"data":{"id":1},"emitted_at":1}}`],
    [
      "numeric namespace",
      `{"type":"RECORD","record":{"stream":"users","namespace":5,"data":{"id":1},"emitted_at":1}}`,
    ],
    ["record is an array", `{"type":"RECORD","record":[]}`],
    ["record is null", `{"type":"RECORD","record":null}`],
    ["no record", `{"type":"RECORD"}`],
  ], "declined");
  assert.deepEqual(problems, []);
});

Deno.test("RecordLineScanner leaves the builder consistent when declines come between accepted lines", () => {
  const d = new Differential();
  const lines = [
    compact(FULL_DATA),
    // Declined after strings, JSON and numbers were already seen: nothing of them may stay.
    `${compact(FULL_DATA)}garbage`,
    compact(`{"id":3,"name":"third"}`),
    compact(FULL_DATA).slice(0, -40),
    pythonStyle(`{"id": 4, "name": "Zo\\u00eb"}`),
    compact(FULL_DATA, "orders"),
    `{"type":"STATE","state":{"type":"LEGACY","data":{"c":1}}}`,
    compact(`{"id":5,"name":"fifth","tags":["t"],"anything":{"a":1}}`),
    compact(FULL_DATA.replace(`"either":"text"}`, `"either":"text",}`)),
    compact(FULL_DATA),
  ];
  const taken = lines.map((line) => d.feed(line));
  assert.deepEqual(taken, [
    "users",
    undefined,
    "users",
    undefined,
    "users",
    undefined,
    undefined,
    "users",
    undefined,
    "users",
  ]);
  d.check();
  // And across batches: the next batch starts clean.
  d.feed(`${compact(FULL_DATA)} x`);
  d.feed(compact(`{"id":6}`));
  d.check();
  assert.deepEqual(d.problems, []);
});

// ---------------------------------------------------------------------------------------------
// 3. Values the general path stores with a change, rounds, or reads in its own way. The scanner
//    may handle them or decline them; either way the batch must be the same.

// big_integer and decimal columns are not on the list the fast path must take; whatever it does
// with them, the batch must be the general path's.
Deno.test("RecordLineScanner matches the general path on big_integer and decimal values", () => {
  const cases: [string, string][] = [
    ["every kind with decimals", compact(FULL_DATA_WITH_DECIMALS)],
    ["big_integer text", compact(`{"big":"-98765432109876543210987654321"}`)],
    ["big_integer number", compact(`{"big":42}`)],
    ["big_integer negative zero text", compact(`{"big":"-0"}`)],
    ["big_integer 38 digits", compact(`{"big":"${"9".repeat(38)}"}`)],
    ["decimal text", compact(`{"exact":"3.141592653"}`)],
    ["decimal number", compact(`{"exact":2.5}`)],
    ["decimal integer", compact(`{"exact":-7}`)],
    ["decimal 29 integer digits", compact(`{"exact":"${"9".repeat(29)}.5"}`)],
  ];
  assert.deepEqual(checkCases(cases, "either"), []);
});

Deno.test("RecordLineScanner matches the general path on misfits and rounded values", () => {
  const cases: [string, string][] = [
    // misfits: NULL + NULLED change with the raw value
    ["string in integer", compact(`{"id":"12"}`)],
    ["fraction in integer", compact(`{"id":1.5}`)],
    ["2**70 in integer", compact(`{"id":1180591620717411303424}`)],
    ["2**63-1 in integer (JSON.parse gives 2**63)", compact(`{"id":9223372036854775807}`)],
    ["2**63 in integer", compact(`{"id":9223372036854775808}`)],
    ["-2**63-1 in integer", compact(`{"id":-9223372036854775809}`)],
    ["bool in integer", compact(`{"id":true}`)],
    ["object in integer", compact(`{"id":{"a":[1,"x"]}}`)],
    ["array in integer", compact(`{"maybe_id":[1.50,"x\\u00e9"]}`)],
    ["string in number", compact(`{"price":"12.5"}`)],
    ["number special strings", compact(`{"price":"NaN"}`)],
    ["Infinity string", compact(`{"price":"-Infinity"}`)],
    ["bool in number", compact(`{"price":false}`)],
    ["string in boolean", compact(`{"active":"true"}`)],
    ["number in boolean", compact(`{"active":1}`)],
    ["invalid date", compact(`{"born":"2023-02-29"}`)],
    ["month 13 date", compact(`{"born":"2021-13-45"}`)],
    ["number date", compact(`{"born":20240101}`)],
    ["timestamp as date", compact(`{"born":"2024-01-01T00:00:00Z"}`)],
    ["invalid timestamp", compact(`{"seen_at":"2024-13-45T00:00:00Z"}`)],
    ["hour 24", compact(`{"seen_at":"2021-02-28T24:00:00Z"}`)],
    ["word timestamp", compact(`{"local_at":"yesterday"}`)],
    ["leap second", compact(`{"seen_at":"2016-12-31T23:59:60Z"}`)],
    ["comma fraction", compact(`{"seen_at":"2024-03-01T12:34:56,5Z"}`)],
    ["year 0", compact(`{"seen_at":"0000-01-01T00:00:00Z","born":"0000-01-01"}`)],
    ["offset -00:00", compact(`{"seen_at":"2024-03-01T12:34:56-00:00"}`)],
    ["offset 24:00", compact(`{"seen_at":"2024-03-01T12:34:56+24:00"}`)],
    ["offset without colon", compact(`{"local_at":"2024-03-01T12:34:56+0530"}`)],
    ["date-only timestamp", compact(`{"seen_at":"2024-03-01"}`)],
    ["RFC 2822 timestamp", compact(`{"seen_at":"Tue, 01 Nov 2022 10:00:00 GMT"}`)],
    ["BC timestamp", compact(`{"seen_at":"0044-03-15T12:00:00Z BC","born":"0044-03-15 BC"}`)],
    ["five-digit year", compact(`{"seen_at":"12024-03-01T00:00:00Z","born":"12024-03-01"}`)],
    ["dot without fraction", compact(`{"seen_at":"2024-03-01T12:34:56.Z"}`)],
    ["number timestamp", compact(`{"seen_at":1700000000}`)],
    ["time 25h", compact(`{"opens":"25:00:00"}`)],
    ["time with zone", compact(`{"opens":"10:00:00Z"}`)],
    ["big_integer fraction", compact(`{"big":"12.5"}`)],
    ["big_integer 39 digits", compact(`{"big":"${"9".repeat(39)}"}`)],
    ["big_integer bool", compact(`{"big":true}`)],
    ["decimal beyond 38 digits", compact(`{"exact":"1e40"}`)],
    ["decimal word", compact(`{"exact":"abc"}`)],
    // rounded: kept with a TRUNCATED change
    ["7 fractional digits", compact(`{"seen_at":"2024-03-01T12:34:56.1234567Z"}`)],
    ["9 fractional digits", compact(`{"local_at":"2024-03-01T12:34:56.123456789"}`)],
    ["trailing zero digits", compact(`{"seen_at":"2024-03-01T12:34:56.1234560Z"}`)],
    ["time 7 digits", compact(`{"opens":"00:00:00.1234567"}`)],
    ["decimal past scale", compact(`{"exact":"1.0000000001"}`)],
    // several changes in one record, in key order
    ["many misfits", compact(`{"active":"no","id":"x","born":"nope","price":"1","opens":"x"}`)],
  ];
  assert.deepEqual(checkCases(cases, "either"), []);
});

Deno.test("RecordLineScanner matches the general path on numbers JSON.parse rounds or rewrites", () => {
  const cases: [string, string][] = [
    ["integer past 2**53", compact(`{"id":9007199254740993}`)],
    ["integer 1.0", compact(`{"id":1.0}`)],
    ["integer 1e2", compact(`{"id":1e2}`)],
    ["integer 1E+2", compact(`{"id":1E+2}`)],
    ["integer -0", compact(`{"id":-0}`)],
    ["integer -12.000", compact(`{"maybe_id":-12.000}`)],
    ["integer 1e400", compact(`{"id":1e400}`)],
    ["integer 123e-2", compact(`{"id":123e-2}`)],
    ["integer 1e18", compact(`{"id":1e18}`)],
    ["integer 1.5e1", compact(`{"id":1.5e1}`)],
    ["integer 15e-1", compact(`{"id":15e-1}`)],
    ["integer 100e-2", compact(`{"id":100e-2}`)],
    ["integer 0.1e1", compact(`{"id":0.1e1}`)],
    // Near 2**63, JSON.parse rounds to a double either below 2**63 (fits) or to 2**63 (misfit).
    ["integer 9223372036854775295", compact(`{"id":9223372036854775295}`)],
    ["integer 9223372036854775296", compact(`{"id":9223372036854775296}`)],
    ["integer -9223372036854776832", compact(`{"id":-9223372036854776832}`)],
    ["integer -9223372036854776833", compact(`{"id":-9223372036854776833}`)],
    ["number -0", compact(`{"price":-0}`)],
    ["number -0.0", compact(`{"price":-0.0}`)],
    ["number 1e400", compact(`{"price":1e400}`)],
    ["number -1e400", compact(`{"price":-1e400}`)],
    ["number 1e-400", compact(`{"price":1e-400}`)],
    ["number many digits", compact(`{"price":3.14159265358979323846264338327950288}`)],
    ["number 30 digits", compact(`{"price":123456789012345678901234567890}`)],
    ["number subnormal edge", compact(`{"price":2.2250738585072011e-308}`)],
    ["number halfway", compact(`{"price":9007199254740993}`)],
    ["number past max", compact(`{"price":-1.7976931348623159e308}`)],
    ["number below min subnormal", compact(`{"price":2.4703282292062327e-324}`)],
    ["number rounding to min subnormal", compact(`{"price":2.4703282292062328e-324}`)],
    ["number 1E5", compact(`{"price":1E5}`)],
    ["number many fraction digits", compact(`{"price":0.1000000000000000055511151231257827}`)],
    ["number long zeros", compact(`{"price":0.000000000000000000000000000001}`)],
    ["big_integer number past 2**53", compact(`{"big":12345678901234567890123}`)],
    ["big_integer 1.0", compact(`{"big":1.0}`)],
    ["big_integer 1e3", compact(`{"big":1e3}`)],
    ["big_integer padded text", compact(`{"big":" 42 "}`)],
    ["decimal 0.1", compact(`{"exact":0.1}`)],
    ["decimal 1e-10", compact(`{"exact":1e-10}`)],
    ["decimal 1.50", compact(`{"exact":1.50}`)],
    ["number in string", compact(`{"name":1.50}`)],
    ["exponent in string", compact(`{"name":1e2}`)],
    ["-0 in string", compact(`{"name":-0}`)],
    ["big number in string", compact(`{"name":12345678901234567890}`)],
    ["1e400 in string", compact(`{"name":1e400}`)],
    ["tiny in string", compact(`{"Display Name":1e-7}`)],
    ["bool in string", compact(`{"name":true}`)],
    ["object in string", compact(`{"name":{"b":1,"a":[1.0,"\\u00e9"]}}`)],
    ["array in string", compact(`{"café":[1, 2, "x"]}`)],
    ["number in time_with_timezone", compact(`{"opens_tz":930}`)],
    ["1e400 in json", compact(`{"anything":1e400}`)],
    ["1e400 nested in json", compact(`{"address":{"n":[1e400]}}`)],
    ["1.0 in json", compact(`{"anything":1.0}`)],
    ["big integer in json", compact(`{"tags":[12345678901234567890]}`)],
    ["integer keys in json", compact(`{"address":{"b":1,"2":2,"1":1}}`)],
  ];
  assert.deepEqual(checkCases(cases, "either"), []);
});

Deno.test("RecordLineScanner matches the general path on odd keys, duplicates and whitespace", () => {
  const cases: [string, string][] = [
    // properties the schema lacks go to _airbyte_meta.extra
    ["extra property", compact(`{"id":1,"color":"red"}`)],
    ["extra nested", compact(`{"surprise":{"deep":[1,2.50]},"id":1}`)],
    ["extra __proto__", compact(`{"id":1,"__proto__":"kept","constructor":5}`)],
    ["extra null", compact(`{"id":1,"gone":null}`)],
    ["extra with misfit", compact(`{"id":"x","color":"red"}`)],
    ["column name, not property", compact(`{"display_name":"x"}`)],
    // duplicate keys: JSON.parse keeps the last value at the first key's place
    ["duplicate data key", compact(`{"id":1,"name":"a","id":2}`)],
    ["duplicate key, misfit last", compact(`{"id":1,"id":"x"}`)],
    ["duplicate key, misfit first", compact(`{"id":"x","id":1}`)],
    ["duplicate key, null last", compact(`{"name":"a","name":null}`)],
    ["duplicate extra key", compact(`{"zz":1,"zz":2}`)],
    [
      "duplicate data",
      `{"type":"RECORD","record":{"stream":"users","data":{"id":1},"emitted_at":1,"data":{"id":2}}}`,
    ],
    [
      "duplicate emitted_at",
      `{"type":"RECORD","record":{"stream":"users","data":{"id":1},"emitted_at":1,"emitted_at":2}}`,
    ],
    [
      "duplicate stream, same",
      `{"type":"RECORD","record":{"stream":"users","stream":"users","data":{"id":1},"emitted_at":1}}`,
    ],
    [
      "duplicate stream to events",
      `{"type":"RECORD","record":{"stream":"users","data":{"id":1},"emitted_at":1,"stream":"events"}}`,
    ],
    [
      "duplicate record",
      `{"type":"RECORD","record":{"stream":"orders","data":{},"emitted_at":1},"record":{"stream":"users","data":{"id":1},"emitted_at":1}}`,
    ],
    [
      "duplicate type, RECORD last",
      `{"type":"STATE","record":{"stream":"users","data":{"id":1},"emitted_at":1},"type":"RECORD"}`,
    ],
    // escaped keys and values in the envelope
    ["escaped data key", compact(`{"n\\u0061me":"x","caf\\u00e9":"y"}`)],
    ["escaped stream", `{"type":"RECORD","record":{"stream":"us\\u0065rs","data":{"id":1},"emitted_at":1}}`],
    [
      "escaped envelope keys",
      `{"\\u0074ype":"RECORD","rec\\u006frd":{"str\\u0065am":"users","d\\u0061ta":{"id":1},"emitted_\\u0061t":1}}`,
    ],
    [
      "escaped type value",
      `{"type":"RECO\\u0052D","record":{"stream":"users","data":{"id":1},"emitted_at":1}}`,
    ],
    ["escaped date", compact(`{"born":"2024\\u002d01-01","seen_at":"2024-01-01T00:00:00\\u005a"}`)],
    ["escaped slash in key", compact(`{"a\\/b":1}`)],
    // extra envelope keys
    [
      "record meta",
      `{"type":"RECORD","record":{"stream":"users","data":{"id":1},"emitted_at":1,"meta":{"changes":[]}}}`,
    ],
    [
      "record meta null",
      `{"type":"RECORD","record":{"stream":"users","data":{"id":1},"emitted_at":1,"meta":null}}`,
    ],
    [
      "top-level extra key",
      `{"type":"RECORD","record":{"stream":"users","data":{"id":1},"emitted_at":1},"x":[1,{}]}`,
    ],
    [
      "record extra key",
      `{"type":"RECORD","record":{"stream":"users","data":{"id":1},"emitted_at":1,"x":{"y":"}"}}}`,
    ],
    // emitted_at shapes
    ["fractional emitted_at", compact(`{"id":1}`, "users", "1700000000000.5")],
    ["exponent emitted_at", compact(`{"id":1}`, "users", "1.7e12")],
    ["negative emitted_at", compact(`{"id":1}`, "users", "-1000")],
    ["emitted_at 1e400", compact(`{"id":1}`, "users", "1e400")],
    // whitespace where JSON allows it
    ["leading spaces", `  ${compact(`{"id":1}`)}`],
    ["trailing spaces", `${compact(`{"id":1}`)}   `],
    ["trailing CR", `${compact(`{"id":1}`)}\r`],
    [
      "tabs and newlines",
      `{\t"type" :\n"RECORD" ,\r"record":{ "stream" : "users" , "data" : { "id" : 1 , "tags" : [ 1 , 2 ] } , "emitted_at" : 1 } }`,
    ],
    ["space before colon in data", compact(`{"id" : 1, "name" :"x"}`)],
    // big and deep values
    ["deep json", compact(`{"anything":${"[".repeat(200)}1${"]".repeat(200)}}`)],
    ["deep object", compact(`{"address":${'{"a":'.repeat(100)}null${"}".repeat(100)}}`)],
    [
      "long json",
      compact(`{"tags":[${Array.from({ length: 20_000 }, (_, i) => `"t${i}\\u00e9"`).join(", ")}]}`),
    ],
    ["long string", compact(`{"name":"${"x\\n".repeat(50_000)}"}`)],
    ["many extras", compact(`{${Array.from({ length: 300 }, (_, i) => `"k${i}":${i}`).join(",")}}`)],
  ];
  assert.deepEqual(checkCases(cases, "either"), []);
});

// ---------------------------------------------------------------------------------------------
// 4. Randomized differential fuzz

/** mulberry32: a small seeded PRNG, so every run sees the same lines. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** JSON text written verbatim (numbers as a source may write them). */
class Raw {
  constructor(readonly text: string) {}
}
/** As a record's `emitted_at`: leave the key out. */
const OMIT = new Raw("");
/** An object whose entries are written in this order, duplicates included. */
class Entries {
  constructor(readonly entries: [string, Json][]) {}
}
type Json = null | boolean | number | string | Raw | Entries | Json[] | { [key: string]: Json };

/** How a line is written: compact (orjson/CDK) or Python json.dumps, and how strings are escaped. */
interface Style {
  comma: string;
  colon: string;
  /** ensure_ascii: everything outside ' '..'~' as \uXXXX. */
  ascii: boolean;
  /** Chance of writing any one character as \uXXXX anyway. */
  escapeRate: number;
  /** Write object keys in a random order. */
  shuffle: boolean;
  /** Write keys with only the escapes JSON requires. */
  plainKeys: boolean;
}

class Fuzzer {
  readonly random: () => number;
  /**
   * Plain records hold only the shapes the fast path is meant for (no misfits, rounding, extras,
   * duplicates or lone surrogates; no big_integer, decimal or time values; no \u escapes but
   * ensure_ascii's, and none in keys; stream before data), so it must take them all.
   */
  plain = false;
  constructor(seed: number) {
    this.random = prng(seed);
  }

  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  shuffled<T>(items: T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  // Characters that stress the string paths: escapes, controls, multi-byte, pairs, separators.
  static readonly CHARS = [
    ..."abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 ,:{}[]",
    '"',
    "\\",
    "/",
    "\n",
    "\t",
    "\r",
    "\b",
    "\f",
    "\u0000",
    "\u0001",
    "\u001f",
    "\u007f",
    "é",
    "ß",
    "中",
    "😀",
    "🎉",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\uffff",
  ];

  text(max = 12): string {
    let s = "";
    const length = this.int(max + 1);
    for (let i = 0; i < length; i++) s += this.pick(Fuzzer.CHARS);
    if (!this.plain && this.chance(0.01)) s += this.pick(["\ud800", "\udfff"]); // lone surrogate (escaped when written)
    return s;
  }

  double(): number {
    switch (this.int(5)) {
      case 0:
        return this.int(1000) - 500;
      case 1:
        return Math.round((this.random() - 0.5) * 1e6) / 100;
      case 2:
        return (this.random() - 0.5) * 10 ** (this.int(40) - 20);
      case 3:
        return (this.random() - 0.5) * 2 ** this.int(80);
      default:
        return this.random();
    }
  }

  /** Number text a source might write for about the same value. */
  numberText(): Raw {
    return new Raw(this.pick([
      "0",
      "-0",
      "-0.0",
      "1.0",
      "1.50",
      "1e2",
      "1E+2",
      "2.5e-3",
      "-12.000",
      "1e-7",
      "6.02e23",
      "9007199254740993",
      "12345678901234567890",
      "9223372036854775807",
      "-9223372036854775808",
      "1180591620717411303424",
      "0.30000000000000004",
      "3.14159265358979323846",
      "1e400",
      "1e-400",
      "5e-324",
    ]));
  }

  /** Any JSON value, for json columns and extras. */
  anyJson(depth = 0): Json {
    const kind = this.int(depth > 2 ? 5 : 7);
    switch (kind) {
      case 0:
        return null;
      case 1:
        return this.chance(0.5);
      case 2:
        return !this.plain && this.chance(0.2) ? this.numberText() : this.double();
      case 3:
      case 4:
        return this.text();
      case 5:
        return Array.from({ length: this.int(4) }, () => this.anyJson(depth + 1));
      default: {
        const out: Record<string, Json> = {};
        for (let i = this.int(4); i > 0; i--) {
          out[this.chance(0.8) ? this.text(6) : String(this.int(10))] = this.anyJson(depth + 1);
        }
        return out;
      }
    }
  }

  date(): string {
    const y = 1900 + this.int(200), m = 1 + this.int(12), d = 1 + this.int(28);
    return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
  }

  clock(fractionDigits: number): string {
    const two = (n: number) => String(n).padStart(2, "0");
    let s = `${two(this.int(24))}:${two(this.int(60))}:${two(this.int(60))}`;
    if (fractionDigits > 0) s += "." + Array.from({ length: fractionDigits }, () => this.int(10)).join("");
    return s;
  }

  timestamp(): string {
    if (this.plain) {
      const zone = this.pick(["Z", "Z", "", "+00:00", "+05:30", "-08:00"]);
      return `${this.date()}T${this.clock(this.pick([0, 1, 3, 6]))}${zone}`;
    }
    const zone = this.pick(["Z", "Z", "", "+00:00", "+05:30", "-08:00", "+0100", "-03", "z"]);
    const sep = this.pick(["T", "T", "T", " ", "t"]);
    return `${this.date()}${sep}${this.clock(this.pick([0, 0, 1, 3, 6, 6, 7, 9]))}${zone}`;
  }

  /** A value for a column of `kind`: mostly ones that fit, some misfits and odd shapes. */
  valueFor(kind: string): Json {
    const odd = !this.plain && this.chance(0.15);
    if (this.plain && (kind === "big_integer" || kind === "decimal" || kind === "time")) return null;
    switch (kind) {
      case "integer":
        if (!odd) return this.pick([() => this.int(1000), () => -this.int(1e6), () => this.int(2 ** 53)])();
        return this.pick<Json>([this.numberText(), "12", true, 1.5, { a: 1 }, [1], 2 ** 70]);
      case "number":
        if (!odd) return this.double();
        return this.pick<Json>([this.numberText(), "NaN", "Infinity", "-Infinity", "1.5", false, []]);
      case "boolean":
        return odd ? this.pick<Json>(["true", 0, 1, "false"]) : this.chance(0.5);
      case "string":
        if (!odd) return this.text(20);
        return this.pick<Json>([this.numberText(), this.double(), true, false, this.anyJson(1), ""]);
      case "big_integer":
        if (!odd) {
          return this.pick<Json>([String(this.int(1e9)), "-123456789012345678901234567890", this.int(1e6)]);
        }
        return this.pick<Json>([this.numberText(), "12.5", "9".repeat(39), " 42 ", true, "x", "1e3"]);
      case "decimal":
        if (!odd) return this.pick<Json>(["-1234.500000001", String(this.double()), this.double(), "0"]);
        return this.pick<Json>([this.numberText(), "1.0000000001", "1e40", "abc", true]);
      case "date":
        if (!odd) return this.date();
        return this.pick<Json>([
          "2024-02-29",
          "2023-02-29",
          "2021-13-45",
          "2024-1-1",
          "0001-01-01 BC",
          20240101,
          "",
        ]);
      case "timestamp":
        if (!odd) return this.timestamp();
        return this.pick<Json>([
          "2024-13-45T00:00:00Z",
          "2021-02-28T24:00:00Z",
          "yesterday",
          "2024-03-01",
          "2024-03-01T12:34",
          "Tue, 01 Nov 2022 10:00:00 GMT",
          "0044-03-15T12:00:00Z BC",
          `${this.date()}T${this.clock(9)}Z`,
          1700000000,
        ]);
      case "time":
        if (!odd) return this.clock(this.pick([0, 0, 2, 6]));
        return this.pick<Json>(["25:00:00", "10:00:00Z", "9:30", "09:30", this.clock(7), 930]);
      default: // json
        return this.anyJson();
    }
  }

  quote(s: string, style: Style): string {
    let out = '"';
    for (const ch of s) {
      const cp = ch.codePointAt(0)!;
      const lone = ch.length === 1 && cp >= 0xd800 && cp <= 0xdfff;
      if (ch === '"') out += '\\"';
      else if (ch === "\\") out += "\\\\";
      else if (cp < 0x20 || lone || (style.ascii && cp > 0x7e) || this.chance(style.escapeRate)) {
        const short =
          ({ "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t" } as Record<string, string>)[ch];
        if (short !== undefined && this.chance(0.8)) out += short;
        else {
          for (let i = 0; i < ch.length; i++) {
            const unit = ch.charCodeAt(i).toString(16).padStart(4, "0");
            out += "\\u" + (this.chance(0.5) ? unit : unit.toUpperCase());
          }
        }
      } else if (ch === "/" && this.chance(0.3)) out += "\\/";
      else out += ch;
    }
    return out + '"';
  }

  write(value: Json, style: Style): string {
    if (value === null) return "null";
    if (typeof value === "boolean") return String(value);
    if (typeof value === "number") return String(value);
    if (typeof value === "string") return this.quote(value, style);
    if (value instanceof Raw) return value.text;
    if (Array.isArray(value)) return `[${value.map((v) => this.write(v, style)).join(style.comma)}]`;
    let entries = value instanceof Entries ? value.entries : Object.entries(value);
    if (style.shuffle && !(value instanceof Entries)) entries = this.shuffled(entries);
    return `{${
      entries.map(([k, v]) =>
        this.quote(k, style.plainKeys ? { ...style, ascii: false, escapeRate: 0 } : style) +
        style.colon + this.write(v, style)
      ).join(style.comma)
    }}`;
  }

  style(): Style {
    const python = this.chance(0.4);
    return {
      comma: python ? ", " : ",",
      colon: python ? ": " : ":",
      ascii: python && this.chance(0.8),
      escapeRate: this.plain ? 0 : this.pick([0, 0, 0, 0.05, 0.3]),
      shuffle: this.chance(0.5),
      plainKeys: this.plain,
    };
  }

  /** The data of one record over `properties`: values, nulls, absent keys, extras, duplicates. */
  data(properties: [string, string][]): Entries {
    const entries: [string, Json][] = [];
    for (const [property, kind] of this.chance(0.7) ? properties : this.shuffled(properties)) {
      if (this.chance(0.1)) continue; // absent
      entries.push([property, this.chance(0.08) ? null : this.valueFor(kind)]);
    }
    if (!this.plain && this.chance(0.1)) {
      for (let i = 1 + this.int(2); i > 0; i--) {
        const key = this.pick([
          "color",
          "zz_extra",
          "__proto__",
          "constructor",
          "display_name",
          this.text(5),
        ]);
        entries.splice(this.int(entries.length + 1), 0, [key, this.anyJson(1)]);
      }
    }
    if (!this.plain && this.chance(0.03) && entries.length > 0) {
      const [key] = this.pick(entries);
      entries.push([key, this.valueFor(this.pick(["integer", "string", "json"]))]);
    }
    return new Entries(entries);
  }

  record(stream: string, data: Entries, emittedAt: Json, style: Style): string {
    const record: [string, Json][] = [["stream", stream], ["data", data]];
    if (emittedAt !== OMIT) record.push(["emitted_at", emittedAt]);
    if (this.chance(0.3)) record.push(["namespace", this.pick<Json>(["public", null])]);
    const order = style.shuffle ? this.shuffled(record) : record;
    if (this.plain) {
      // Plain records name their stream before their data (a separate test covers the other order).
      const s = order.findIndex(([k]) => k === "stream"), d = order.findIndex(([k]) => k === "data");
      if (s > d) [order[s], order[d]] = [order[d], order[s]];
    }
    const message: [string, Json][] = [["type", "RECORD"], ["record", new Entries(order)]];
    return this.write(new Entries(style.shuffle ? this.shuffled(message) : message), style);
  }
}

/** Kind of each fuzzed property, as the fuzzer generates values for it. */
function fuzzKinds(schema: { properties: Record<string, unknown> }): [string, string][] {
  return toStreamColumns(schema)
    .filter((c) => !c.name.startsWith("_airbyte_"))
    .map((c) => {
      const kind = c.kind === "time_with_timezone" ? "string" : c.kind;
      const family = kind.startsWith("timestamp")
        ? "timestamp"
        : kind === "time_without_timezone"
        ? "time"
        : kind;
      return [c.property, family];
    });
}

function envNumber(name: string, fallback: number): number {
  try {
    const value = Deno.env.get(name);
    return value ? Number(value) : fallback;
  } catch {
    return fallback; // no env permission
  }
}

Deno.test("RecordLineScanner matches the general path on randomized lines (seeded fuzz)", () => {
  // SCANNER_FUZZ_SEED / SCANNER_FUZZ_LINES run other or longer fuzzes by hand.
  const seed = envNumber("SCANNER_FUZZ_SEED", 20261125);
  const count = envNumber("SCANNER_FUZZ_LINES", 3000);
  const fuzz = new Fuzzer(seed);
  const kinds = { users: fuzzKinds(USERS), events: fuzzKinds(EVENTS) };
  const d = new Differential();
  const nonRecords = [
    `{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"users"},"stream_state":{"cursor":"2024"}}}}`,
    `{"type":"LOG","log":{"level":"INFO","message":"read 1000 records from {\\"type\\":\\"RECORD\\"}"}}`,
    `{"type":"TRACE","trace":{"type":"STREAM_STATUS","emitted_at":1.7e12,"stream_status":{"stream_descriptor":{"name":"users"},"status":"RUNNING"}}}`,
    `{"type": "LOG", "log": {"level": "WARN", "message": "slow"}}`,
  ];
  const stats = { lines: 0, taken: 0, plain: 0, plainDeclined: [] as string[] };
  for (let n = 1; n <= count; n++) {
    let line: string;
    let plain = false;
    const roll = fuzz.random();
    if (roll < 0.04) {
      line = fuzz.pick(nonRecords); // must be declined
    } else {
      const stream = roll < 0.06 ? "orders" : roll < 0.15 ? "events" : "users";
      plain = stream !== "orders" && roll < 0.99 && fuzz.chance(0.4);
      fuzz.plain = plain;
      const style = fuzz.style();
      const emittedAt: Json = plain || fuzz.chance(0.95)
        ? EMITTED_AT + n
        : fuzz.pick<Json>([new Raw("1.7e12"), 1700000000000.5, 0, "1700000000000", null, OMIT]);
      line = fuzz.record(
        stream,
        fuzz.data(stream === "events" ? kinds.events : kinds.users),
        emittedAt,
        style,
      );
      if (roll >= 0.99) {
        // Broken on purpose: cut short, or something after the closing brace.
        line = fuzz.chance(0.5)
          ? line.slice(0, fuzz.int(line.length))
          : line + fuzz.pick(["x", "}", ",", " {}"]);
      }
    }
    stats.lines++;
    const taken = d.feed(line);
    if (taken !== undefined) stats.taken++;
    if (plain) {
      stats.plain++;
      if (taken === undefined) stats.plainDeclined.push(line);
    }
    if (n % 700 === 0 || n === count) d.check();
    if (d.problems.length > 0) break; // the first problems, with their lines, are the report
  }
  assert.deepEqual(d.problems.slice(0, 10), [], `seed ${seed}`);
  assert.deepEqual(
    stats.plainDeclined.slice(0, 10),
    [],
    `seed ${seed}: ${stats.plainDeclined.length} of ${stats.plain} plain records declined`,
  );
});
