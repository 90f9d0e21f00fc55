const RADIX = 2048;
const MASK = RADIX - 1;

/**
 * Sorts finite doubles ascending, in place, by LSD radix sort on their bit patterns: 6 passes
 * of 11, 11 and 10 bits per 32-bit word over keys mapped to unsigned order (negative: all
 * bits flipped; otherwise: sign bit set), skipping any pass in which every value has the same
 * digit (the exponent bits of most real columns). Faster than `Float64Array.prototype.sort`
 * on the 10⁴–10⁶ values of a drift test, and the same order for finite values (-0 before +0,
 * as there). NaN must be removed first.
 */
export function sortFloat64(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < 512) return values.sort();
  let source: Uint32Array = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  let target: Uint32Array = new Uint32Array(n * 2);
  const original = source;
  const counts = new Uint32Array(RADIX);
  for (let pass = 0; pass < 6; pass++) {
    const word = pass < 3 ? 0 : 1;
    const shift = (pass % 3) * 11;
    if (!countDigits(source, n, word, shift, counts)) continue;
    scatter(source, target, n, word, shift, counts);
    [source, target] = [target, source];
  }
  if (source !== original) original.set(source);
  return values;
}

// Each loop is a function of its own so it is optimised once, not on-stack per call.

/** Counts each digit into `counts`; false when one digit holds every value (nothing to move). */
function countDigits(
  words: Uint32Array,
  n: number,
  word: number,
  shift: number,
  counts: Uint32Array,
): boolean {
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const high = words[2 * i + 1] as number;
    const flip = high & 0x80000000 ? 0xffffffff : word === 1 ? 0x80000000 : 0;
    const digit = (((words[2 * i + word] as number) ^ flip) >>> shift) & MASK;
    counts[digit] = (counts[digit] as number) + 1;
  }
  let offset = 0;
  for (let d = 0; d < RADIX; d++) {
    const c = counts[d] as number;
    if (c === n) return false;
    counts[d] = offset;
    offset += c;
  }
  return true;
}

/** Moves each value (both words) to its digit's next slot; `counts` holds the slot starts. */
function scatter(
  source: Uint32Array,
  target: Uint32Array,
  n: number,
  word: number,
  shift: number,
  counts: Uint32Array,
): void {
  for (let i = 0; i < n; i++) {
    const low = source[2 * i] as number;
    const high = source[2 * i + 1] as number;
    const flip = high & 0x80000000 ? 0xffffffff : word === 1 ? 0x80000000 : 0;
    const digit = (((word === 0 ? low : high) ^ flip) >>> shift) & MASK;
    const at = counts[digit] as number;
    counts[digit] = at + 1;
    target[2 * at] = low;
    target[2 * at + 1] = high;
  }
}
