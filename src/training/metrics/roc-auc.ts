import { binaryClfCurve } from "./binary-clf-curve.ts";
import { requireBinaryScores } from "./binary-score-checks.ts";

/**
 * Area under the ROC curve for 0/1 labels and real-valued scores, as scikit-learn's
 * `roc_auc_score`: the trapezoid rule over distinct score thresholds, so a positive and a
 * negative with equal scores count as half correctly ordered. Weights scale each row's
 * contribution to the true- and false-positive counts.
 *
 * Throws TRAINING_INVALID_DATA on mismatched or empty arrays, non-0/1 labels, non-finite
 * scores, bad weights, or when only one class is present (or carries weight).
 *
 * @example
 * rocAuc(new Float64Array([0, 0, 1, 1]), new Float64Array([0.1, 0.4, 0.35, 0.8])); // 0.75
 */
export function rocAuc(yTrue: Float64Array, yScore: Float64Array, weight?: Float64Array): number {
  requireBinaryScores(yTrue, yScore, weight);
  const { length, falsePositives, truePositives } = binaryClfCurve(yTrue, yScore, weight);
  const negatives = falsePositives[length - 1] as number;
  const positives = truePositives[length - 1] as number;
  // Normalise before integrating, in scikit-learn's order, so results agree to the last bits.
  let area = 0;
  let prevFpr = 0;
  let prevTpr = 0;
  for (let i = 0; i < length; i++) {
    const fpr = (falsePositives[i] as number) / negatives;
    const tpr = (truePositives[i] as number) / positives;
    area += ((fpr - prevFpr) * (tpr + prevTpr)) / 2;
    prevFpr = fpr;
    prevTpr = tpr;
  }
  return area;
}
