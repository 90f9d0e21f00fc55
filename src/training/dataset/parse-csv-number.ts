/** Cell texts read as a missing value, numeric or categorical (besides blank cells). */
export const MISSING_TOKENS: ReadonlySet<string> = new Set(["", "NA", "NaN", "nan"]);

const N = 78;
const A = 65;
const LOWER_N = 110;
const LOWER_A = 97;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
/** Exact powers of ten: every 10^k with k <= 22 is a double without rounding. */
const POWERS_OF_TEN = Float64Array.from({ length: 23 }, (_, k) => 10 ** k);
const NON_DECIMAL = /^[+-]?0[xob]/i;
const INFINITY = /^([+-]?)inf(inity)?$/i;

/**
 * Parses the number in `bytes[start, end)`, or answers `NaN` when there is none: the cell is
 * missing or not a number, which `isMissingCell` tells apart. (Returning `null` for "not a
 * number" made every result a boxed value and cost a third of the parsing time.)
 *
 * The common case — plain decimal notation with at most 15 digits, at most 22 after the
 * point — is computed from the bytes as `digits / 10^k`: both operands are exact doubles,
 * so the one rounding of the IEEE division gives the correctly rounded result, exactly what
 * `Number(text)` gives (Clinger's fast path). Anything else (exponent notation, more
 * digits, spaces, `inf`) decodes the text and uses `Number`, which is slower but exact.
 *
 * @example
 * parseCsvNumber(Buffer.from("-1.25"), 0, 5); // -1.25
 */
export function parseCsvNumber(bytes: Uint8Array, start: number, end: number): number {
  if (start === end) return Number.NaN;
  let p = start;
  let negative = false;
  const first = bytes[p]!;
  if (first === MINUS) {
    negative = true;
    p++;
  } else if (first === PLUS) {
    p++;
  }
  // Every digit counts toward the 15 (leading zeros too): simpler, and a 16-digit cell is rare.
  let mantissa = 0;
  let digits = 0;
  let exponent = 0;
  for (; p < end; p++) {
    const d = bytes[p]! - ZERO;
    if (d >>> 0 > 9) break;
    mantissa = mantissa * 10 + d;
    digits++;
  }
  if (p < end && bytes[p] === DOT) {
    for (p++; p < end; p++) {
      const d = bytes[p]! - ZERO;
      if (d >>> 0 > 9) break;
      mantissa = mantissa * 10 + d;
      digits++;
      exponent--;
    }
  }
  if (digits === 0 || p !== end || digits > 15) return slowParse(bytes, start, end);
  if (mantissa === 0) return negative ? -0 : 0;
  let value: number;
  if (exponent === 0) value = mantissa;
  else if (exponent >= -22) value = mantissa / POWERS_OF_TEN[-exponent]!;
  else return slowParse(bytes, start, end);
  return negative ? -value : value;
}

/** True when `bytes[start, end)` is blank or one of MISSING_TOKENS, without decoding it. */
export function isMissingToken(bytes: Uint8Array, start: number, end: number): boolean {
  const length = end - start;
  if (length === 0) return true;
  if (length === 2) return bytes[start] === N && bytes[start + 1] === A;
  if (length !== 3) return false;
  const a = bytes[start];
  const b = bytes[start + 1];
  const c = bytes[start + 2];
  return (a === N && b === LOWER_A && c === N) || (a === LOWER_N && b === LOWER_A && c === LOWER_N);
}

/** True when the cell is blank (or all spaces) or a token of MISSING_TOKENS. */
export function isMissingCell(bytes: Uint8Array, start: number, end: number): boolean {
  return MISSING_TOKENS.has(latin1(bytes, start, end).trim());
}

function slowParse(bytes: Uint8Array, start: number, end: number): number {
  const text = latin1(bytes, start, end).trim();
  const infinity = INFINITY.exec(text);
  if (infinity !== null) return infinity[1] === "-" ? -Infinity : Infinity;
  // Number() reads "" as 0 and accepts hex, binary and octal; a CSV cell means neither.
  if (text === "" || NON_DECIMAL.test(text)) return Number.NaN;
  return Number(text);
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("latin1");
}
