import assert from "node:assert/strict";

/**
 * 1e-9 relative, with no absolute slack: summation order (NumPy's pairwise sums against our
 * running sums) accounts for ~1e-15 on the fixtures, far below this, and an expected 0 must
 * come out exactly 0.
 */
export const RELATIVE_TOLERANCE = 1e-9;

/** Asserts |actual − expected| <= 1e-9 · |expected|. */
export function assertClose(actual: number, expected: number, label: string): void {
  const error = Math.abs(actual - expected);
  assert.ok(
    error <= RELATIVE_TOLERANCE * Math.abs(expected),
    `${label}: got ${actual}, expected ${expected} (difference ${error})`,
  );
}
