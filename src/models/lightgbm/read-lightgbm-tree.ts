import { invalidPackage } from "../json-field-readers.ts";
import {
  readFiniteNumbers,
  readIntegerField,
  readIntegers,
  readWords,
} from "./lightgbm-field-readers.ts";
import type { LightgbmSection } from "./parse-lightgbm-text.ts";

/** decision_type bits, as in LightGBM's `tree.h`. */
export const LIGHTGBM_CATEGORICAL_MASK = 1;
export const LIGHTGBM_DEFAULT_LEFT_MASK = 2;

/** Missing types, from decision_type bits 2-3. */
export const LightgbmMissingType = { None: 0, Zero: 1, NaN: 2 } as const;

/**
 * One `Tree=<i>` section with its arrays checked for count, type and range. Internal nodes
 * are `0..numLeaves-2`; a child `c < 0` is leaf `~c`.
 */
export interface LightgbmTree {
  readonly name: string;
  readonly numLeaves: number;
  readonly splitFeature: Int32Array;
  /** Numeric split: `x <= threshold` goes left. Categorical split: index into `catBoundaries`. */
  readonly threshold: Float64Array;
  readonly decisionType: Int32Array;
  readonly leftChild: Int32Array;
  readonly rightChild: Int32Array;
  readonly leafValue: Float64Array;
  /** Per internal node: data count (or hessian weight when the file has no counts). */
  readonly internalCover: Float64Array;
  /** Per leaf: data count (or hessian weight). */
  readonly leafCover: Float64Array;
  readonly splitGain: Float64Array;
  /** `catBoundaries[k]..catBoundaries[k+1]` are the words of bitset k in `catThreshold`. */
  readonly catBoundaries: Int32Array;
  readonly catThreshold: Uint32Array;
}

/**
 * Reads one tree section. `numLeaves` and `num_cat` are only claims: every array must hold
 * exactly the implied count, which the text's own length bounds, so a hostile count is
 * refused before anything of its size is allocated.
 */
export function readLightgbmTree(section: LightgbmSection, numFeatures: number): LightgbmTree {
  const name = section.name;
  const isLinear = section.fields.get("is_linear");
  if (isLinear !== undefined && isLinear.trim() !== "0") {
    throw invalidPackage(
      `${name}.is_linear`,
      "is set: linear trees (linear_tree=true) are not supported",
    );
  }
  // LightGBM writes shrinkage last: without it the section was cut short.
  readFiniteNumbers(section, "shrinkage", 1);
  const numLeaves = readIntegerField(section, "num_leaves", 1, 2 ** 31 - 1);
  const leafValue = readFiniteNumbers(section, "leaf_value", numLeaves);
  const n = numLeaves - 1;
  if (n === 0) {
    return {
      name,
      numLeaves,
      splitFeature: new Int32Array(0),
      threshold: new Float64Array(0),
      decisionType: new Int32Array(0),
      leftChild: new Int32Array(0),
      rightChild: new Int32Array(0),
      leafValue,
      internalCover: new Float64Array(0),
      leafCover: readOptionalCover(section, "leaf_count", "leaf_weight", 1) ?? new Float64Array(1),
      splitGain: new Float64Array(0),
      catBoundaries: new Int32Array(1),
      catThreshold: new Uint32Array(0),
    };
  }
  const numCat = readIntegerField(section, "num_cat", 0, n);
  const decisionType = readIntegers(section, "decision_type", n, 0, 15);
  const hasCategorical = decisionType.some((d) => (d & LIGHTGBM_CATEGORICAL_MASK) !== 0);
  if (hasCategorical && numCat === 0) {
    throw invalidPackage(`${name}.num_cat`, "is 0 but decision_type has categorical splits");
  }
  const catBoundaries =
    numCat > 0
      ? readIntegers(section, "cat_boundaries", numCat + 1, 0, 2 ** 31 - 1)
      : new Int32Array(1);
  const words = catBoundaries[numCat] as number;
  if (catBoundaries[0] !== 0) throw invalidPackage(`${name}.cat_boundaries[0]`, "must be 0");
  for (let k = 0; k < numCat; k++) {
    if ((catBoundaries[k + 1] as number) < (catBoundaries[k] as number)) {
      throw invalidPackage(`${name}.cat_boundaries[${k + 1}]`, "must not decrease");
    }
  }
  const internalCover = readOptionalCover(section, "internal_count", "internal_weight", n);
  const leafCover = readOptionalCover(section, "leaf_count", "leaf_weight", numLeaves);
  if (internalCover === undefined || leafCover === undefined) {
    throw invalidPackage(
      `${name}.leaf_count`,
      "is missing (and so is leaf_weight): node covers are needed for TreeSHAP",
    );
  }
  return {
    name,
    numLeaves,
    splitFeature: readIntegers(section, "split_feature", n, 0, numFeatures - 1),
    threshold: readFiniteNumbers(section, "threshold", n),
    decisionType,
    leftChild: readIntegers(section, "left_child", n, -numLeaves, n - 1),
    rightChild: readIntegers(section, "right_child", n, -numLeaves, n - 1),
    leafValue,
    internalCover,
    leafCover,
    splitGain: section.fields.has("split_gain")
      ? readFiniteNumbers(section, "split_gain", n)
      : new Float64Array(n),
    catBoundaries,
    catThreshold: numCat > 0 ? readWords(section, "cat_threshold", words) : new Uint32Array(0),
  };
}

/** Data counts (what LightGBM's own TreeSHAP weighs by), else hessian weights, else undefined. */
function readOptionalCover(
  section: LightgbmSection,
  countKey: string,
  weightKey: string,
  count: number,
): Float64Array | undefined {
  if (section.fields.has(countKey)) {
    return Float64Array.from(readIntegers(section, countKey, count, 0, 2 ** 31 - 1));
  }
  if (!section.fields.has(weightKey)) return undefined;
  const weights = readFiniteNumbers(section, weightKey, count);
  weights.forEach((w, i) => {
    if (w < 0) throw invalidPackage(`${section.name}.${weightKey}[${i}]`, "must not be negative");
  });
  return weights;
}
