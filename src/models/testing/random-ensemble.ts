import type { SeededRandom } from "../../core/seeded-random.ts";
import type { TreeEnsemble, TreeEnsembleLink } from "../tree-ensemble.ts";
import { ensembleFromSpec, type NodeSpec } from "./ensemble-from-spec.ts";

/** Split points and input values come from this grid, so inputs often equal a threshold. */
export const RANDOM_GRID = [-1, -0.5, 0, 0.5, 1];

export interface RandomEnsembleOptions {
  readonly numFeatures: number;
  readonly numTrees: number;
  readonly maxDepth: number;
  readonly numOutputs?: number;
  readonly link?: TreeEnsembleLink;
  /** Which features are categorical (codes 0..5 appear in splits). */
  readonly categorical?: readonly boolean[];
}

/**
 * A random ensemble for property tests: unbalanced trees, features repeated along paths,
 * random default directions, random leaf covers and, for categorical features, random
 * category sets.
 */
export function randomEnsemble(rng: SeededRandom, options: RandomEnsembleOptions): TreeEnsemble {
  const categorical = options.categorical ?? new Array<boolean>(options.numFeatures).fill(false);
  const grow = (depth: number): NodeSpec => {
    if (depth >= options.maxDepth || (depth > 0 && rng.next() < 0.25)) {
      return { leaf: Math.round((rng.next() * 4 - 2) * 1000) / 1000, cover: 1 + rng.nextInt(20) };
    }
    const feature = rng.nextInt(options.numFeatures);
    const common = {
      feature,
      defaultLeft: rng.next() < 0.5,
      gain: rng.next() * 10,
      left: grow(depth + 1),
      right: grow(depth + 1),
    };
    if (!categorical[feature]) {
      return { ...common, threshold: RANDOM_GRID[rng.nextInt(RANDOM_GRID.length)] as number };
    }
    const categories = [0, 1, 2, 3, 4, 5].filter(() => rng.next() < 0.5);
    return { ...common, categories, categoryWords: 1 };
  };
  const numOutputs = options.numOutputs ?? 1;
  return ensembleFromSpec({
    featureNames: Array.from({ length: options.numFeatures }, (_, f) => `f${f}`),
    categoricalFeatures: categorical,
    trees: Array.from({ length: options.numTrees }, () => grow(0)),
    treeOutput: Array.from({ length: options.numTrees }, (_, t) => t % numOutputs),
    numOutputs,
    baseScore: Array.from({ length: numOutputs }, () => rng.next() - 0.5),
    link: options.link ?? (numOutputs > 1 ? "softmax" : "identity"),
  });
}

/**
 * Random rows for `randomEnsemble` models: grid values and NaN for numeric features; valid,
 * negative, non-integer, beyond-the-bitset codes and NaN for categorical ones.
 */
export function randomRows(
  rng: SeededRandom,
  numRows: number,
  categorical: readonly boolean[],
): Float64Array {
  const codes = [0, 1, 2, 3, 4, 5, 6, 40, -1, 1.5, Number.NaN];
  const rows = new Float64Array(numRows * categorical.length);
  for (let i = 0; i < rows.length; i++) {
    if (categorical[i % categorical.length]) rows[i] = codes[rng.nextInt(codes.length)] as number;
    else if (rng.next() < 0.1) rows[i] = Number.NaN;
    else
      rows[i] =
        (RANDOM_GRID[rng.nextInt(RANDOM_GRID.length)] as number) + (rng.next() < 0.5 ? 0 : 0.25);
  }
  return rows;
}
