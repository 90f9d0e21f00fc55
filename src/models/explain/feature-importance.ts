import type { TreeEnsemble } from "../tree-ensemble.ts";
import { validateTreeEnsemble } from "../validate-tree-ensemble.ts";

/**
 * Global importance per feature (indexed like `featureNames`), from the splits of every
 * tree. Names follow XGBoost's `get_score` types: split = `weight`, total gain =
 * `total_gain`, average gain = `gain`, and likewise for cover.
 */
export interface FeatureImportance {
  /** How many internal nodes split on the feature. */
  readonly split: Float64Array;
  /** Sum of the loss reductions of those splits; null when the ensemble has no `gain`. */
  readonly totalGain: Float64Array | null;
  /** `totalGain / split` (0 for a feature never split on); null without `gain`. */
  readonly averageGain: Float64Array | null;
  /** Sum of the covers of those split nodes. */
  readonly totalCover: Float64Array;
  /** `totalCover / split` (0 for a feature never split on). */
  readonly averageCover: Float64Array;
}

/**
 * Split-count, gain and cover importance of every feature.
 *
 * @example
 * const { averageGain } = featureImportance(ensemble);
 * const top = ensemble.featureNames[averageGain!.indexOf(Math.max(...averageGain!))];
 */
export function featureImportance(ensemble: TreeEnsemble): FeatureImportance {
  validateTreeEnsemble(ensemble);
  const numFeatures = ensemble.featureNames.length;
  const split = new Float64Array(numFeatures);
  const totalCover = new Float64Array(numFeatures);
  const gain = ensemble.gain;
  const totalGain = gain === undefined ? null : new Float64Array(numFeatures);
  // Walk from the roots: nodes no tree reaches (allowed by the format) must not count.
  const stack: number[] = [...ensemble.treeRoot];
  while (stack.length > 0) {
    const node = stack.pop() as number;
    const f = ensemble.feature[node] as number;
    if (f === -1) continue;
    split[f] = (split[f] as number) + 1;
    totalCover[f] = (totalCover[f] as number) + (ensemble.cover[node] as number);
    if (totalGain !== null && gain !== undefined) {
      totalGain[f] = (totalGain[f] as number) + (gain[node] as number);
    }
    stack.push(ensemble.left[node] as number, ensemble.right[node] as number);
  }
  const average = (total: Float64Array): Float64Array =>
    total.map((sum, f) => ((split[f] as number) > 0 ? sum / (split[f] as number) : 0));
  return {
    split,
    totalGain,
    averageGain: totalGain === null ? null : average(totalGain),
    totalCover,
    averageCover: average(totalCover),
  };
}
