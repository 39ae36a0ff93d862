/**
 * PostgreSQL's text output of dates, times, timestamps and numerics, read exactly: the cache's
 * connections run with `TimeZone=UTC` and `DateStyle=ISO`, so a timestamptz reads
 * `2024-01-02 03:04:05.123456+00`, a date before year 1 `0044-03-15 BC`, and years past 9999 have
 * five or more digits. JavaScript's `Date` covers none of the extremes, so days and microseconds
 * are computed here (Howard Hinnant's civil-date algorithm), as integers.
 *
 * @module
 */

const DATE_TIME =
  /^(\d+)-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?)?(?:([+-])(\d\d)(?::?(\d\d))?(?::(\d\d))?)?( BC)?$/;
const TIME = /^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/;
const MICROS_PER_DAY = 86_400_000_000n;

/** Days since 1970-01-01 of a proleptic Gregorian date (`year` 0 is 1 BC). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function fractionMicros(text: string | undefined): number {
  return text ? Number(text.padEnd(6, "0")) : 0;
}

/**
 * A `date` as days since 1970-01-01; null for `infinity`/`-infinity` (no finite value holds them).
 *
 * @example
 * ```ts
 * import { parsePgDate } from "./pg_text_values.ts";
 * if (parsePgDate("1970-01-02") !== 1) throw new Error();
 * if (parsePgDate("0001-12-31 BC") !== -719163) throw new Error(); // the day before 0001-01-01
 * ```
 */
export function parsePgDate(text: string): number | null {
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const year = m[12] ? 1 - Number(m[1]) : Number(m[1]);
  return daysFromCivil(year, Number(m[2]), Number(m[3]));
}

/**
 * A `timestamp` or `timestamptz` as microseconds since 1970-01-01 UTC (the offset, if any,
 * applied); null for `infinity`/`-infinity`.
 *
 * @example
 * ```ts
 * import { parsePgTimestamp } from "./pg_text_values.ts";
 * if (parsePgTimestamp("1970-01-01 00:00:01.5+00") !== 1_500_000n) throw new Error();
 * if (parsePgTimestamp("1970-01-01 02:00:00+02") !== 0n) throw new Error();
 * ```
 */
export function parsePgTimestamp(text: string): bigint | null {
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const year = m[12] ? 1 - Number(m[1]) : Number(m[1]);
  const days = daysFromCivil(year, Number(m[2]), Number(m[3]));
  let seconds = Number(m[4] ?? 0) * 3600 + Number(m[5] ?? 0) * 60 + Number(m[6] ?? 0);
  if (m[8]) {
    const offset = Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0);
    seconds -= m[8] === "-" ? -offset : offset;
  }
  return BigInt(days) * MICROS_PER_DAY + BigInt(seconds) * 1_000_000n + BigInt(fractionMicros(m[7]));
}

/**
 * A `time` as microseconds since midnight (`24:00:00` is a whole day).
 *
 * @example
 * ```ts
 * import { parsePgTime } from "./pg_text_values.ts";
 * if (parsePgTime("00:00:01.25") !== 1_250_000n) throw new Error();
 * ```
 */
export function parsePgTime(text: string): bigint | null {
  const m = TIME.exec(text);
  if (!m) return null;
  const seconds = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  return BigInt(seconds) * 1_000_000n + BigInt(fractionMicros(m[4]));
}

/**
 * A `numeric` as an integer scaled by `10^scale` (digits beyond `scale` are cut, as the column's
 * type already rounded them); null for `NaN` and the infinities.
 *
 * @example
 * ```ts
 * import { parsePgNumeric } from "./pg_text_values.ts";
 * if (parsePgNumeric("-12.5", 3) !== -12500n) throw new Error();
 * ```
 */
export function parsePgNumeric(text: string, scale: number): bigint | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m) return null;
  const fraction = (m[3] ?? "").slice(0, scale).padEnd(scale, "0");
  const magnitude = BigInt(`${m[2] || "0"}${fraction}` || "0");
  return m[1] === "-" ? -magnitude : magnitude;
}
