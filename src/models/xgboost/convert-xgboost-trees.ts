import { invalidArgument } from "../../core/errors.ts";
import { invalidPackage } from "../json-field-readers.ts";
import type { TreeEnsemble } from "../tree-ensemble.ts";
import { float32CutPoint } from "./float32-cut-point.ts";
import { XGBOOST_MAX_CATEGORY, type XgboostTree } from "./read-xgboost-tree.ts";

/** Category bitsets of all nodes together may take at most this many 32-bit words (32 MiB). */
const MAX_CATEGORY_WORDS = 2 ** 23;

/** The TreeEnsemble members that hold nodes, plus the tree roots. */
export type XgboostNodeArrays = Omit<
  TreeEnsemble,
  "featureNames" | "categoricalFeatures" | "numOutputs" | "baseScore" | "link" | "treeOutput"
>;

/**
 * Converts checked XGBoost trees into TreeEnsemble node arrays: reachable nodes in
 * depth-first preorder, float32-equivalent thresholds, leaf values from `split_conditions`,
 * and category bitsets holding the codes that go left (see `importXgboostJson`).
 * `hasCategories[f]` tells whether feature f got bitsets.
 */
export function convertXgboostTrees(
  trees: readonly XgboostTree[],
  featureNames: readonly string[],
  categoryCounts: Readonly<Record<string, number>>,
  path: string,
): { arrays: XgboostNodeArrays; hasCategories: boolean[] } {
  const categoryWords = categoryWordsPerFeature(trees, featureNames, categoryCounts);
  const nodes = new NodeWriter(
    trees.reduce((sum, tree) => sum + tree.numNodes, 0),
    categoryCapacity(trees, categoryWords, path),
    featureNames.length,
  );
  const treeRoot = Int32Array.from(trees, (tree, t) =>
    nodes.addTree(tree, `${path}[${t}]`, categoryWords),
  );
  return {
    arrays: { treeRoot, ...nodes.finish() },
    hasCategories: Array.from(categoryWords, (words) => words > 0),
  };
}

/** Bitset words per feature: enough for every code a split names and for `categoryCounts`. */
function categoryWordsPerFeature(
  trees: readonly XgboostTree[],
  featureNames: readonly string[],
  categoryCounts: Readonly<Record<string, number>>,
): Int32Array {
  const width = new Float64Array(featureNames.length);
  for (const tree of trees) {
    for (const [node, codes] of tree.categories) {
      const f = tree.splitIndex[node] as number;
      if (f >= featureNames.length) continue; // reported with its path when the node is read
      for (const code of codes) width[f] = Math.max(width[f] as number, code + 1);
      if (codes.length === 0) width[f] = Math.max(width[f] as number, 1);
    }
  }
  for (const [name, count] of Object.entries(categoryCounts)) {
    const f = featureNames.indexOf(name);
    const field = `categoryCounts.${name}`;
    if (f < 0) throw invalidArgument(field, "names no feature of the model");
    if (!Number.isInteger(count) || count < 0 || count > XGBOOST_MAX_CATEGORY + 1) {
      throw invalidArgument(field, `must be an integer in [0, ${XGBOOST_MAX_CATEGORY + 1}]`);
    }
    width[f] = Math.max(width[f] as number, count);
  }
  return Int32Array.from(width, (w) => Math.ceil(w / 32));
}

/** Words all categorical nodes' bitsets need together, checked before anything is allocated. */
function categoryCapacity(
  trees: readonly XgboostTree[],
  categoryWords: Int32Array,
  path: string,
): number {
  let total = 0;
  for (const tree of trees) {
    for (let node = 0; node < tree.numNodes; node++) {
      if (tree.splitType[node] === 1) total += categoryWords[tree.splitIndex[node] as number] ?? 0;
    }
  }
  if (total > MAX_CATEGORY_WORDS) {
    throw invalidPackage(
      path,
      `category bitsets would need ${total} 32-bit words, more than the ${MAX_CATEGORY_WORDS} allowed`,
    );
  }
  return total;
}

/** Appends trees' reachable nodes in depth-first preorder (a left child follows its parent). */
class NodeWriter {
  readonly #numFeatures: number;
  readonly #feature: Int32Array;
  readonly #threshold: Float64Array;
  readonly #left: Int32Array;
  readonly #right: Int32Array;
  readonly #defaultLeft: Uint8Array;
  readonly #value: Float64Array;
  readonly #cover: Float64Array;
  readonly #gain: Float64Array;
  readonly #categoryOffset: Int32Array;
  readonly #categoryWords: Int32Array;
  readonly #categoryBits: Uint32Array;
  #categoryWordsUsed = 0;
  #count = 0;

  constructor(capacity: number, categoryCapacity: number, numFeatures: number) {
    this.#categoryBits = new Uint32Array(categoryCapacity);
    this.#numFeatures = numFeatures;
    this.#feature = new Int32Array(capacity);
    this.#threshold = new Float64Array(capacity);
    this.#left = new Int32Array(capacity);
    this.#right = new Int32Array(capacity);
    this.#defaultLeft = new Uint8Array(capacity);
    this.#value = new Float64Array(capacity);
    this.#cover = new Float64Array(capacity);
    this.#gain = new Float64Array(capacity);
    this.#categoryOffset = new Int32Array(capacity).fill(-1);
    this.#categoryWords = new Int32Array(capacity);
  }

  /** Adds the nodes reachable from node 0 of `tree` (pruned nodes are skipped); returns the root. */
  addTree(tree: XgboostTree, path: string, categoryWords: Int32Array): number {
    const root = this.#count;
    const pending = new Int32Array(tree.numNodes);
    const pendingParent = new Int32Array(tree.numNodes);
    const seen = new Uint8Array(tree.numNodes);
    let top = 0;
    pending[top] = 0;
    pendingParent[top++] = -1;
    seen[0] = 1;
    while (top > 0) {
      const x = pending[--top] as number;
      const parentSlot = pendingParent[top] as number;
      const id = this.#count++;
      // parentSlot encodes the parent's new id and side: 2 * parent + (0 left | 1 right).
      if (parentSlot >= 0) (parentSlot & 1 ? this.#right : this.#left)[parentSlot >> 1] = id;
      const cover = tree.sumHessian[x] as number;
      if (!(cover >= 0 && cover < Number.POSITIVE_INFINITY)) {
        throw invalidPackage(
          `${path}.sum_hessian[${x}]`,
          `must be finite and non-negative, got ${cover}`,
        );
      }
      this.#cover[id] = cover;
      const l = tree.left[x] as number;
      const r = tree.right[x] as number;
      if (l === -1 || r === -1) {
        if (l !== r)
          throw invalidPackage(
            `${path}.right_children[${x}]`,
            "a node must have two children or none",
          );
        this.#addLeaf(tree, x, id, path);
        continue;
      }
      this.#addSplit(tree, x, id, path, categoryWords);
      for (const [child, side] of [
        [r, 1],
        [l, 0],
      ] as const) {
        if (seen[child] === 1) {
          throw invalidPackage(
            `${path}.left_children[${x}]`,
            `node ${child} is reached twice (a cycle or shared node)`,
          );
        }
        seen[child] = 1;
        pending[top] = child;
        pendingParent[top++] = 2 * id + side;
      }
    }
    return root;
  }

  #addLeaf(tree: XgboostTree, x: number, id: number, path: string): void {
    const value = tree.splitCondition[x] as number;
    if (!Number.isFinite(value)) {
      throw invalidPackage(
        `${path}.split_conditions[${x}]`,
        `leaf value must be finite, got ${value}`,
      );
    }
    this.#feature[id] = -1;
    this.#left[id] = -1;
    this.#right[id] = -1;
    this.#value[id] = value;
  }

  #addSplit(
    tree: XgboostTree,
    x: number,
    id: number,
    path: string,
    categoryWords: Int32Array,
  ): void {
    const f = tree.splitIndex[x] as number;
    if (f >= this.#numFeatures) {
      throw invalidPackage(
        `${path}.split_indices[${x}]`,
        `must be below num_feature (${this.#numFeatures}), got ${f}`,
      );
    }
    this.#feature[id] = f;
    this.#defaultLeft[id] = tree.defaultLeft[x] as number;
    const gain = tree.lossChange[x] as number;
    if (!Number.isFinite(gain))
      throw invalidPackage(`${path}.loss_changes[${x}]`, "must be finite");
    this.#gain[id] = gain;
    if (tree.splitType[x] !== 1) {
      const t = tree.splitCondition[x] as number;
      if (Number.isNaN(t))
        throw invalidPackage(
          `${path}.split_conditions[${x}]`,
          "a numeric split's threshold is NaN",
        );
      this.#threshold[id] = float32CutPoint(t);
      return;
    }
    const codes = tree.categories.get(x);
    if (codes === undefined) {
      throw invalidPackage(`${path}.categories_nodes`, `has no entry for categorical node ${x}`);
    }
    // XGBoost sends listed codes right; the bitset holds the codes that go left.
    const words = categoryWords[f] as number;
    const offset = this.#categoryWordsUsed;
    this.#categoryWordsUsed += words;
    this.#categoryBits.fill(0xffffffff, offset, offset + words);
    for (const code of codes) {
      const at = offset + (code >>> 5);
      this.#categoryBits[at] = (this.#categoryBits[at] as number) & ~(1 << (code & 31));
    }
    this.#categoryOffset[id] = offset;
    this.#categoryWords[id] = words;
  }

  finish(): Omit<XgboostNodeArrays, "treeRoot"> {
    const n = this.#count;
    return {
      feature: this.#feature.slice(0, n),
      threshold: this.#threshold.slice(0, n),
      left: this.#left.slice(0, n),
      right: this.#right.slice(0, n),
      defaultLeft: this.#defaultLeft.slice(0, n),
      value: this.#value.slice(0, n),
      cover: this.#cover.slice(0, n),
      gain: this.#gain.slice(0, n),
      categoryOffset: this.#categoryOffset.slice(0, n),
      categoryWords: this.#categoryWords.slice(0, n),
      categoryBits: this.#categoryBits.slice(0, this.#categoryWordsUsed),
    };
  }
}
