/**
 * A property test of what a read stores, against an independent reference. Random RECORD lines
 * (integers near 2^53 and 2^63 and past them, floats, escapes, every plane of Unicode, lone
 * surrogates, bytes that are not UTF-8, nesting, extras, both key orders and Python's spacing)
 * go two ways into Arrow batches: the way a read takes them (the record line scanner, falling
 * back to `parseMessageLine` plus `ArrowBatchBuilder.add` for lines it declines), and the general
 * path alone. Every cell and every `_airbyte_meta` of both must equal what the reference says.
 *
 * The reference is `JSON.parse` of the decoded line with V8's source-text access (the reviver's
 * `context.source`), which turns integer literals past 2^53 into exact bigints, plus the storage
 * rules of arrow_batch_builder.ts written out plainly below. It shares no code with the scanner
 * or with `lossless-json`.
 *
 * Seeded and reproducible: `SCANNER_PROPERTY_SEED` and `SCANNER_PROPERTY_CASES` pick another run;
 * a failure names its seed and case.
 *
 * @module
 */
import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { ArrowBatchBuilder } from "../../src/arrow/arrow_batch_builder.ts";
import { RecordLineScanner } from "../../src/arrow/record_line_scanner.ts";
import { toStreamColumns } from "../../src/arrow/stream_columns.ts";
import { parseMessageLine } from "../../src/protocol/message_parser.ts";

const SCHEMA = {
  type: "object",
  properties: {
    id: { type: "integer" },
    n: { type: ["null", "integer"] },
    x: { type: "number" },
    s: { type: "string" },
    t: { type: ["null", "string"] },
    ok: { type: "boolean" },
    doc: { type: "object" },
    list: { type: "array" },
    any: {},
  },
};
const KINDS: Record<string, "integer" | "number" | "string" | "boolean" | "json"> = {
  id: "integer",
  n: "integer",
  x: "number",
  s: "string",
  t: "string",
  ok: "boolean",
  doc: "json",
  list: "json",
  any: "json",
};
const EXTRA_KEYS = ["extra", "twitter_id", "ключ", "__proto__", 'with "quote"', "tab\there"];
const FFFD = "\uFFFD";
const TWO_POW_63 = 2n ** 63n;
const BATCH_ROWS = 1000;

// ---------------------------------------------------------------------------------------------
// The reference

/** `JSON.parse` with integer literals past 2^53 as exact bigints (V8 source-text access). */
function parseReference(text: string): unknown {
  return (JSON.parse as (
    t: string,
    r: (k: string, v: unknown, c: { source?: string }) => unknown,
  ) => unknown)(
    text,
    (_key, value, context) => {
      if (typeof value === "number" && !Number.isSafeInteger(value) && context?.source !== undefined) {
        if (/^-?[0-9]+$/.test(context.source)) return BigInt(context.source);
      }
      return value;
    },
  );
}

/** A value as JSON text holds it: -0 is 0, non-finite numbers are null (JSON.stringify's rules). */
function jsonValue(value: unknown): unknown {
  if (typeof value === "number") return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : null;
  if (Array.isArray(value)) return value.map(jsonValue);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = Object.create(null);
    for (const [k, v] of Object.entries(value)) out[k] = jsonValue(v);
    return out;
  }
  return value;
}

function holdsFFFD(value: unknown): boolean {
  if (typeof value === "string") return value.includes(FFFD);
  if (Array.isArray(value)) return value.some(holdsFFFD);
  if (value !== null && typeof value === "object") {
    return Object.entries(value).some(([k, v]) => k.includes(FFFD) || holdsFFFD(v));
  }
  return false;
}

interface Change {
  field: string;
  change: string;
  reason: string;
  raw: unknown;
}

/** What one column of one row must hold: a cell value, or a JSON value to compare parsed. */
type Expected = { cell: unknown } | { json: unknown };

/** The storage rules, per column kind: the cell, and the change to note (if any). */
function expectedCell(
  kind: string,
  field: string,
  value: unknown,
  lineHasFFFD: boolean,
): { expected: Expected; change?: Change } {
  const misfit = {
    expected: { cell: null },
    change: { field, change: "NULLED", reason: "DESTINATION_TYPECAST_ERROR", raw: value },
  };
  const replaced = (raw: unknown): Change => ({
    field,
    change: "TRUNCATED",
    reason: "SOURCE_SERIALIZATION_ERROR",
    raw,
  });
  if (value === null) return { expected: { cell: null } };
  switch (kind) {
    case "integer":
      if (typeof value === "bigint") {
        return value >= -TWO_POW_63 && value < TWO_POW_63 ? { expected: { cell: value } } : misfit;
      }
      if (typeof value === "number" && Number.isInteger(value) && value >= -(2 ** 63) && value < 2 ** 63) {
        return { expected: { cell: BigInt(value) } };
      }
      return misfit;
    case "number":
      if (typeof value === "number" || typeof value === "bigint") {
        return { expected: { cell: Number(value) } };
      }
      if (value === "NaN" || value === "Infinity" || value === "-Infinity") {
        return { expected: { cell: Number(value) } };
      }
      return misfit;
    case "boolean":
      return typeof value === "boolean" ? { expected: { cell: value } } : misfit;
    case "string":
      if (typeof value === "string") {
        const noted = !value.isWellFormed() || (lineHasFFFD && value.includes(FFFD));
        return { expected: { cell: value.toWellFormed() }, change: noted ? replaced(value) : undefined };
      }
      if (typeof value === "object") {
        return {
          expected: { json: jsonValue(value) },
          change: lineHasFFFD && holdsFFFD(value) ? replaced(value) : undefined,
        };
      }
      return { expected: { cell: String(value) } };
    default: // json
      return {
        expected: { json: jsonValue(value) },
        change: lineHasFFFD && holdsFFFD(value) ? replaced(value) : undefined,
      };
  }
}

interface ExpectedRow {
  cells: Map<string, Expected>;
  changes: Change[];
  extra?: Record<string, unknown>;
}

/** The row a RECORD line must become, or undefined when it is no record of our stream. */
function expectedRow(text: string): ExpectedRow | undefined {
  let message: any;
  try {
    message = parseReference(text);
  } catch {
    return undefined;
  }
  const data = message?.record?.data;
  if (message?.type !== "RECORD" || message.record.stream !== "items" || typeof data !== "object") {
    return undefined;
  }
  const lineHasFFFD = text.includes(FFFD);
  const cells = new Map<string, Expected>(Object.keys(KINDS).map((k) => [k, { cell: null }]));
  const changes: Change[] = [];
  let extra: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(data)) {
    const kind = KINDS[key];
    if (kind === undefined || !Object.hasOwn(KINDS, key)) {
      (extra ??= Object.create(null))[key] = jsonValue(value);
      continue;
    }
    const { expected, change } = expectedCell(kind, key, value, lineHasFFFD);
    cells.set(key, expected);
    if (change) changes.push({ ...change, raw: jsonValue(change.raw) });
  }
  return { cells, changes, extra };
}

// ---------------------------------------------------------------------------------------------
// The generator

/** mulberry32: a small seeded PRNG. */
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

/** A number written as this text. */
class Num {
  constructor(readonly text: string) {}
}
type Value = null | boolean | string | Num | Value[] | { [key: string]: Value };

/** Stands for bytes that are not UTF-8; swapped in after encoding (never generated otherwise). */
const BAD_BYTES_MARK = "\ue000";
const BAD_SEQUENCES = [[0xff], [0x80], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x98], [
  0xf5,
]];
const CHARS = [
  ..."abcxyzABC0189 _-.:,{}[]",
  '"',
  "\\",
  "/",
  "\n",
  "\t",
  "\r",
  "\b",
  "\f",
  "\u0000",
  "\u001f",
  "\u007f",
  "é",
  "ß",
  "中",
  "😀",
  "𝄞",
  "\u2028",
  "\ufeff",
  "\uffff",
  FFFD,
];

class Generator {
  readonly random: () => number;
  /** This line's style. */
  python = false;
  asciiOnly = false;
  escapeRate = 0;

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

  /** Integers near the edges a double or a BIGINT has, and past them. */
  bigInteger(): bigint {
    const anchor = this.pick([
      0n,
      2n ** 53n,
      2n ** 63n,
      2n ** 64n,
      10n ** 15n,
      10n ** 16n,
      10n ** 18n,
      10n ** 19n,
    ]);
    const near = anchor + BigInt(this.int(7) - 3);
    const random = BigInt(Math.floor(this.random() * 1e15)) * 10n ** BigInt(this.int(8)) +
      BigInt(this.int(1000));
    const value = this.chance(0.7) ? near : random;
    return this.chance(0.3) ? -value : value;
  }

  number(): Num {
    switch (this.int(8)) {
      case 0:
      case 1:
      case 2:
        return new Num(String(this.bigInteger()));
      case 3:
        return new Num(String(this.int(2000) - 1000));
      case 4:
        return new Num(String((this.random() - 0.5) * 10 ** (this.int(30) - 10)));
      case 5:
        return new Num(this.pick(["-0", "1.0", "1e2", "2.5E-3", "1e400", "-1e400", "5e-324", "0.1"]));
      case 6:
        return new Num(`${this.bigInteger()}${this.pick([".0", "e0", ".5", "E+1"])}`);
      default:
        return new Num(String(Math.round((this.random() - 0.5) * 1e6) / 100));
    }
  }

  text(max = 10): string {
    let s = "";
    for (let i = this.int(max + 1); i > 0; i--) s += this.pick(CHARS);
    if (this.chance(0.03)) s += this.pick(["\ud800", "\udfff", "\udc00x"]); // a lone surrogate
    if (this.chance(0.03)) {
      s = s.slice(0, this.int(s.length + 1)) + BAD_BYTES_MARK + s.slice(this.int(s.length + 1));
    }
    return s;
  }

  json(depth = 0): Value {
    switch (this.int(depth > 2 ? 4 : 6)) {
      case 0:
        return this.chance(0.5) ? null : this.chance(0.5);
      case 1:
      case 2:
        return this.number();
      case 3:
        return this.text();
      case 4:
        return Array.from({ length: this.int(4) }, () => this.json(depth + 1));
      default: {
        const out: Record<string, Value> = {};
        for (let i = this.int(4); i > 0; i--) {
          out[this.chance(0.8) ? this.text(5) : String(this.int(10))] = this.json(depth + 1);
        }
        return out;
      }
    }
  }

  /** A value for a column: mostly what fits, sometimes anything. */
  valueFor(kind: string): Value {
    if (this.chance(0.07)) return null;
    if (this.chance(0.1)) return this.json(1);
    switch (kind) {
      case "integer":
        return this.chance(0.8) ? new Num(String(this.bigInteger())) : this.number();
      case "number":
        return this.chance(0.9) ? this.number() : this.pick(["NaN", "Infinity", "1.5"]);
      case "string":
        return this.text(20);
      case "boolean":
        return this.chance(0.5);
      default:
        return this.json();
    }
  }

  quote(s: string): string {
    let out = '"';
    for (const ch of s) {
      const cp = ch.codePointAt(0)!;
      const lone = ch.length === 1 && cp >= 0xd800 && cp <= 0xdfff;
      if (ch === BAD_BYTES_MARK) out += ch;
      else if (ch === '"') out += '\\"';
      else if (ch === "\\") out += "\\\\";
      else if (cp < 0x20 || lone || (this.asciiOnly && cp > 0x7e) || this.chance(this.escapeRate)) {
        const short =
          ({ "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t" } as Record<string, string>)[ch];
        if (short !== undefined && this.chance(0.8)) out += short;
        else {
          for (let i = 0; i < ch.length; i++) {
            const unit = ch.charCodeAt(i).toString(16).padStart(4, "0");
            out += "\\u" + (this.chance(0.5) ? unit : unit.toUpperCase());
          }
        }
      } else if (ch === "/" && this.chance(0.2)) out += "\\/";
      else out += ch;
    }
    return out + '"';
  }

  write(value: Value | [string, Value][]): string {
    const comma = this.python ? ", " : ",", colon = this.python ? ": " : ":";
    if (value === null) return "null";
    if (typeof value === "boolean") return String(value);
    if (typeof value === "string") return this.quote(value);
    if (value instanceof Num) return value.text;
    if (
      Array.isArray(value) &&
      (value.length === 0 || !Array.isArray(value[0]) || !(value as unknown[]).every(isEntry))
    ) {
      return `[${(value as Value[]).map((v) => this.write(v)).join(comma)}]`;
    }
    const entries = Array.isArray(value) ? value as [string, Value][] : Object.entries(value);
    return `{${entries.map(([k, v]) => this.quote(k) + colon + this.write(v)).join(comma)}}`;
  }

  /** One RECORD line as bytes. */
  line(id: number): Uint8Array {
    this.python = this.chance(0.4);
    this.asciiOnly = this.python && this.chance(0.7);
    this.escapeRate = this.pick([0, 0, 0, 0.1, 0.5]);
    const entries: Entry[] = [];
    for (const [key, kind] of Object.entries(KINDS)) {
      if (this.chance(0.1)) continue;
      entries.push(new Entry(key, this.valueFor(kind)));
    }
    if (this.chance(0.1)) {
      entries.splice(this.int(entries.length + 1), 0, new Entry(this.pick(EXTRA_KEYS), this.json(1)));
    }
    if (this.chance(0.5)) entries.sort(() => this.random() - 0.5);
    const data = this.write(entries.map((e) => [e.key, e.value]));
    const streamFirst = this.chance(0.9);
    const record = streamFirst
      ? `{"stream"${this.python ? ": " : ":"}"items", "data": ${data}, "emitted_at": ${1700000000000 + id}}`
      : `{"data": ${data}, "stream": "items", "emitted_at": ${1700000000000 + id}}`;
    const text = `{"type": "RECORD", "record": ${
      this.python ? record : record.replaceAll('": ', '":').replaceAll(', "', ',"')
    }}`;
    return this.withBadBytes(new TextEncoder().encode(text));
  }

  /** Swaps each encoded BAD_BYTES_MARK (EE 80 80) for a sequence that is not UTF-8. */
  withBadBytes(bytes: Uint8Array): Uint8Array {
    const out: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0xee && bytes[i + 1] === 0x80 && bytes[i + 2] === 0x80) {
        out.push(...this.pick(BAD_SEQUENCES));
        i += 2;
      } else out.push(bytes[i]);
    }
    return new Uint8Array(out);
  }
}

class Entry {
  constructor(readonly key: string, readonly value: Value) {}
}
function isEntry(item: unknown): boolean {
  return Array.isArray(item) && item.length === 2 && typeof item[0] === "string";
}

// ---------------------------------------------------------------------------------------------
// The two ways into Arrow, and the comparison

const decoder = new TextDecoder("utf-8", { ignoreBOM: true }); // as the read loop decodes

function generalAdd(builder: ArrowBatchBuilder, bytes: Uint8Array): boolean {
  const outcome = parseMessageLine(decoder.decode(bytes));
  if (!outcome.ok || outcome.message.type !== "RECORD" || outcome.message.record.stream !== "items") {
    return false;
  }
  builder.add(outcome.message.record.data as Record<string, unknown>, outcome.message.record.emitted_at);
  return true;
}

function show(value: unknown): string {
  return JSON.stringify(value, (_k, v) => typeof v === "bigint" ? `${v}n` : v) ?? String(value);
}

/**
 * Do two JSON values agree? Integer literals are promised exactly (bigint against bigint); a
 * number the source wrote as a float is a double, whose text may read back as an integer.
 */
function sameJson(got: unknown, expected: unknown): boolean {
  if (typeof expected === "bigint") return got === expected;
  if (typeof expected === "number") {
    return (typeof got === "number" || typeof got === "bigint") && Number(got) === expected;
  }
  if (Array.isArray(expected)) {
    return Array.isArray(got) && got.length === expected.length &&
      expected.every((e, i) => sameJson(got[i], e));
  }
  if (expected !== null && typeof expected === "object") {
    if (got === null || typeof got !== "object" || Array.isArray(got)) return false;
    const keys = Object.keys(expected);
    return keys.length === Object.keys(got).length &&
      keys.every((k) => Object.hasOwn(got, k) && sameJson((got as any)[k], (expected as any)[k]));
  }
  return Object.is(got, expected);
}

function sameCell(got: unknown, expected: Expected): boolean {
  if ("json" in expected) {
    if (typeof got !== "string") return false;
    try {
      return sameJson(jsonValue(parseReference(got)), expected.json);
    } catch {
      return false;
    }
  }
  return Object.is(got, expected.cell) ||
    (typeof got === "number" && Number.isNaN(got) && Number.isNaN(expected.cell));
}

const cellDecoder = new TextDecoder("utf-8", { ignoreBOM: true }); // Vector.get would drop a leading BOM

/** One cell: text decoded as stored (a leading U+FEFF kept), other types as apache-arrow reads them. */
function cellOf(table: arrow.Table, column: string, row: number): unknown {
  const vector = table.getChild(column)!;
  if (!arrow.DataType.isUtf8(vector.type)) return vector.get(row);
  let i = row;
  for (const data of vector.data) {
    if (i >= data.length) {
      i -= data.length;
      continue;
    }
    if (!data.getValid(i)) return null;
    const offsets = data.valueOffsets as Int32Array, j = data.offset + i;
    return cellDecoder.decode((data.values as Uint8Array).subarray(offsets[j], offsets[j + 1]));
  }
  throw new Error(`row ${row} is past the end of ${column}`);
}

/** Compares a finished batch with the expected rows; returns the problems. */
function compare(label: string, ipc: Uint8Array, rows: { expected: ExpectedRow; line: string }[]): string[] {
  const table = arrow.tableFromIPC(ipc);
  const problems: string[] = [];
  if (table.numRows !== rows.length) return [`${label}: ${table.numRows} rows, expected ${rows.length}`];
  rows.forEach(({ expected, line }, row) => {
    for (const [column, want] of expected.cells) {
      const got = cellOf(table, column, row);
      if (!sameCell(got, want)) {
        problems.push(`${label} ${column}: got ${show(got)}, expected ${show(want)}; line ${line}`);
      }
    }
    const meta = parseReference(cellOf(table, "_airbyte_meta", row) as string) as {
      changes: Change[];
      extra?: Record<string, unknown>;
    };
    const extraOk = expected.extra === undefined
      ? meta.extra === undefined
      : sameJson(jsonValue(meta.extra), jsonValue(expected.extra));
    if (!extraOk || !sameJson(jsonValue(meta.changes), jsonValue(expected.changes))) {
      problems.push(
        `${label} _airbyte_meta: got ${show(meta)}, expected ${show(expected.changes)} ${
          show(expected.extra)
        }; line ${line}`,
      );
    }
  });
  return problems;
}

function envNumber(name: string, fallback: number): number {
  try {
    const value = Deno.env.get(name);
    return value ? Number(value) : fallback;
  } catch {
    return fallback;
  }
}

Deno.test("A read stores exactly what JSON.parse with exact integers says, on the fast and the general path (seeded property test)", () => {
  const seed = envNumber("SCANNER_PROPERTY_SEED", 20261129);
  const cases = envNumber("SCANNER_PROPERTY_CASES", 10_000);
  const generator = new Generator(seed);
  const columns = toStreamColumns(SCHEMA);
  const options = { syncId: 7, idTime: 7, idSeed: 1, batchRows: 64 };
  const readBuilder = new ArrowBatchBuilder(columns, options);
  const generalBuilder = new ArrowBatchBuilder(columns, options);
  const scanner = new RecordLineScanner((stream) => stream === "items" ? readBuilder : undefined);
  let pending: { expected: ExpectedRow; line: string }[] = [];
  const problems: string[] = [];
  const stats = { taken: 0, declined: 0, big: 0, badBytes: 0 };
  const check = () => {
    problems.push(...compare("read", readBuilder.finish(), pending));
    problems.push(...compare("general path", generalBuilder.finish(), pending));
    pending = [];
  };
  for (let n = 1; n <= cases && problems.length === 0; n++) {
    const bytes = generator.line(n);
    const text = decoder.decode(bytes);
    const expected = expectedRow(text);
    const where = `seed ${seed}, case ${n}`;
    assert.ok(expected, `${where}: the generator wrote a line JSON.parse rejects: ${text}`);
    const label = `${text}`;
    // The read: the scanner first, the general path for what it declines.
    if (scanner.addBytes(bytes, 0, bytes.length) === "items") stats.taken++;
    else {
      stats.declined++;
      assert.ok(generalAdd(readBuilder, bytes), `${where}: the general path rejects ${text}`);
    }
    assert.ok(generalAdd(generalBuilder, bytes));
    if (/[0-9]{16}/.test(text)) stats.big++;
    if (bytes.length !== new TextEncoder().encode(text).length || text.includes(FFFD)) stats.badBytes++;
    pending.push({ expected, line: `[${where}] ${label}` });
    if (pending.length === BATCH_ROWS || n === cases) check();
  }
  assert.deepEqual(problems.slice(0, 8), [], `seed ${seed} (rerun with SCANNER_PROPERTY_SEED=${seed})`);
  // Both paths were exercised, and the hard inputs were there.
  assert.ok(stats.taken > cases / 20 && stats.declined > cases / 20, `seed ${seed}: ${show(stats)}`);
  assert.ok(stats.big > cases / 5 && stats.badBytes > cases / 50, `seed ${seed}: ${show(stats)}`);
});
