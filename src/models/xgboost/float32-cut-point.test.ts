import assert from "node:assert/strict";
import { test } from "node:test";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { float32CutPoint } from "./float32-cut-point.ts";

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** The adjacent float64 toward -Infinity (x finite, non-zero). */
function below(x: number): number {
  f64[0] = x;
  u64[0] = x > 0 ? (u64[0] as bigint) - 1n : (u64[0] as bigint) + 1n;
  return f64[0] as number;
}

/** `c` is the boundary: it rounds to t or above, the float64 just below it does not. */
function assertBoundary(t: number): void {
  const c = float32CutPoint(t);
  assert.ok(Math.fround(c) >= t, `fround(cut(${t})) = ${Math.fround(c)} < ${t}`);
  if (Number.isFinite(c)) {
    assert.ok(Math.fround(below(c)) < t, `the float64 below cut(${t}) rounds to ${t} or above`);
  }
}

test("the cut point is exactly where float32 rounding crosses the threshold", () => {
  const rng = createSeededRandom(5);
  const bits = new Uint32Array(1);
  const asFloat = new Float32Array(bits.buffer);
  let checked = 0;
  while (checked < 20000) {
    bits[0] = Math.floor(rng.next() * 2 ** 32);
    const t = asFloat[0] as number;
    if (Number.isNaN(t)) continue;
    assertBoundary(t);
    checked++;
  }
});

test("edge thresholds: zeros, subnormals, the float32 extremes, infinities", () => {
  const max = 3.4028234663852886e38;
  for (const t of [0, -0, 2 ** -149, -(2 ** -149), 2 ** -126, 1, -1, max, -max]) assertBoundary(t);
  assert.equal(float32CutPoint(Number.NEGATIVE_INFINITY), Number.NEGATIVE_INFINITY);
  const cInf = float32CutPoint(Number.POSITIVE_INFINITY);
  assert.ok(cInf > max && Math.fround(cInf) === Number.POSITIVE_INFINITY);
  assert.ok(Math.fround(below(cInf)) === max);
  // -max: inputs far below round to -Infinity, which is below -max.
  assert.ok(!(Math.fround(-1e39) >= -max) && -1e39 < float32CutPoint(-max));
});

test("ties round to even, so the cut point is the midpoint or just above it", () => {
  // 1 has an even mantissa; the midpoint to the float32 below rounds up to 1: cut = midpoint.
  const mid1 = (1 + (1 - 2 ** -24)) / 2;
  assert.equal(float32CutPoint(1), mid1);
  // 1 + 2^-23 has an odd mantissa; its lower midpoint rounds down to 1: cut is just above.
  const t = 1 + 2 ** -23;
  const mid = (1 + t) / 2;
  assert.ok(float32CutPoint(t) > mid && below(float32CutPoint(t)) === mid);
});
