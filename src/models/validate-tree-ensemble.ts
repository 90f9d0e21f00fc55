import { invalidPackage } from "./json-field-readers.ts";
import type { TreeEnsemble, TreeEnsembleLink } from "./tree-ensemble.ts";

/** Trees deeper than this are rejected: TreeSHAP's path buffers grow with depth squared. */
export const MAX_TREE_DEPTH = 1024;

const LINKS: readonly TreeEnsembleLink[] = ["identity", "logistic", "softmax", "exp"];

/**
 * Checks that a TreeEnsemble is internally consistent, so the predictor and TreeSHAP can
 * walk it without bounds checks: array lengths agree, every child index is in range, every
 * tree is a tree (no cycles, no node reached twice), outputs and features are in range,
 * leaf values are finite and covers non-negative. Throws `MODELS_INVALID_PACKAGE` naming
 * the first offending field.
 *
 * @example
 * validateTreeEnsemble(treeEnsembleFromJson(JSON.parse(text)));
 */
export function validateTreeEnsemble(e: TreeEnsemble): void {
  const numFeatures = checkHeader(e);
  const n = e.feature.length;
  const nodeArrays = {
    threshold: e.threshold,
    left: e.left,
    right: e.right,
    defaultLeft: e.defaultLeft,
    value: e.value,
    cover: e.cover,
    categoryOffset: e.categoryOffset,
    categoryWords: e.categoryWords,
    ...(e.gain === undefined ? {} : { gain: e.gain }),
  };
  for (const [name, array] of Object.entries(nodeArrays)) {
    if (array.length !== n) {
      throw invalidPackage(
        `ensemble.${name}`,
        `must have one entry per node (${n}), got ${array.length}`,
      );
    }
  }
  for (let i = 0; i < n; i++) checkNode(e, i, numFeatures);
  checkTrees(e);
}

function checkHeader(e: TreeEnsemble): number {
  if (!Array.isArray(e.featureNames) || e.featureNames.some((name) => typeof name !== "string")) {
    throw invalidPackage("ensemble.featureNames", "must be an array of strings");
  }
  const numFeatures = e.featureNames.length;
  if (
    !Array.isArray(e.categoricalFeatures) ||
    e.categoricalFeatures.length !== numFeatures ||
    e.categoricalFeatures.some((c) => typeof c !== "boolean")
  ) {
    throw invalidPackage(
      "ensemble.categoricalFeatures",
      `must be ${numFeatures} booleans, one per feature`,
    );
  }
  if (!Number.isInteger(e.numOutputs) || e.numOutputs < 1) {
    throw invalidPackage("ensemble.numOutputs", `must be a positive integer, got ${e.numOutputs}`);
  }
  if (!LINKS.includes(e.link)) {
    throw invalidPackage("ensemble.link", `must be one of ${LINKS.join(", ")}`);
  }
  if (e.link === "softmax" && e.numOutputs < 2) {
    throw invalidPackage("ensemble.link", "softmax needs at least 2 outputs");
  }
  const typed: [string, unknown, new (n: number) => unknown][] = [
    ["baseScore", e.baseScore, Float64Array],
    ["treeRoot", e.treeRoot, Int32Array],
    ["treeOutput", e.treeOutput, Int32Array],
    ["feature", e.feature, Int32Array],
    ["threshold", e.threshold, Float64Array],
    ["left", e.left, Int32Array],
    ["right", e.right, Int32Array],
    ["defaultLeft", e.defaultLeft, Uint8Array],
    ["value", e.value, Float64Array],
    ["cover", e.cover, Float64Array],
    ["categoryOffset", e.categoryOffset, Int32Array],
    ["categoryWords", e.categoryWords, Int32Array],
    ["categoryBits", e.categoryBits, Uint32Array],
  ];
  if (e.gain !== undefined) typed.push(["gain", e.gain, Float64Array]);
  for (const [name, array, type] of typed) {
    if (!(array instanceof type))
      throw invalidPackage(`ensemble.${name}`, `must be a ${type.name}`);
  }
  if (e.baseScore.length !== e.numOutputs) {
    throw invalidPackage("ensemble.baseScore", `must have numOutputs (${e.numOutputs}) entries`);
  }
  for (let k = 0; k < e.numOutputs; k++) {
    if (!Number.isFinite(e.baseScore[k])) {
      throw invalidPackage(`ensemble.baseScore[${k}]`, "must be finite");
    }
  }
  if (e.treeOutput.length !== e.treeRoot.length) {
    throw invalidPackage("ensemble.treeOutput", "must have one entry per tree (treeRoot.length)");
  }
  for (let t = 0; t < e.treeOutput.length; t++) {
    const output = e.treeOutput[t] as number;
    if (output < 0 || output >= e.numOutputs) {
      throw invalidPackage(`ensemble.treeOutput[${t}]`, `must be in [0, ${e.numOutputs})`);
    }
  }
  return numFeatures;
}

function checkNode(e: TreeEnsemble, i: number, numFeatures: number): void {
  const n = e.feature.length;
  const f = e.feature[i] as number;
  const left = e.left[i] as number;
  const right = e.right[i] as number;
  const cover = e.cover[i] as number;
  if (!(cover >= 0 && cover < Number.POSITIVE_INFINITY)) {
    throw invalidPackage(`ensemble.cover[${i}]`, `must be finite and non-negative, got ${cover}`);
  }
  const dl = e.defaultLeft[i] as number;
  if (dl > 1) throw invalidPackage(`ensemble.defaultLeft[${i}]`, `must be 0 or 1, got ${dl}`);
  if (e.gain !== undefined && !Number.isFinite(e.gain[i])) {
    throw invalidPackage(`ensemble.gain[${i}]`, "must be finite");
  }
  if (f === -1) {
    if (left !== -1 || right !== -1) {
      throw invalidPackage(`ensemble.left[${i}]`, "a leaf (feature -1) must have children -1");
    }
    if (!Number.isFinite(e.value[i])) {
      throw invalidPackage(`ensemble.value[${i}]`, `leaf value must be finite, got ${e.value[i]}`);
    }
    return;
  }
  if (f < 0 || f >= numFeatures) {
    throw invalidPackage(
      `ensemble.feature[${i}]`,
      `must be -1 or in [0, ${numFeatures}), got ${f}`,
    );
  }
  for (const [name, child] of [
    ["left", left],
    ["right", right],
  ] as const) {
    if (child < 0 || child >= n) {
      throw invalidPackage(
        `ensemble.${name}[${i}]`,
        `must be a node index in [0, ${n}), got ${child}`,
      );
    }
  }
  const offset = e.categoryOffset[i] as number;
  const words = e.categoryWords[i] as number;
  if (offset < 0) {
    if (offset !== -1 || words !== 0) {
      throw invalidPackage(
        `ensemble.categoryOffset[${i}]`,
        "a numeric split must have categoryOffset -1 and categoryWords 0",
      );
    }
    if (Number.isNaN(e.threshold[i])) {
      throw invalidPackage(
        `ensemble.threshold[${i}]`,
        "a numeric split's threshold must not be NaN",
      );
    }
    return;
  }
  if (!e.categoricalFeatures[f]) {
    throw invalidPackage(
      `ensemble.categoryOffset[${i}]`,
      `a categorical split on feature ${f}, which categoricalFeatures marks numeric`,
    );
  }
  if (words < 0 || offset + words > e.categoryBits.length) {
    throw invalidPackage(
      `ensemble.categoryWords[${i}]`,
      `bitset [${offset}, ${offset + words}) is outside categoryBits (length ${e.categoryBits.length})`,
    );
  }
}

/** Walks every tree from its root: each node may be reached once, and depth is bounded. */
function checkTrees(e: TreeEnsemble): void {
  const n = e.feature.length;
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n);
  const depthOf = new Int32Array(n);
  for (let t = 0; t < e.treeRoot.length; t++) {
    const root = e.treeRoot[t] as number;
    if (root < 0 || root >= n) {
      throw invalidPackage(
        `ensemble.treeRoot[${t}]`,
        `must be a node index in [0, ${n}), got ${root}`,
      );
    }
    let top = 0;
    const visit = (node: number, depth: number): void => {
      if (seen[node] === 1) {
        throw invalidPackage(
          `ensemble.treeRoot[${t}]`,
          `tree ${t} reaches node ${node} a second time (a cycle or a shared subtree)`,
        );
      }
      if (depth > MAX_TREE_DEPTH) {
        throw invalidPackage(
          `ensemble.treeRoot[${t}]`,
          `tree ${t} is deeper than ${MAX_TREE_DEPTH}`,
        );
      }
      seen[node] = 1;
      depthOf[node] = depth;
      stack[top++] = node;
    };
    visit(root, 0);
    while (top > 0) {
      const node = stack[--top] as number;
      if (e.feature[node] === -1) continue;
      const depth = (depthOf[node] as number) + 1;
      visit(e.left[node] as number, depth);
      visit(e.right[node] as number, depth);
    }
  }
}
