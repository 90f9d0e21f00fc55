import { invalidPackage } from "../json-field-readers.ts";
import type { TreeEnsemble } from "../tree-ensemble.ts";
import { MAX_TREE_DEPTH } from "../validate-tree-ensemble.ts";
import { nextDoubleUp } from "./next-double-up.ts";
import {
  LIGHTGBM_CATEGORICAL_MASK,
  LIGHTGBM_DEFAULT_LEFT_MASK,
  LightgbmMissingType,
  type LightgbmTree,
} from "./read-lightgbm-tree.ts";

/** LightGBM's `kZeroThreshold` (`1e-35f` widened to double): `|x| <= ZERO` is zero to it. */
export const LIGHTGBM_ZERO = Math.fround(1e-35);

/**
 * Expanding zero-as-missing splits copies subtrees, and nested copies compound: a hostile
 * chain of such splits would double the tree at every level. The expanded model may have at
 * most this many times the file's nodes (plus a little), and never more than MAX_NODES.
 */
const MAX_EXPANSION = 4;
const MAX_NODES = 2 ** 24;

/** The TreeEnsemble members that hold nodes, plus the tree roots. */
export type LightgbmNodeArrays = Omit<
  TreeEnsemble,
  "featureNames" | "categoricalFeatures" | "numOutputs" | "baseScore" | "link" | "treeOutput"
>;

/**
 * Converts checked LightGBM trees into TreeEnsemble node arrays (depth-first preorder,
 * leaf values multiplied by `leafScale`), reproducing LightGBM's `NumericalDecision` and
 * `CategoricalDecision` for every float64 input:
 *
 * - numeric `x <= t` becomes `x < nextDoubleUp(t)`;
 * - missing type None: LightGBM scores NaN as 0, so NaN takes the side 0 takes;
 * - missing type NaN: NaN takes the default side;
 * - missing type Zero: NaN and every `|x| <= 1e-35f` take the default side. Where that side
 *   agrees with the threshold over the whole zero band, or the threshold falls inside the
 *   band, one node with a moved threshold is exact. Otherwise the band is an interval
 *   inside the other side's range, and the node becomes three nodes with both child
 *   subtrees written twice (covers are set so that path-dependent expectations, and so
 *   TreeSHAP values and bias, are those of LightGBM's tree);
 * - categorical: codes in the bitset go left; NaN, negative codes and codes beyond the
 *   bitset go right. LightGBM truncates a non-integer code (`static_cast<int>`); TreeEnsemble
 *   treats it as missing and sends it right, so categorical inputs must be integer codes.
 */
export function convertLightgbmTrees(
  trees: readonly LightgbmTree[],
  leafScale: number,
): LightgbmNodeArrays {
  const fileNodes = trees.reduce((sum, tree) => sum + 2 * tree.numLeaves - 1, 0);
  const writer = new NodeWriter(leafScale, Math.min(MAX_NODES, MAX_EXPANSION * fileNodes + 4096));
  const treeRoot = Int32Array.from(trees, (tree) => {
    checkShape(tree);
    return writer.addTree(tree);
  });
  return { treeRoot, ...writer.finish() };
}

/** Every node and leaf reached exactly once from node 0, and the depth within bounds. */
function checkShape(tree: LightgbmTree): void {
  const n = tree.numLeaves - 1;
  if (n === 0) return;
  const seenNode = new Uint8Array(n);
  const seenLeaf = new Uint8Array(tree.numLeaves);
  const stack: number[] = [0];
  const depth: number[] = [0];
  seenNode[0] = 1;
  while (stack.length > 0) {
    const node = stack.pop() as number;
    const d = depth.pop() as number;
    if (d > MAX_TREE_DEPTH) {
      throw invalidPackage(tree.name, `is deeper than ${MAX_TREE_DEPTH} levels`);
    }
    for (const [side, children] of [
      ["left_child", tree.leftChild],
      ["right_child", tree.rightChild],
    ] as const) {
      const child = children[node] as number;
      const seen = child >= 0 ? seenNode : seenLeaf;
      const index = child >= 0 ? child : ~child;
      if (seen[index] === 1) {
        throw invalidPackage(
          `${tree.name}.${side}[${node}]`,
          `reaches ${child >= 0 ? "node" : "leaf"} ${index} a second time (a cycle or shared node)`,
        );
      }
      seen[index] = 1;
      if (child >= 0) {
        stack.push(child);
        depth.push(d + 1);
      }
    }
  }
  const lost = seenLeaf.indexOf(0);
  if (lost >= 0)
    throw invalidPackage(`${tree.name}.leaf_value[${lost}]`, "is a leaf no node reaches");
}

/** A split to write: feature, TreeEnsemble threshold, default side and cover. */
interface Split {
  readonly feature: number;
  readonly threshold: number;
  readonly defaultLeft: boolean;
  readonly cover: number;
  readonly gain: number;
}

/** What to write at a position: a LightGBM node/leaf (`ref`, negative for a leaf) or a new split. */
type Emit = Ref | { readonly split: Split; readonly left: Emit; readonly right: Emit };
type Ref = { readonly ref: number };

class NodeWriter {
  readonly #leafScale: number;
  readonly #maxNodes: number;
  readonly feature: number[] = [];
  readonly threshold: number[] = [];
  readonly left: number[] = [];
  readonly right: number[] = [];
  readonly defaultLeft: number[] = [];
  readonly value: number[] = [];
  readonly cover: number[] = [];
  readonly gain: number[] = [];
  readonly categoryOffset: number[] = [];
  readonly categoryWords: number[] = [];
  readonly categoryBits: number[] = [];
  #tree: LightgbmTree | undefined;

  constructor(leafScale: number, maxNodes: number) {
    this.#leafScale = leafScale;
    this.#maxNodes = maxNodes;
  }

  addTree(tree: LightgbmTree): number {
    this.#tree = tree;
    return this.#emit({ ref: tree.numLeaves === 1 ? -1 : 0 });
  }

  /** Writes `what` and its subtree in preorder; returns its index. Depth is bounded by checkShape. */
  #emit(what: Emit): number {
    const tree = this.#tree as LightgbmTree;
    const id = this.#newNode();
    if (this.feature.length > this.#maxNodes) {
      throw invalidPackage(
        tree.name,
        `makes the model exceed ${this.#maxNodes} nodes once zero-as-missing splits are expanded`,
      );
    }
    if ("split" in what) {
      this.#setSplit(id, what.split);
      this.left[id] = this.#emit(what.left);
      this.right[id] = this.#emit(what.right);
      return id;
    }
    const ref = what.ref;
    if (ref < 0) {
      this.value[id] = (tree.leafValue[~ref] as number) * this.#leafScale;
      this.cover[id] = tree.leafCover[~ref] as number;
      return id;
    }
    const decision = tree.decisionType[ref] as number;
    if ((decision & LIGHTGBM_CATEGORICAL_MASK) !== 0) {
      this.#setCategorical(id, ref);
      this.left[id] = this.#emit({ ref: tree.leftChild[ref] as number });
      this.right[id] = this.#emit({ ref: tree.rightChild[ref] as number });
      return id;
    }
    const plan = numericPlan(tree, ref);
    this.#setSplit(id, plan.split);
    this.left[id] = this.#emit(plan.left);
    this.right[id] = this.#emit(plan.right);
    return id;
  }

  #newNode(): number {
    const id = this.feature.length;
    this.feature.push(-1);
    this.threshold.push(0);
    this.left.push(-1);
    this.right.push(-1);
    this.defaultLeft.push(0);
    this.value.push(0);
    this.cover.push(0);
    this.gain.push(0);
    this.categoryOffset.push(-1);
    this.categoryWords.push(0);
    return id;
  }

  #setSplit(id: number, split: Split): void {
    this.feature[id] = split.feature;
    this.threshold[id] = split.threshold;
    this.defaultLeft[id] = split.defaultLeft ? 1 : 0;
    this.cover[id] = split.cover;
    this.gain[id] = split.gain;
  }

  #setCategorical(id: number, node: number): void {
    const tree = this.#tree as LightgbmTree;
    const numCat = tree.catBoundaries.length - 1;
    const index = tree.threshold[node] as number;
    if (!Number.isInteger(index) || index < 0 || index >= numCat) {
      throw invalidPackage(
        `${tree.name}.threshold[${node}]`,
        `of a categorical split must index cat_boundaries (0..${numCat - 1}), got ${index}`,
      );
    }
    const begin = tree.catBoundaries[index] as number;
    const end = tree.catBoundaries[index + 1] as number;
    this.feature[id] = tree.splitFeature[node] as number;
    this.cover[id] = tree.internalCover[node] as number;
    this.gain[id] = tree.splitGain[node] as number;
    // NaN, negative and unlisted codes go right in LightGBM: the default side is right.
    this.defaultLeft[id] = 0;
    this.categoryOffset[id] = this.categoryBits.length;
    this.categoryWords[id] = Math.max(1, end - begin);
    for (let w = begin; w < end; w++) this.categoryBits.push(tree.catThreshold[w] as number);
    if (end === begin) this.categoryBits.push(0);
  }

  finish(): Omit<LightgbmNodeArrays, "treeRoot"> {
    return {
      feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      defaultLeft: Uint8Array.from(this.defaultLeft),
      value: Float64Array.from(this.value),
      cover: Float64Array.from(this.cover),
      gain: Float64Array.from(this.gain),
      categoryOffset: Int32Array.from(this.categoryOffset),
      categoryWords: Int32Array.from(this.categoryWords),
      categoryBits: Uint32Array.from(this.categoryBits),
    };
  }
}

/** The TreeEnsemble split (or splits) equivalent to numeric LightGBM node `node`. */
function numericPlan(tree: LightgbmTree, node: number): { split: Split; left: Emit; right: Emit } {
  const t = tree.threshold[node] as number;
  const decision = tree.decisionType[node] as number;
  const missing = (decision >> 2) & 3;
  const defaultLeft = (decision & LIGHTGBM_DEFAULT_LEFT_MASK) !== 0;
  const L: Ref = { ref: tree.leftChild[node] as number };
  const R: Ref = { ref: tree.rightChild[node] as number };
  const base = {
    feature: tree.splitFeature[node] as number,
    cover: tree.internalCover[node] as number,
    gain: tree.splitGain[node] as number,
  };
  const plain = (threshold: number, nanLeft: boolean) => ({
    split: { ...base, threshold, defaultLeft: nanLeft },
    left: L,
    right: R,
  });
  if (missing === LightgbmMissingType.None) return plain(nextDoubleUp(t), 0 <= t);
  if (missing === LightgbmMissingType.NaN) return plain(nextDoubleUp(t), defaultLeft);
  if (missing !== LightgbmMissingType.Zero) {
    throw invalidPackage(
      `${tree.name}.decision_type[${node}]`,
      `has missing type ${missing}, which LightGBM does not define`,
    );
  }
  const z = LIGHTGBM_ZERO;
  if (t >= z && defaultLeft) return plain(nextDoubleUp(t), true);
  if (t < -z && !defaultLeft) return plain(nextDoubleUp(t), false);
  // The threshold falls in the zero band: the band and NaN join the default side.
  if (t <= z && t >= -z) return defaultLeft ? plain(nextDoubleUp(z), true) : plain(-z, false);
  // The band lies inside the other side's range, splitting it in two, so both subtrees are
  // written twice. The extra nodes carry no gain, and the band gets no cover.
  const extra = (
    threshold: number,
    nanLeft: boolean,
    cover: number,
    left: Emit,
    right: Emit,
  ): Emit => ({
    split: { feature: base.feature, threshold, defaultLeft: nanLeft, cover, gain: 0 },
    left,
    right,
  });
  const coverOf = (ref: number): number =>
    ref < 0 ? (tree.leafCover[~ref] as number) : (tree.internalCover[ref] as number);
  const top = { ...base, threshold: nextDoubleUp(t), defaultLeft };
  if (!defaultLeft) {
    // t > z, default right: left is x < -z or z < x <= t.
    const band = extra(nextDoubleUp(z), true, 0, R, L);
    return { split: top, left: extra(-z, false, coverOf(L.ref), L, band), right: R };
  }
  // t < -z, default left: right is t < x < -z or x > z.
  const band = extra(nextDoubleUp(z), true, 0, L, R);
  return { split: top, left: L, right: extra(-z, false, coverOf(R.ref), R, band) };
}
