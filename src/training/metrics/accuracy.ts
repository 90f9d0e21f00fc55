import { binaryConfusion, type ThresholdOptions } from "./binary-confusion.ts";

/**
 * Weighted fraction of rows whose thresholded prediction (`prob >= threshold`, default 0.5)
 * equals the 0/1 label, as scikit-learn's `accuracy_score`. Throws like `binaryConfusion`.
 *
 * @example
 * accuracy(new Float64Array([1, 0, 1]), new Float64Array([0.7, 0.6, 0.2])); // 0.3333333333333333
 * accuracy(new Float64Array([1, 0, 1]), new Float64Array([0.7, 0.6, 0.2]), { threshold: 0.65 }); // 0.6666666666666666
 */
export function accuracy(
  yTrue: Float64Array,
  prob: Float64Array,
  options?: ThresholdOptions,
): number {
  const c = binaryConfusion(yTrue, prob, options);
  const correct = c.truePositive + c.trueNegative;
  return correct / (correct + c.falsePositive + c.falseNegative);
}
