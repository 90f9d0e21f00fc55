import { binaryConfusion, type ThresholdOptions } from "./binary-confusion.ts";
import { precisionOf } from "./precision.ts";
import { recallOf } from "./recall.ts";

/**
 * Harmonic mean of precision and recall of `prob >= threshold` (default 0.5), as
 * scikit-learn's `f1_score(zero_division=0)`: 0 when precision and recall are both 0 or
 * undefined. Throws like `binaryConfusion`.
 *
 * @example
 * f1(new Float64Array([1, 0, 1, 1]), new Float64Array([0.7, 0.6, 0.2, 0.9])); // 0.6666666666666666
 */
export function f1(yTrue: Float64Array, prob: Float64Array, options?: ThresholdOptions): number {
  const c = binaryConfusion(yTrue, prob, options);
  const p = precisionOf(c.truePositive, c.falsePositive);
  const r = recallOf(c.truePositive, c.falseNegative);
  // Computed from P and R, not 2TP / (2TP + FP + FN), to round exactly as scikit-learn does.
  const denominator = p + r;
  return denominator === 0 ? 0 : (2 * p * r) / denominator;
}
