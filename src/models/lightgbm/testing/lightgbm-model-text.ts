import type { SeededRandom } from "../../../core/seeded-random.ts";
import { LIGHTGBM_ZERO } from "../convert-lightgbm-trees.ts";

/** One tree in LightGBM's own terms: internal nodes 0..n-1, a child `c < 0` is leaf `~c`. */
export interface LightgbmTreeSpec {
  readonly splitFeature: readonly number[];
  readonly threshold: readonly number[];
  readonly decisionType: readonly number[];
  readonly leftChild: readonly number[];
  readonly rightChild: readonly number[];
  readonly leafValue: readonly number[];
  readonly catBoundaries?: readonly number[];
  readonly catThreshold?: readonly number[];
}

export interface LightgbmModelSpec {
  readonly objective?: string;
  readonly numFeatures: number;
  readonly numClass?: number;
  readonly trees: readonly LightgbmTreeSpec[];
  /** Extra header lines (`average_output`, `feature_infos=...`). */
  readonly headerLines?: readonly string[];
}

/**
 * Writes a model in LightGBM's text layout, for hand-built test models. Counts are 1 per
 * leaf and the sum below each node, as LightGBM records them.
 */
export function lightgbmModelText(spec: LightgbmModelSpec): string {
  const numClass = spec.numClass ?? 1;
  const trees = spec.trees.map((tree, t) => {
    const numLeaves = tree.leafValue.length;
    const count = (child: number): number =>
      child < 0
        ? 1
        : count(tree.leftChild[child] as number) + count(tree.rightChild[child] as number);
    const lines = [
      `Tree=${t}`,
      `num_leaves=${numLeaves}`,
      `num_cat=${(tree.catBoundaries?.length ?? 1) - 1}`,
      `split_feature=${tree.splitFeature.join(" ")}`,
      `split_gain=${tree.splitFeature.map(() => 1).join(" ")}`,
      `threshold=${tree.threshold.map(String).join(" ")}`,
      `decision_type=${tree.decisionType.join(" ")}`,
      `left_child=${tree.leftChild.join(" ")}`,
      `right_child=${tree.rightChild.join(" ")}`,
      `leaf_value=${tree.leafValue.map(String).join(" ")}`,
      `leaf_count=${tree.leafValue.map(() => 1).join(" ")}`,
      `internal_value=${tree.splitFeature.map(() => 0).join(" ")}`,
      `internal_count=${tree.splitFeature.map((_, n) => count(n)).join(" ")}`,
      ...(tree.catBoundaries === undefined
        ? []
        : [
            `cat_boundaries=${tree.catBoundaries.join(" ")}`,
            `cat_threshold=${(tree.catThreshold ?? []).join(" ")}`,
          ]),
      "shrinkage=1",
    ];
    return `${lines.join("\n")}\n\n`;
  });
  return [
    "tree",
    "version=v3",
    `num_class=${numClass}`,
    `num_tree_per_iteration=${numClass}`,
    "label_index=0",
    `max_feature_idx=${spec.numFeatures - 1}`,
    `objective=${spec.objective ?? "regression"}`,
    ...(spec.headerLines ?? []),
    `feature_names=${Array.from({ length: spec.numFeatures }, (_, f) => `f${f}`).join(" ")}`,
    `tree_sizes=${trees.map((t) => t.length).join(" ")}`,
    "",
    trees.join(""),
    "end of trees",
    "",
    "feature_importances:",
    "",
    "parameters:",
    "end of parameters",
    "",
  ].join("\n");
}

/**
 * LightGBM's `Tree::Predict`, restated from `include/LightGBM/tree.h` as the reference the
 * importer is tested against.
 */
export function lightgbmReferenceScore(tree: LightgbmTreeSpec, row: ArrayLike<number>): number {
  if (tree.leafValue.length === 1) return tree.leafValue[0] as number;
  let node = 0;
  while (node >= 0)
    node = lightgbmReferenceChild(tree, node, row[tree.splitFeature[node] as number] as number);
  return tree.leafValue[~node] as number;
}

/**
 * LightGBM's `Decision` at internal node `node`: NumericalDecision with its three missing
 * types, CategoricalDecision truncating the code and sending NaN and negative codes right.
 */
export function lightgbmReferenceChild(
  tree: LightgbmTreeSpec,
  node: number,
  value: number,
): number {
  let x = value;
  const decision = tree.decisionType[node] as number;
  const left = tree.leftChild[node] as number;
  const right = tree.rightChild[node] as number;
  if (decision & 1) {
    const code = Math.trunc(x);
    if (Number.isNaN(x) || code < 0) return right;
    const k = tree.threshold[node] as number;
    const begin = (tree.catBoundaries as number[])[k] as number;
    const end = (tree.catBoundaries as number[])[k + 1] as number;
    const word = Math.floor(code / 32);
    const bits = word < end - begin ? ((tree.catThreshold as number[])[begin + word] as number) : 0;
    return (bits >>> (code % 32)) & 1 ? left : right;
  }
  const missing = (decision >> 2) & 3;
  if (Number.isNaN(x) && missing !== 2) x = 0;
  const isZero = x >= -LIGHTGBM_ZERO && x <= LIGHTGBM_ZERO;
  if ((missing === 1 && isZero) || (missing === 2 && Number.isNaN(x))) {
    return decision & 2 ? left : right;
  }
  return x <= (tree.threshold[node] as number) ? left : right;
}

/** The data count `lightgbmModelText` records for a child reference: 1 per leaf below it. */
export function lightgbmSpecCount(tree: LightgbmTreeSpec, child: number): number {
  return child < 0
    ? 1
    : lightgbmSpecCount(tree, tree.leftChild[child] as number) +
        lightgbmSpecCount(tree, tree.rightChild[child] as number);
}

/**
 * A random tree grown as LightGBM grows one (a leaf split into a node and two leaves), over
 * numeric features with every decision type and categorical features (`categorical[f]`)
 * with random bitsets of 1-2 words. Thresholds come from `grid`.
 */
export function randomLightgbmTree(
  rng: SeededRandom,
  numLeaves: number,
  categorical: readonly boolean[],
  grid: readonly number[],
): LightgbmTreeSpec {
  const n = numLeaves - 1;
  const leftChild: number[] = [];
  const rightChild: number[] = [];
  const leafParent: number[] = [-1];
  const splitFeature: number[] = [];
  const threshold: number[] = [];
  const decisionType: number[] = [];
  const catBoundaries = [0];
  const catThreshold: number[] = [];
  for (let node = 0; node < n; node++) {
    const leaf = rng.nextInt(node + 1);
    const parent = leafParent[leaf] as number;
    if (parent >= 0) {
      if (leftChild[parent] === ~leaf) leftChild[parent] = node;
      else rightChild[parent] = node;
    }
    leftChild[node] = ~leaf;
    rightChild[node] = ~(node + 1);
    leafParent[leaf] = node;
    leafParent[node + 1] = node;
    const f = rng.nextInt(categorical.length);
    splitFeature[node] = f;
    if (categorical[f]) {
      decisionType[node] = rng.next() < 0.5 ? 1 : 9;
      threshold[node] = catBoundaries.length - 1;
      const words = 1 + rng.nextInt(2);
      for (let w = 0; w < words; w++) catThreshold.push(rng.nextInt(2 ** 32));
      catBoundaries.push(catThreshold.length);
    } else {
      decisionType[node] = [0, 2, 4, 6, 8, 10][rng.nextInt(6)] as number;
      threshold[node] = grid[rng.nextInt(grid.length)] as number;
    }
  }
  const hasCategories = catBoundaries.length > 1;
  return {
    splitFeature,
    threshold,
    decisionType,
    leftChild,
    rightChild,
    leafValue: Array.from({ length: numLeaves }, () => Math.round(rng.next() * 2000 - 1000) / 1000),
    ...(hasCategories ? { catBoundaries, catThreshold } : {}),
  };
}
