import { binaryClfCurve } from "./binary-clf-curve.ts";
import { requireBinaryScores } from "./binary-score-checks.ts";

/**
 * Average precision for 0/1 labels and real-valued scores, as scikit-learn's
 * `average_precision_score`: the step-wise sum of precision × recall gained at each distinct
 * score threshold (no interpolation). Tied scores form one threshold, so their order in the
 * input does not matter.
 *
 * Throws TRAINING_INVALID_DATA on mismatched or empty arrays, non-0/1 labels, non-finite
 * scores, bad weights, or when only one class is present (or carries weight); scikit-learn
 * returns 0 (no positives) or 1 (no negatives) there, neither useful for early stopping.
 *
 * @example
 * averagePrecision(new Float64Array([0, 0, 1, 1]), new Float64Array([0.1, 0.4, 0.35, 0.8]));
 * // 0.8333333333333333
 */
export function averagePrecision(
  yTrue: Float64Array,
  yScore: Float64Array,
  weight?: Float64Array,
): number {
  requireBinaryScores(yTrue, yScore, weight);
  const { length, falsePositives, truePositives } = binaryClfCurve(yTrue, yScore, weight);
  const positives = truePositives[length - 1] as number;
  let sum = 0;
  let prevRecall = 0;
  for (let i = 0; i < length; i++) {
    const tp = truePositives[i] as number;
    const predicted = tp + (falsePositives[i] as number);
    // A threshold can hold only zero-weight rows; scikit-learn sets its precision to 0.
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = tp / positives;
    sum += (recall - prevRecall) * precision;
    prevRecall = recall;
  }
  return sum;
}
