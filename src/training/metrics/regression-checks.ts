import { requireFinite, requireSameLength, requireWeights } from "./metric-input-checks.ts";

/** Checks a regression target/prediction pair and weights; returns the total weight. */
export function requireRegressionInput(
  yTrue: Float64Array,
  yPred: Float64Array,
  weight: Float64Array | undefined,
): number {
  const n = requireSameLength(["yTrue", yTrue], ["yPred", yPred]);
  requireFinite("yTrue", yTrue);
  requireFinite("yPred", yPred);
  return requireWeights(weight, n);
}
