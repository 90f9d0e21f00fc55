import { PlinthError } from "../../core/errors.ts";
import { nextNode } from "../tree-decision.ts";
import type { TreeEnsemble } from "../tree-ensemble.ts";
import { validateTreeEnsemble } from "../validate-tree-ensemble.ts";

/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent Individualized
 * Feature Attribution for Tree Ensembles", Algorithm 2): each feature's Shapley value for
 * the raw score, where "feature unknown" follows both children weighted by `cover`.
 *
 * Returns `numRows × numOutputs × (numFeatures + 1)`, row-major; the last entry of each
 * `(row, output)` block is the bias (the expected raw score, base score included), so each
 * block sums to the row's raw score. Missing values and categorical codes follow the
 * TreeEnsemble decision rule. Same layout as XGBoost's `predict(pred_contribs=True)`.
 *
 * @example
 * const phi = treeShap(ensemble, rows, numRows);
 * const biasOfRow0 = phi[ensemble.featureNames.length]; // single-output model
 */
export function treeShap(
  ensemble: TreeEnsemble,
  rows: Float64Array,
  numRows: number,
): Float64Array {
  validateTreeEnsemble(ensemble);
  const numFeatures = ensemble.featureNames.length;
  if (!Number.isInteger(numRows) || numRows < 0 || rows.length !== numRows * numFeatures) {
    throw new PlinthError(
      "MODELS_INVALID_INPUT",
      `Input has ${rows.length} values, not ${numRows} rows of ${numFeatures} features`,
      { field: "rows" },
    );
  }
  const K = ensemble.numOutputs;
  const stride = numFeatures + 1;
  const out = new Float64Array(numRows * K * stride);
  const bias = expectedValue(ensemble);
  const walker = new PathWalker(ensemble, maxDepth(ensemble));
  for (let r = 0; r < numRows; r++) {
    const row = rows.subarray(r * numFeatures, (r + 1) * numFeatures);
    for (let k = 0; k < K; k++) out[(r * K + k) * stride + numFeatures] = bias[k] as number;
    for (let t = 0; t < ensemble.treeRoot.length; t++) {
      const at = (r * K + (ensemble.treeOutput[t] as number)) * stride;
      walker.explain(ensemble.treeRoot[t] as number, row, out.subarray(at, at + numFeatures));
    }
  }
  return out;
}

/** Per output: the base score plus each tree's cover-weighted mean leaf value (SHAP's bias). */
export function expectedValue(ensemble: TreeEnsemble): Float64Array {
  validateTreeEnsemble(ensemble);
  const bias = Float64Array.from(ensemble.baseScore);
  const mean = (node: number): number => {
    if (ensemble.feature[node] === -1) return ensemble.value[node] as number;
    const l = ensemble.left[node] as number;
    const r = ensemble.right[node] as number;
    return coverFraction(ensemble, l, node) * mean(l) + coverFraction(ensemble, r, node) * mean(r);
  };
  for (let t = 0; t < ensemble.treeRoot.length; t++) {
    const k = ensemble.treeOutput[t] as number;
    bias[k] = (bias[k] as number) + mean(ensemble.treeRoot[t] as number);
  }
  return bias;
}

/** Share of `parent`'s training cover that went to `child`; even split for an empty parent. */
function coverFraction(e: TreeEnsemble, child: number, parent: number): number {
  const c = e.cover[parent] as number;
  return c > 0 ? (e.cover[child] as number) / c : 0.5;
}

function maxDepth(e: TreeEnsemble): number {
  const depth = (node: number): number =>
    e.feature[node] === -1
      ? 0
      : 1 + Math.max(depth(e.left[node] as number), depth(e.right[node] as number));
  let max = 0;
  for (const root of e.treeRoot) max = Math.max(max, depth(root));
  return max;
}

/**
 * The recursion of Algorithm 2 over flat path buffers. A path is an array of
 * (feature, zero fraction, one fraction, permutation weight); each recursion level works on
 * its own copy, stored after its parent's, as in the reference implementation.
 */
class PathWalker {
  readonly #e: TreeEnsemble;
  readonly #feature: Int32Array;
  readonly #zero: Float64Array;
  readonly #one: Float64Array;
  readonly #weight: Float64Array;
  #row: Float64Array = new Float64Array(0);
  #phi: Float64Array = new Float64Array(0);

  constructor(e: TreeEnsemble, maxDepth: number) {
    this.#e = e;
    const size = ((maxDepth + 2) * (maxDepth + 3)) / 2 + 1;
    this.#feature = new Int32Array(size);
    this.#zero = new Float64Array(size);
    this.#one = new Float64Array(size);
    this.#weight = new Float64Array(size);
  }

  /** Adds the tree at `root`'s contributions for `row` into `phi` (one entry per feature). */
  explain(root: number, row: Float64Array, phi: Float64Array): void {
    this.#row = row;
    this.#phi = phi;
    this.#recurse(root, 0, 0, 1, 1, -1);
  }

  #recurse(
    node: number,
    depth: number,
    parentAt: number,
    zero: number,
    one: number,
    feature: number,
  ): void {
    const e = this.#e;
    const at = parentAt + depth + 1;
    this.#feature.copyWithin(at, parentAt, parentAt + depth);
    this.#zero.copyWithin(at, parentAt, parentAt + depth);
    this.#one.copyWithin(at, parentAt, parentAt + depth);
    this.#weight.copyWithin(at, parentAt, parentAt + depth);
    this.#extend(at, depth, zero, one, feature);

    const split = e.feature[node] as number;
    if (split === -1) {
      const value = e.value[node] as number;
      for (let i = 1; i <= depth; i++) {
        const w = this.#unwoundSum(at, depth, i);
        const f = this.#feature[at + i] as number;
        const delta = (this.#one[at + i] as number) - (this.#zero[at + i] as number);
        this.#phi[f] = (this.#phi[f] as number) + w * delta * value;
      }
      return;
    }
    const hot = nextNode(e, node, this.#row[split] as number);
    const cold = hot === e.left[node] ? (e.right[node] as number) : (e.left[node] as number);
    let incomingZero = 1;
    let incomingOne = 1;
    let d = depth;
    // A feature already on the path is undone here and redone with this split's fractions.
    for (let i = 1; i <= d; i++) {
      if (this.#feature[at + i] === split) {
        incomingZero = this.#zero[at + i] as number;
        incomingOne = this.#one[at + i] as number;
        this.#unwind(at, d, i);
        d--;
        break;
      }
    }
    const hotZero = coverFraction(e, hot, node) * incomingZero;
    const coldZero = coverFraction(e, cold, node) * incomingZero;
    // A branch no coalition reaches (both fractions 0) contributes nothing; skipping it also
    // keeps a later unwind from dividing by its zero fraction.
    if (hotZero !== 0 || incomingOne !== 0)
      this.#recurse(hot, d + 1, at, hotZero, incomingOne, split);
    if (coldZero !== 0) this.#recurse(cold, d + 1, at, coldZero, 0, split);
  }

  #extend(at: number, depth: number, zero: number, one: number, feature: number): void {
    const w = this.#weight;
    this.#feature[at + depth] = feature;
    this.#zero[at + depth] = zero;
    this.#one[at + depth] = one;
    w[at + depth] = depth === 0 ? 1 : 0;
    for (let i = depth - 1; i >= 0; i--) {
      w[at + i + 1] =
        (w[at + i + 1] as number) + (one * (w[at + i] as number) * (i + 1)) / (depth + 1);
      w[at + i] = (zero * (w[at + i] as number) * (depth - i)) / (depth + 1);
    }
  }

  #unwind(at: number, depth: number, index: number): void {
    const w = this.#weight;
    const one = this.#one[at + index] as number;
    const zero = this.#zero[at + index] as number;
    let next = w[at + depth] as number;
    for (let i = depth - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = w[at + i] as number;
        w[at + i] = (next * (depth + 1)) / ((i + 1) * one);
        next = tmp - ((w[at + i] as number) * zero * (depth - i)) / (depth + 1);
      } else {
        w[at + i] = ((w[at + i] as number) * (depth + 1)) / (zero * (depth - i));
      }
    }
    for (let i = index; i < depth; i++) {
      this.#feature[at + i] = this.#feature[at + i + 1] as number;
      this.#zero[at + i] = this.#zero[at + i + 1] as number;
      this.#one[at + i] = this.#one[at + i + 1] as number;
    }
  }

  /** Total permutation weight of the path with element `index` removed (without removing it). */
  #unwoundSum(at: number, depth: number, index: number): number {
    const w = this.#weight;
    const one = this.#one[at + index] as number;
    const zero = this.#zero[at + index] as number;
    let next = w[at + depth] as number;
    let total = 0;
    for (let i = depth - 1; i >= 0; i--) {
      if (one !== 0) {
        const tmp = next / ((i + 1) * one);
        total += tmp;
        next = (w[at + i] as number) - tmp * zero * (depth - i);
      } else {
        total += (w[at + i] as number) / (zero * (depth - i));
      }
    }
    return total * (depth + 1);
  }
}
