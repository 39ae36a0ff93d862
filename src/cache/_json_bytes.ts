/**
 * Writes the JSON text of a value as UTF-8 straight into a text column's byte buffer: the same
 * text `JSON.stringify` gives, without first making a string and then copying it char by char.
 * Plain objects, arrays, numbers, booleans and ASCII strings take the fast path; anything unusual
 * (escapes, non-ASCII, `toJSON`, bigints, deep nesting) is handed to `JSON.stringify` for that part.
 *
 * @module
 */
import type { ColumnBuffer } from "./_column_buffer.ts";

const encoder = new TextEncoder();
const MAX_DEPTH = 64;
const MAX_CACHED_KEYS = 10_000;
/** `"key":` as UTF-8 per object key seen; keys repeat from record to record. */
const keyBytes = new Map<string, Uint8Array>();

/**
 * JSON text of any value a record may hold; bigints (from in-process connectors) become digit
 * strings instead of throwing.
 *
 * @example
 * ```ts
 * import { toJsonText } from "./_json_bytes.ts";
 * if (toJsonText({ a: 1n }) !== '{"a":"1"}') throw new Error();
 * ```
 */
export function toJsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "null";
  } catch {
    return JSON.stringify(value, (_key, v) => typeof v === "bigint" ? v.toString() : v) ?? "null";
  }
}

function appendString(c: ColumnBuffer, text: string): void {
  c.reserveBytes(text.length * 3);
  c.byteLength += encoder.encodeInto(text, c.bytes.subarray(c.byteLength)).written;
}

function appendAscii(c: ColumnBuffer, text: string): void {
  c.reserveBytes(text.length);
  const bytes = c.bytes;
  let at = c.byteLength;
  for (let i = 0; i < text.length; i++) bytes[at++] = text.charCodeAt(i);
  c.byteLength = at;
}

function appendBytes(c: ColumnBuffer, source: Uint8Array): void {
  c.reserveBytes(source.length);
  const bytes = c.bytes;
  let at = c.byteLength;
  for (let i = 0; i < source.length; i++) bytes[at++] = source[i];
  c.byteLength = at;
}

function appendByte(c: ColumnBuffer, byte: number): void {
  c.reserveBytes(1);
  c.bytes[c.byteLength++] = byte;
}

function appendJsonString(c: ColumnBuffer, text: string): void {
  const n = text.length;
  c.reserveBytes(n + 2);
  const bytes = c.bytes;
  const start = c.byteLength;
  let at = start;
  bytes[at++] = 34; // "
  for (let i = 0; i < n; i++) {
    const ch = text.charCodeAt(i);
    if (ch < 0x20 || ch > 0x7f || ch === 34 || ch === 92) {
      // Needs escaping or is not ASCII: let JSON.stringify write this string.
      c.byteLength = start;
      appendString(c, JSON.stringify(text));
      return;
    }
    bytes[at++] = ch;
  }
  bytes[at++] = 34;
  c.byteLength = at;
}

function appendKey(c: ColumnBuffer, key: string): void {
  let bytes = keyBytes.get(key);
  if (bytes === undefined) {
    bytes = encoder.encode(JSON.stringify(key) + ":");
    if (keyBytes.size < MAX_CACHED_KEYS) keyBytes.set(key, bytes);
  }
  appendBytes(c, bytes);
}

function skipped(value: unknown): boolean {
  return value === undefined || typeof value === "function" || typeof value === "symbol";
}

/**
 * Appends the JSON text of `value` (as `JSON.stringify` would write it, `undefined` as `null`) to
 * the column's bytes. The caller ends the row.
 *
 * @example
 * ```ts
 * import * as arrow from "apache-arrow";
 * import { ColumnBuffer, Layout } from "./_column_buffer.ts";
 * import { appendJson } from "./_json_bytes.ts";
 * const column = new ColumnBuffer(new arrow.Field("j", new arrow.Utf8()), Layout.TEXT);
 * column.grow(1, 0);
 * appendJson(column, { a: [1, "x", null], b: { c: true } });
 * const text = new TextDecoder().decode(column.bytes.subarray(0, column.byteLength));
 * if (text !== '{"a":[1,"x",null],"b":{"c":true}}') throw new Error(text);
 * ```
 */
export function appendJson(c: ColumnBuffer, value: unknown, depth = 0): void {
  switch (typeof value) {
    case "string":
      return appendJsonString(c, value);
    case "number":
      return appendAscii(c, Number.isFinite(value) ? String(value) : "null");
    case "boolean":
      return appendAscii(c, value ? "true" : "false");
    case "object":
      break;
    default:
      return appendString(c, toJsonText(value));
  }
  if (value === null) return appendAscii(c, "null");
  if (depth > MAX_DEPTH || typeof (value as { toJSON?: unknown }).toJSON === "function") {
    return appendString(c, toJsonText(value));
  }
  if (Array.isArray(value)) {
    appendByte(c, 91); // [
    for (let i = 0; i < value.length; i++) {
      if (i > 0) appendByte(c, 44); // ,
      const item = value[i];
      if (skipped(item)) appendAscii(c, "null");
      else appendJson(c, item, depth + 1);
    }
    return appendByte(c, 93); // ]
  }
  if (value instanceof Map || value instanceof Set || ArrayBuffer.isView(value)) {
    return appendString(c, toJsonText(value));
  }
  appendByte(c, 123); // {
  let first = true;
  const object = value as Record<string, unknown>;
  for (const key in object) {
    const item = object[key];
    if (skipped(item) || !Object.hasOwn(object, key)) continue;
    if (!first) appendByte(c, 44);
    first = false;
    appendKey(c, key);
    appendJson(c, item, depth + 1);
  }
  appendByte(c, 125); // }
}
