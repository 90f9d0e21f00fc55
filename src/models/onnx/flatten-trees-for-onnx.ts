import type { TreeEnsemble } from "../tree-ensemble.ts";

/** `nodes_modes` values of ai.onnx.ml TreeEnsemble (opset 5). */
const BRANCH_LT = 1;
const BRANCH_MEMBER = 6;

/** The attribute arrays of one ai.onnx.ml TreeEnsemble (opset 5) node. */
export interface OnnxTreeArrays {
  treeRoots: number[];
  featureIds: number[];
  modes: number[];
  splits: number[];
  trueIds: number[];
  trueLeafs: number[];
  falseIds: number[];
  falseLeafs: number[];
  missingTracksTrue: number[];
  leafTargets: number[];
  leafWeights: number[];
  /** Member sets of BRANCH_MEMBER nodes in node order, each followed by a NaN. */
  members: number[];
  /** Per output: the sum of single-leaf trees, which become part of the base score. */
  constantTrees: Float64Array;
}

/**
 * Lays out every tree as TreeEnsemble opset-5 arrays. Categorical nodes read feature
 * `f + cleanedOffset`: the graph appends a copy of the inputs in which negative and
 * non-integer categorical codes are NaN, while numeric nodes keep reading the raw column
 * (a feature may carry both kinds of split).
 *
 * A categorical node becomes one BRANCH_MEMBER node listing the codes of its non-default
 * side (at most 32 × words values). onnxruntime 1.30 loads these without expanding subtrees:
 * seven nested 31-code tests loaded in ~40 ms.
 *
 * onnxruntime's conversion of opset-5 trees (`convert_to_v3`) has read a tree whose root
 * has equal true and false ids as a single leaf; 1.30 no longer misreads a leaf id equal to
 * a node id, but the ids are kept apart for older runtimes, and single-leaf trees are folded
 * into the base score.
 *
 * @example
 * const arrays = flattenTreesForOnnx(ensemble, ensemble.featureNames.length);
 */
export function flattenTreesForOnnx(e: TreeEnsemble, cleanedOffset: number): OnnxTreeArrays {
  const out: OnnxTreeArrays = {
    treeRoots: [],
    featureIds: [],
    modes: [],
    splits: [],
    trueIds: [],
    trueLeafs: [],
    falseIds: [],
    falseLeafs: [],
    missingTracksTrue: [],
    leafTargets: [],
    leafWeights: [],
    members: [],
    constantTrees: new Float64Array(e.numOutputs),
  };
  const addNode = (feature: number, mode: number, split: number, missingTrue: number): number => {
    out.featureIds.push(feature);
    out.modes.push(mode);
    out.splits.push(split);
    out.trueIds.push(0);
    out.trueLeafs.push(0);
    out.falseIds.push(0);
    out.falseLeafs.push(0);
    out.missingTracksTrue.push(missingTrue);
    return out.featureIds.length - 1;
  };
  const addLeaf = (target: number, weight: number): number => {
    out.leafTargets.push(target);
    out.leafWeights.push(weight);
    return out.leafWeights.length - 1;
  };
  const link = (id: number, t: Ref, f: Ref): void => {
    [out.trueLeafs[id], out.trueIds[id]] = t;
    [out.falseLeafs[id], out.falseIds[id]] = f;
  };
  for (let t = 0; t < e.treeRoot.length; t++) {
    const target = e.treeOutput[t] as number;
    const emit = (source: number): Ref => {
      const node = skipConstantSplits(e, source);
      if (e.feature[node] === -1) return [1, addLeaf(target, e.value[node] as number)];
      const f = e.feature[node] as number;
      const left = e.left[node] as number;
      const right = e.right[node] as number;
      if ((e.categoryOffset[node] as number) < 0) {
        const id = addNode(
          f,
          BRANCH_LT,
          e.threshold[node] as number,
          e.defaultLeft[node] as number,
        );
        link(id, emit(left), emit(right));
        return [0, id];
      }
      // Testing the non-default side's codes is exact: anything else, missing and
      // beyond-the-bitset codes included, fails the test and takes the default.
      const { leftCodes, rightCodes } = categorySides(e, node);
      const defaultLeft = e.defaultLeft[node] === 1;
      const id = addNode(f + cleanedOffset, BRANCH_MEMBER, 0, 0);
      for (const code of defaultLeft ? rightCodes : leftCodes) out.members.push(code);
      out.members.push(Number.NaN);
      link(id, emit(defaultLeft ? right : left), emit(defaultLeft ? left : right));
      return [0, id];
    };
    const root = skipConstantSplits(e, e.treeRoot[t] as number);
    if (e.feature[root] === -1) {
      out.constantTrees[target] = (out.constantTrees[target] as number) + (e.value[root] as number);
      continue;
    }
    const [, rootId] = emit(root);
    out.treeRoots.push(rootId);
    if (out.trueIds[rootId] === out.falseIds[rootId]) separateRootIds(out, rootId, addLeaf);
  }
  if (out.treeRoots.length === 0) {
    // TreeEnsemble needs a tree: one that adds 0 whichever way it goes.
    const id = addNode(0, BRANCH_LT, 0, 0);
    link(id, [1, addLeaf(0, 0)], [1, addLeaf(0, 0)]);
    out.treeRoots.push(id);
  }
  return out;
}

/** A child reference: (1 when it is a leaf, its leaf or node index). */
type Ref = [leaf: number, id: number];

/**
 * A root's true child is a node and its false child a leaf (or the reverse) with the same
 * index: copies the leaf to a fresh index so the ids differ.
 */
function separateRootIds(
  out: OnnxTreeArrays,
  root: number,
  addLeaf: (target: number, weight: number) => number,
): void {
  const side = out.trueLeafs[root] === 1 ? "true" : "false";
  const leaf = (side === "true" ? out.trueIds[root] : out.falseIds[root]) as number;
  const node = (side === "true" ? out.falseIds[root] : out.trueIds[root]) as number;
  let copy = leaf;
  while (copy === node)
    copy = addLeaf(out.leafTargets[leaf] as number, out.leafWeights[leaf] as number);
  if (side === "true") out.trueIds[root] = copy;
  else out.falseIds[root] = copy;
}

/** Valid codes of a categorical node's bitset, split by the side they go to. */
function categorySides(
  e: TreeEnsemble,
  node: number,
): { leftCodes: number[]; rightCodes: number[] } {
  const offset = e.categoryOffset[node] as number;
  const numCodes = 32 * (e.categoryWords[node] as number);
  const leftCodes: number[] = [];
  const rightCodes: number[] = [];
  for (let c = 0; c < numCodes; c++) {
    const inLeft = (((e.categoryBits[offset + (c >> 5)] as number) >>> (c & 31)) & 1) === 1;
    (inLeft ? leftCodes : rightCodes).push(c);
  }
  return { leftCodes, rightCodes };
}

/**
 * Follows categorical nodes that send every input the default way (an empty bitset, or one
 * whose codes all go the default way), since ONNX cannot state an empty member set.
 */
function skipConstantSplits(e: TreeEnsemble, node: number): number {
  let n = node;
  while (e.feature[n] !== -1 && (e.categoryOffset[n] as number) >= 0) {
    const { leftCodes, rightCodes } = categorySides(e, n);
    const defaultLeft = e.defaultLeft[n] === 1;
    if ((defaultLeft ? rightCodes : leftCodes).length > 0) break;
    n = (defaultLeft ? e.left[n] : e.right[n]) as number;
  }
  return n;
}
