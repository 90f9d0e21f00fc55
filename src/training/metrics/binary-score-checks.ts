import {
  invalidData,
  requireBinaryLabels,
  requireFinite,
  requireSameLength,
  requireWeights,
} from "./metric-input-checks.ts";

/**
 * The checks shared by the ranking-style binary metrics (ROC AUC, average precision): 0/1
 * labels, finite scores, valid weights, and both classes carrying weight. scikit-learn raises
 * for a single class in ROC AUC and returns a degenerate value for average precision; both
 * are refused here because an early-stopping loop cannot act on either.
 */
export function requireBinaryScores(
  yTrue: Float64Array,
  yScore: Float64Array,
  weight: Float64Array | undefined,
): void {
  const n = requireSameLength(["yTrue", yTrue], ["yScore", yScore]);
  requireBinaryLabels("yTrue", yTrue);
  requireFinite("yScore", yScore);
  requireWeights(weight, n);
  let positive = 0;
  let negative = 0;
  let positiveRows = 0;
  for (let i = 0; i < n; i++) {
    const w = weight === undefined ? 1 : (weight[i] as number);
    if (yTrue[i] === 1) {
      positive += w;
      positiveRows++;
    } else negative += w;
  }
  if (positiveRows === 0 || positiveRows === n) {
    invalidData(
      "yTrue",
      `'yTrue' has only ${positiveRows === 0 ? "negatives (0)" : "positives (1)"}; the metric needs both classes`,
    );
  }
  if (positive === 0 || negative === 0) {
    invalidData(
      "weight",
      `'weight' gives the ${positive === 0 ? "positive" : "negative"} class a total of 0; the metric needs both classes`,
    );
  }
}
