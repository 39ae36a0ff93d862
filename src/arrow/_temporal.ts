/**
 * Fast parsers for the Airbyte temporal strings (RFC 3339 with an optional ` BC` era suffix) into
 * the integers Arrow stores: days since 1970-01-01, and microseconds since the epoch or midnight.
 * They sit on the hot path of the batch builder, so the common shapes are read char by char and
 * results go into a shared scratch object instead of a fresh one per value.
 *
 * @module
 */

/**
 * Where the last successful `parseTimestamp` / `parseTime` put its result.
 *
 * @example Read the result of a parse
 * ```ts
 * import { parsed, parseTimestamp } from "./_temporal.ts";
 * parseTimestamp("1970-01-01T00:00:01.000000001Z");
 * if (parsed.seconds !== 1 || parsed.micros !== 0 || !parsed.truncated) throw new Error();
 * ```
 */
export const parsed = {
  /** Whole seconds since the epoch (UTC) for timestamps; unused for times. */
  seconds: 0,
  /** Microseconds within the second (0..999999) for timestamps; since midnight for times. */
  micros: 0,
  /** True when non-zero digits below a microsecond were dropped. */
  truncated: false,
};

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (astronomical years: 1 BC is year 0).
 *
 * @example Count days from the epoch
 * ```ts
 * import { daysFromCivil } from "./_temporal.ts";
 * if (daysFromCivil(1970, 1, 2) !== 1 || daysFromCivil(1969, 12, 31) !== -1) throw new Error();
 * ```
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Two ASCII digits at `i` as a number, or -1.
function twoDigits(s: string, i: number): number {
  // Past the end charCodeAt gives NaN, which fails these comparisons too.
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function fourDigits(s: string, i: number): number {
  const hi = twoDigits(s, i);
  const lo = twoDigits(s, i + 2);
  return hi < 0 || lo < 0 ? -1 : hi * 100 + lo;
}

/** Fraction digits (after the dot) as microseconds; sets `parsed.truncated`; returns the end. */
function readFraction(s: string, start: number): number {
  let micros = 0;
  let digits = 0;
  let i = start;
  for (; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) break;
    if (digits < 6) micros = micros * 10 + d;
    else if (d !== 0) parsed.truncated = true;
    digits++;
  }
  if (digits === 0) return -1;
  for (; digits < 6; digits++) micros *= 10;
  parsed.micros = micros;
  return i;
}

function validDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

const SLOW_DATE = /^([+-]?\d{4,})-(\d{2})-(\d{2})( BC)?$/;

/**
 * Days since the epoch of a `YYYY-MM-DD` date (`YYYY-MM-DD BC` and years beyond 9999 too), or
 * `NaN` when the string is not a valid date.
 *
 * @example Parse a date
 * ```ts
 * import { parseDate } from "./_temporal.ts";
 * if (parseDate("1970-01-11") !== 10 || !Number.isNaN(parseDate("2021-13-45"))) throw new Error();
 * ```
 */
export function parseDate(s: string): number {
  let year: number, month: number, day: number;
  if (s.length === 10 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) {
    year = fourDigits(s, 0);
    month = twoDigits(s, 5);
    day = twoDigits(s, 8);
    if (year < 0) return NaN;
  } else {
    const m = SLOW_DATE.exec(s);
    if (!m) return NaN;
    year = m[4] ? 1 - Number(m[1]) : Number(m[1]);
    month = Number(m[2]);
    day = Number(m[3]);
  }
  return validDate(year, month, day) ? daysFromCivil(year, month, day) : NaN;
}

const SLOW_TIMESTAMP =
  /^([+-]?\d{4,})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)? ?(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?( BC)?$/;

const lastDay = { key: NaN, days: 0 };

/**
 * Sets `parsed.seconds` from a UTC-adjusted civil time (offset in minutes east of UTC); false
 * for an impossible date or time. Shared with the record line scanner's byte parser.
 *
 * @example
 * ```ts
 * import { parsed, setTimestamp } from "./_temporal.ts";
 * if (!setTimestamp(1970, 1, 2, 0, 0, 0, 60) || parsed.seconds !== 86400 - 3600) throw new Error();
 * ```
 */
export function setTimestamp(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  offsetMinutes: number,
): boolean {
  if (hour > 23 || minute > 59 || second > 59) return false;
  // Timestamps in a column tend to share their day: remember the last one.
  const key = (year * 16 + month) * 32 + day;
  if (key !== lastDay.key) {
    if (!validDate(year, month, day)) return false;
    lastDay.key = key;
    lastDay.days = daysFromCivil(year, month, day);
  }
  parsed.seconds = lastDay.days * 86400 + hour * 3600 + (minute - offsetMinutes) * 60 + second;
  return true;
}

// "+05:30", "-0800", "+05" -> minutes east of UTC, or NaN.
function offsetMinutesOf(s: string, i: number): number {
  const sign = s.charCodeAt(i) === 45 ? -1 : 1;
  const hours = twoDigits(s, i + 1);
  let minutes = 0;
  let end = i + 3;
  if (end < s.length) {
    if (s.charCodeAt(end) === 58) end++;
    minutes = twoDigits(s, end);
    end += 2;
  }
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || end !== s.length) return NaN;
  return sign * (hours * 60 + minutes);
}

function parseTimestampSlow(s: string): boolean {
  const m = SLOW_TIMESTAMP.exec(s);
  if (m) {
    parsed.micros = 0;
    if (m[7] !== undefined && readFraction(m[7], 0) < 0) return false;
    const zone = m[8];
    const offset = zone === undefined || zone === "Z" || zone === "z" || zone === "UTC"
      ? 0
      : offsetMinutesOf(zone, 0);
    if (Number.isNaN(offset)) return false;
    const year = m[9] ? 1 - Number(m[1]) : Number(m[1]);
    return setTimestamp(
      year,
      Number(m[2]),
      Number(m[3]),
      Number(m[4] ?? 0),
      Number(m[5] ?? 0),
      Number(m[6] ?? 0),
      offset,
    );
  }
  // Other shapes ("Tue, 01 Nov 2022 10:00:00 GMT"): what JavaScript makes of them, to the
  // millisecond. A four-digit year is required, since Date.parse reads even "1" as a date.
  if (!/\b\d{4}\b/.test(s)) return false;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return false;
  parsed.seconds = Math.floor(ms / 1000);
  parsed.micros = (ms - parsed.seconds * 1000) * 1000;
  return true;
}

/**
 * Parses an ISO-8601 / RFC 3339 timestamp into `parsed.seconds` + `parsed.micros` (UTC; a value
 * without offset is taken as UTC, one with an offset is converted). Returns false when the string
 * is not a valid timestamp.
 *
 * @example Parse a timestamp with an offset
 * ```ts
 * import { parsed, parseTimestamp } from "./_temporal.ts";
 * if (!parseTimestamp("1970-01-01T01:00:00.5+01:00") || parsed.seconds !== 0 || parsed.micros !== 500000) {
 *   throw new Error();
 * }
 * ```
 */
export function parseTimestamp(s: string): boolean {
  parsed.truncated = false;
  const n = s.length;
  // Fast path: YYYY-MM-DDTHH:MM:SS[.f…][Z|±HH:MM], read into locals (charCodeAt is the main cost).
  if (n >= 19) {
    const y0 = s.charCodeAt(0) - 48,
      y1 = s.charCodeAt(1) - 48,
      y2 = s.charCodeAt(2) - 48,
      y3 = s.charCodeAt(3) - 48;
    const mo0 = s.charCodeAt(5) - 48,
      mo1 = s.charCodeAt(6) - 48,
      d0 = s.charCodeAt(8) - 48,
      d1 = s.charCodeAt(9) - 48;
    const h0 = s.charCodeAt(11) - 48, h1 = s.charCodeAt(12) - 48, mi0 = s.charCodeAt(14) - 48;
    const mi1 = s.charCodeAt(15) - 48, s0 = s.charCodeAt(17) - 48, s1 = s.charCodeAt(18) - 48;
    const sep = s.charCodeAt(10);
    if (
      // Unsigned: a non-digit becomes a large number, so one comparison per char checks 0..9.
      (y0 >>> 0) <= 9 && (y1 >>> 0) <= 9 && (y2 >>> 0) <= 9 && (y3 >>> 0) <= 9 && (mo0 >>> 0) <= 9 &&
      (mo1 >>> 0) <= 9 && (d0 >>> 0) <= 9 && (d1 >>> 0) <= 9 && (h0 >>> 0) <= 9 && (h1 >>> 0) <= 9 &&
      (mi0 >>> 0) <= 9 && (mi1 >>> 0) <= 9 && (s0 >>> 0) <= 9 && (s1 >>> 0) <= 9 &&
      s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && s.charCodeAt(13) === 58 &&
      s.charCodeAt(16) === 58 &&
      (sep === 84 || sep === 32 || sep === 116)
    ) {
      let i = 19;
      let micros = 0;
      let c = s.charCodeAt(i);
      if (c === 46 || c === 44) {
        let digits = 0;
        for (i++; i < n; i++) {
          const d = s.charCodeAt(i) - 48;
          if ((d >>> 0) > 9) break;
          if (digits < 6) micros = micros * 10 + d;
          else if (d !== 0) parsed.truncated = true;
          digits++;
        }
        if (digits === 0) return parseTimestampSlow(s);
        for (; digits < 6; digits++) micros *= 10;
        c = s.charCodeAt(i);
      }
      let offset = NaN;
      if (i === n) offset = 0;
      else if ((c === 90 || c === 122) && i + 1 === n) offset = 0;
      else if (c === 43 || c === 45) offset = offsetMinutesOf(s, i);
      if (offset === offset) { // not NaN
        parsed.micros = micros;
        return setTimestamp(
          y0 * 1000 + y1 * 100 + y2 * 10 + y3,
          mo0 * 10 + mo1,
          d0 * 10 + d1,
          h0 * 10 + h1,
          mi0 * 10 + mi1,
          s0 * 10 + s1,
          offset,
        );
      }
    }
  }
  return parseTimestampSlow(s);
}

const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?$/;

/**
 * Parses `HH:MM[:SS[.ffffff]]` into `parsed.micros` since midnight. Returns false otherwise
 * (including any time-zone suffix: that belongs in a time-with-timezone column).
 *
 * @example Parse a time of day
 * ```ts
 * import { parsed, parseTime } from "./_temporal.ts";
 * if (!parseTime("00:00:01.25") || parsed.micros !== 1_250_000) throw new Error();
 * ```
 */
export function parseTime(s: string): boolean {
  parsed.truncated = false;
  const m = TIME.exec(s);
  if (!m) return false;
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  const second = Number(m[3] ?? 0);
  if (hour > 23 || minute > 59 || second > 59) return false;
  parsed.micros = 0;
  if (m[4] !== undefined) readFraction(m[4], 0);
  parsed.micros += ((hour * 60 + minute) * 60 + second) * 1_000_000;
  return true;
}
