import { invalidArgument } from "../../core/errors.ts";
import { invalidData, requireProbabilities, requireSameLength } from "./metric-input-checks.ts";

/** Checks `numClasses` and that every label is a class index; returns the row count. */
export function requireClassLabels(yTrue: Float64Array, numClasses: number): number {
  if (!(Number.isInteger(numClasses) && numClasses >= 2)) {
    throw invalidArgument("numClasses", `expected an integer >= 2, got ${numClasses}`);
  }
  const n = requireSameLength(["yTrue", yTrue]);
  for (let i = 0; i < n; i++) {
    const y = yTrue[i] as number;
    if (!(Number.isInteger(y) && y >= 0 && y < numClasses)) {
      invalidData(
        "yTrue",
        `'yTrue' row ${i} is ${y}; expected a class index in [0, ${numClasses})`,
      );
    }
  }
  return n;
}

/** Checks that `probs` is an n × numClasses row-major block of probabilities. */
export function requireClassProbabilities(
  probs: Float64Array,
  n: number,
  numClasses: number,
): void {
  if (probs.length !== n * numClasses) {
    invalidData(
      "probs",
      `'probs' has ${probs.length} values; expected ${n} rows × ${numClasses} classes = ${n * numClasses}`,
    );
  }
  requireProbabilities("probs", probs);
}
