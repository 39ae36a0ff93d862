/**
 * Exact decimal parsing for `DECIMAL(38, s)` columns: a decimal string (or the shortest string of
 * a JavaScript number) becomes the scaled integer Arrow's Decimal128 stores.
 *
 * @module
 */

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?$/;

/** A scaled decimal, and whether rounding to the column's scale dropped non-zero digits. */
export interface ScaledDecimal {
  value: bigint;
  rounded: boolean;
}

/**
 * `text × 10^scale` as a bigint, rounded half away from zero, or `undefined` when `text` is not a
 * decimal number or the result needs more than `precision` digits.
 *
 * @example Scale and round a decimal string
 * ```ts
 * import { parseScaledDecimal } from "./_decimal.ts";
 * const d = parseScaledDecimal("12.3456", 2, 38)!;
 * if (d.value !== 1235n || !d.rounded) throw new Error();
 * if (parseScaledDecimal("1e40", 0, 38) !== undefined) throw new Error();
 * ```
 */
export function parseScaledDecimal(
  text: string,
  scale: number,
  precision: number,
): ScaledDecimal | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const [, sign, whole, fraction = "", exponent = "0"] = m;
  const digits = (whole + fraction).replace(/^0+/, "");
  if (whole === "" && fraction === "") return undefined;
  if (digits === "") return { value: 0n, rounded: false };
  // The value is digits × 10^shift once scaled.
  const shift = Number(exponent) - fraction.length + scale;
  if (digits.length + shift > precision) return undefined;
  let value: bigint;
  let rounded = false;
  if (shift >= 0) {
    value = BigInt(digits) * 10n ** BigInt(shift);
  } else if (-shift > digits.length) {
    value = 0n;
    rounded = true;
  } else {
    const kept = digits.slice(0, digits.length + shift);
    const dropped = digits.slice(digits.length + shift);
    value = BigInt(kept || "0");
    rounded = /[1-9]/.test(dropped);
    if (dropped.charCodeAt(0) >= 53) value += 1n; // '5'..'9': round half away from zero
    if (value >= 10n ** BigInt(precision)) return undefined;
  }
  return { value: sign === "-" ? -value : value, rounded };
}
