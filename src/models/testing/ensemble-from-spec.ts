import type { TreeEnsemble, TreeEnsembleLink } from "../tree-ensemble.ts";

/** A tree written as nested objects, for readable hand-built test ensembles. */
export type NodeSpec =
  | { readonly leaf: number; readonly cover?: number }
  | {
      readonly feature: number;
      /** Numeric split: `x < threshold` goes left. */
      readonly threshold?: number;
      /** Categorical split: these codes go left (the bitset spans `categoryWords` words). */
      readonly categories?: readonly number[];
      readonly categoryWords?: number;
      readonly defaultLeft?: boolean;
      readonly cover?: number;
      readonly gain?: number;
      readonly left: NodeSpec;
      readonly right: NodeSpec;
    };

export interface EnsembleSpec {
  readonly featureNames: readonly string[];
  readonly categoricalFeatures?: readonly boolean[];
  readonly trees: readonly NodeSpec[];
  /** Output of each tree (default 0). */
  readonly treeOutput?: readonly number[];
  readonly numOutputs?: number;
  readonly baseScore?: readonly number[];
  readonly link?: TreeEnsembleLink;
}

/**
 * Builds a TreeEnsemble from nested node specs. A node's cover defaults to the sum of its
 * children's (leaves: 1), so specs only state covers when a test is about them.
 */
export function ensembleFromSpec(spec: EnsembleSpec): TreeEnsemble {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const defaultLeft: number[] = [];
  const value: number[] = [];
  const cover: number[] = [];
  const gain: number[] = [];
  const categoryOffset: number[] = [];
  const categoryWords: number[] = [];
  const categoryBits: number[] = [];
  const add = (node: NodeSpec): number => {
    const id = feature.length;
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    defaultLeft.push(0);
    value.push(0);
    cover.push(0);
    gain.push(0);
    categoryOffset.push(-1);
    categoryWords.push(0);
    if ("leaf" in node) {
      value[id] = node.leaf;
      cover[id] = node.cover ?? 1;
      return id;
    }
    feature[id] = node.feature;
    threshold[id] = node.threshold ?? 0;
    defaultLeft[id] = node.defaultLeft ? 1 : 0;
    gain[id] = node.gain ?? 0;
    if (node.categories !== undefined) {
      const maxCode = Math.max(-1, ...node.categories);
      const words = node.categoryWords ?? Math.floor(maxCode / 32) + 1;
      categoryOffset[id] = categoryBits.length;
      categoryWords[id] = words;
      const bits = new Array<number>(words).fill(0);
      for (const c of node.categories)
        bits[c >> 5] = ((bits[c >> 5] as number) | (1 << (c & 31))) >>> 0;
      categoryBits.push(...bits);
    }
    const l = add(node.left);
    const r = add(node.right);
    left[id] = l;
    right[id] = r;
    cover[id] = node.cover ?? (cover[l] as number) + (cover[r] as number);
    return id;
  };
  const treeRoot = spec.trees.map(add);
  const numOutputs = spec.numOutputs ?? 1;
  return {
    featureNames: spec.featureNames,
    categoricalFeatures: spec.categoricalFeatures ?? spec.featureNames.map(() => false),
    numOutputs,
    baseScore: Float64Array.from(spec.baseScore ?? new Array<number>(numOutputs).fill(0)),
    link: spec.link ?? "identity",
    treeRoot: Int32Array.from(treeRoot),
    treeOutput: Int32Array.from(spec.treeOutput ?? treeRoot.map(() => 0)),
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    defaultLeft: Uint8Array.from(defaultLeft),
    value: Float64Array.from(value),
    cover: Float64Array.from(cover),
    gain: Float64Array.from(gain),
    categoryOffset: Int32Array.from(categoryOffset),
    categoryWords: Int32Array.from(categoryWords),
    categoryBits: Uint32Array.from(categoryBits),
  };
}
