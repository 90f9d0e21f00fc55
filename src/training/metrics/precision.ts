import { binaryConfusion, type ThresholdOptions } from "./binary-confusion.ts";

/**
 * Weighted TP / (TP + FP) of `prob >= threshold` (default 0.5), as scikit-learn's
 * `precision_score(zero_division=0)`: 0 when nothing is predicted positive. Throws like
 * `binaryConfusion`.
 *
 * @example
 * precision(new Float64Array([1, 0, 1]), new Float64Array([0.7, 0.6, 0.2])); // 0.5
 */
export function precision(
  yTrue: Float64Array,
  prob: Float64Array,
  options?: ThresholdOptions,
): number {
  const c = binaryConfusion(yTrue, prob, options);
  return precisionOf(c.truePositive, c.falsePositive);
}

/** TP / (TP + FP), 0 when the denominator is 0 (scikit-learn's zero_division=0). */
export function precisionOf(truePositive: number, falsePositive: number): number {
  const predicted = truePositive + falsePositive;
  return predicted === 0 ? 0 : truePositive / predicted;
}
