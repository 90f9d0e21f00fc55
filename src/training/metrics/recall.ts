import { binaryConfusion, type ThresholdOptions } from "./binary-confusion.ts";

/**
 * Weighted TP / (TP + FN) of `prob >= threshold` (default 0.5), as scikit-learn's
 * `recall_score(zero_division=0)`: 0 when no row is positive. Throws like `binaryConfusion`.
 *
 * @example
 * recall(new Float64Array([1, 0, 1]), new Float64Array([0.7, 0.6, 0.2])); // 0.5
 */
export function recall(
  yTrue: Float64Array,
  prob: Float64Array,
  options?: ThresholdOptions,
): number {
  const c = binaryConfusion(yTrue, prob, options);
  return recallOf(c.truePositive, c.falseNegative);
}

/** TP / (TP + FN), 0 when the denominator is 0 (scikit-learn's zero_division=0). */
export function recallOf(truePositive: number, falseNegative: number): number {
  const actual = truePositive + falseNegative;
  return actual === 0 ? 0 : truePositive / actual;
}
