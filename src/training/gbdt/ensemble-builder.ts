import type { TreeEnsemble, TreeEnsembleLink } from "../../models/tree-ensemble.ts";
import type { FeatureColumn } from "../dataset/training-dataset.ts";
import type { BinnedDataset } from "./feature-binning.ts";
import type { GrownTree } from "./tree-grower.ts";

/** Turns bin-space trees into the flat `TreeEnsemble` arrays, one tree at a time. */
export class EnsembleBuilder {
  readonly #binned: BinnedDataset;
  readonly #treeRoot: number[] = [];
  readonly #treeOutput: number[] = [];
  readonly #feature: number[] = [];
  readonly #threshold: number[] = [];
  readonly #left: number[] = [];
  readonly #right: number[] = [];
  readonly #defaultLeft: number[] = [];
  readonly #value: number[] = [];
  readonly #cover: number[] = [];
  readonly #gain: number[] = [];
  readonly #categoryOffset: number[] = [];
  readonly #categoryWords: number[] = [];
  readonly #categoryBits: number[] = [];

  constructor(binned: BinnedDataset) {
    this.#binned = binned;
  }

  get numTrees(): number {
    return this.#treeRoot.length;
  }

  /** Appends a grown tree that adds to raw output `output`. */
  add(tree: GrownTree, output: number): void {
    const base = this.#feature.length;
    this.#treeRoot.push(base);
    this.#treeOutput.push(output);
    for (let n = 0; n < tree.feature.length; n++) {
      const f = tree.feature[n] as number;
      const leaf = f < 0;
      this.#feature.push(f);
      this.#left.push(leaf ? -1 : base + (tree.left[n] as number));
      this.#right.push(leaf ? -1 : base + (tree.right[n] as number));
      this.#defaultLeft.push(tree.defaultLeft[n] ? 1 : 0);
      this.#value.push(tree.value[n] as number);
      this.#cover.push(tree.cover[n] as number);
      this.#gain.push(tree.gain[n] as number);
      const categories = tree.leftCategories[n] as Uint8Array | null;
      if (leaf || categories === null) {
        // Bin b holds [cuts[b-1], cuts[b]), so "bin <= t" is exactly "x < cuts[t]".
        const cuts = leaf ? null : this.#binned.cuts[f];
        this.#threshold.push(cuts ? (cuts[tree.binThreshold[n] as number] as number) : 0);
        this.#categoryOffset.push(-1);
        this.#categoryWords.push(0);
      } else {
        this.#threshold.push(0);
        const words = Math.ceil(categories.length / 32);
        this.#categoryOffset.push(this.#categoryBits.length);
        this.#categoryWords.push(words);
        for (let w = 0; w < words; w++) {
          let bits = 0;
          for (let b = 0; b < 32; b++) if (categories[w * 32 + b] === 1) bits |= 1 << b;
          this.#categoryBits.push(bits >>> 0);
        }
      }
    }
  }

  /** Drops trees beyond the first `numTrees` (early stopping keeps the best iteration). */
  truncate(numTrees: number): void {
    if (numTrees >= this.#treeRoot.length) return;
    const nodes = this.#treeRoot[numTrees] as number;
    const bits = this.#categoryOffset.slice(nodes).find((o) => o >= 0);
    this.#treeRoot.length = numTrees;
    this.#treeOutput.length = numTrees;
    for (const array of [
      this.#feature,
      this.#threshold,
      this.#left,
      this.#right,
      this.#defaultLeft,
      this.#value,
      this.#cover,
      this.#gain,
      this.#categoryOffset,
      this.#categoryWords,
    ]) {
      array.length = nodes;
    }
    if (bits !== undefined) this.#categoryBits.length = bits;
  }

  /**
   * Adds the raw value of tree `t` for every row of `columns` into `raw[row * stride + output]`;
   * used to track validation scores tree by tree without re-scoring the whole ensemble.
   */
  addTreeToScores(
    t: number,
    columns: readonly FeatureColumn[],
    numRows: number,
    raw: Float64Array,
    stride: number,
  ): void {
    const root = this.#treeRoot[t] as number;
    const output = this.#treeOutput[t] as number;
    const feature = this.#feature;
    for (let r = 0; r < numRows; r++) {
      let node = root;
      for (;;) {
        const f = feature[node] as number;
        if (f < 0) break;
        node = this.#child(node, columnValue(columns[f] as FeatureColumn, r));
      }
      const at = r * stride + output;
      raw[at] = (raw[at] as number) + (this.#value[node] as number);
    }
  }

  #child(node: number, x: number): number {
    const left = this.#left[node] as number;
    const right = this.#right[node] as number;
    if (Number.isNaN(x)) return this.#defaultLeft[node] === 1 ? left : right;
    const offset = this.#categoryOffset[node] as number;
    if (offset < 0) return x < (this.#threshold[node] as number) ? left : right;
    const word = Math.floor(x / 32);
    if (x < 0 || word >= (this.#categoryWords[node] as number)) {
      return this.#defaultLeft[node] === 1 ? left : right;
    }
    return ((this.#categoryBits[offset + word] as number) >>> (x % 32)) & 1 ? left : right;
  }

  build(meta: {
    featureNames: readonly string[];
    categoricalFeatures: readonly boolean[];
    numOutputs: number;
    baseScore: Float64Array;
    link: TreeEnsembleLink;
  }): TreeEnsemble {
    return {
      ...meta,
      treeRoot: Int32Array.from(this.#treeRoot),
      treeOutput: Int32Array.from(this.#treeOutput),
      feature: Int32Array.from(this.#feature),
      threshold: Float64Array.from(this.#threshold),
      left: Int32Array.from(this.#left),
      right: Int32Array.from(this.#right),
      defaultLeft: Uint8Array.from(this.#defaultLeft),
      value: Float64Array.from(this.#value),
      cover: Float64Array.from(this.#cover),
      categoryOffset: Int32Array.from(this.#categoryOffset),
      categoryWords: Int32Array.from(this.#categoryWords),
      categoryBits: Uint32Array.from(this.#categoryBits),
      gain: Float64Array.from(this.#gain),
    } as TreeEnsemble;
  }
}

function columnValue(column: FeatureColumn, row: number): number {
  if (column.kind === "numeric") return column.values[row] as number;
  const code = column.codes[row] as number;
  return code < 0 ? Number.NaN : code;
}
