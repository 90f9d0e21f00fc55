import type { TreeEnsemble } from "./tree-ensemble.ts";
import { validateTreeEnsemble } from "./validate-tree-ensemble.ts";

/**
 * A TreeEnsemble re-laid for scoring, as parallel arrays indexed by record. `threshold[n]` is
 * the split value, or the leaf value of a leaf; `feature[n]` is -1 for a leaf; `left[n]` is
 * the left child, whose sibling is always the next record, so a walk computes the child
 * instead of loading a second index. Trees are laid out breadth-first so the hot top levels
 * share few cache lines. (Measured on a 200-tree depth-8 model: these parallel arrays scored
 * a random row in 20 µs where one interleaved 16-byte record per node took 32 µs.)
 *
 * Categorical nodes get a NaN threshold: both `x < t` and `x >= t` fail, which sends them
 * (and missing inputs) to one rarely taken branch, so numeric nodes pay nothing for them.
 */
export interface CompiledEnsemble {
  readonly numFeatures: number;
  readonly numOutputs: number;
  /** Per tree: the record of its root. */
  readonly roots: Int32Array;
  /** Per tree: the output it adds to. */
  readonly outputs: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  /** Per record, for missing values and categorical nodes: the default direction and the category bitset. */
  readonly defaultLeft: Uint8Array;
  readonly categoryOffset: Int32Array;
  readonly categoryWords: Int32Array;
  readonly categoryBits: Uint32Array;
  readonly baseScore: Float64Array;
  /** The scoring loops over these arrays. */
  readonly walker: TreeWalker;
}

const compiled = new WeakMap<TreeEnsemble, CompiledEnsemble>();

/**
 * The compiled form of `e`, validated and built on first use and cached per ensemble object.
 * An ensemble is treated as immutable once scored: later edits to its arrays are not seen.
 */
export function compileEnsemble(e: TreeEnsemble): CompiledEnsemble {
  const cached = compiled.get(e);
  if (cached !== undefined) return cached;
  validateTreeEnsemble(e);
  const numTrees = e.treeRoot.length;
  // Count only reachable nodes: the format allows unreferenced ones.
  let numRecords = numTrees;
  for (const root of e.treeRoot) numRecords += 2 * countInternal(e, root);
  const out: Omit<CompiledEnsemble, "walker"> = {
    numFeatures: e.featureNames.length,
    numOutputs: e.numOutputs,
    roots: new Int32Array(numTrees),
    outputs: Int32Array.from(e.treeOutput),
    feature: new Int32Array(numRecords),
    threshold: new Float64Array(numRecords),
    left: new Int32Array(numRecords),
    defaultLeft: new Uint8Array(numRecords),
    categoryOffset: new Int32Array(numRecords).fill(-1),
    categoryWords: new Int32Array(numRecords),
    categoryBits: Uint32Array.from(e.categoryBits),
    baseScore: Float64Array.from(e.baseScore),
  };
  const queue = new Int32Array(numRecords); // source node of each record
  let next = 0;
  for (let t = 0; t < numTrees; t++) {
    out.roots[t] = next;
    queue[next++] = e.treeRoot[t] as number;
    for (let record = out.roots[t] as number; record < next; record++) {
      const node = queue[record] as number;
      const f = e.feature[node] as number;
      out.feature[record] = f;
      if (f === -1) {
        out.threshold[record] = e.value[node] as number;
        continue;
      }
      const categorical = (e.categoryOffset[node] as number) >= 0;
      out.threshold[record] = categorical ? Number.NaN : (e.threshold[node] as number);
      out.left[record] = next;
      out.defaultLeft[record] = e.defaultLeft[node] as number;
      out.categoryOffset[record] = e.categoryOffset[node] as number;
      out.categoryWords[record] = e.categoryWords[node] as number;
      queue[next++] = e.left[node] as number;
      queue[next++] = e.right[node] as number;
    }
  }
  const result: CompiledEnsemble = { ...out, walker: createTreeWalker(out) };
  compiled.set(e, result);
  return result;
}

function countInternal(e: TreeEnsemble, root: number): number {
  let count = 0;
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop() as number;
    if (e.feature[node] === -1) continue;
    count++;
    stack.push(e.left[node] as number, e.right[node] as number);
  }
  return count;
}

/** Adds tree leaf values for one row (`rows[base..]`) into `out[outBase + output]`. */
export interface TreeWalker {
  /** Trees `[firstTree, firstTree + 4)`, walked together. */
  addFourTrees(
    firstTree: number,
    rows: Float64Array,
    base: number,
    out: Float64Array,
    outBase: number,
  ): void;
  /** One tree, walked alone. */
  addOneTree(
    tree: number,
    rows: Float64Array,
    base: number,
    out: Float64Array,
    outBase: number,
  ): void;
}

/**
 * The scoring loops for one compiled ensemble, as closures over its arrays. Measured on a
 * 200-tree depth-8 model with 37% categorical node visits (one random row): reading the
 * arrays through the `CompiledEnsemble` object cost 32 µs, through closure constants 22 µs,
 * as the arrays stay in registers instead of being reloaded on the walk's critical path.
 */
function createTreeWalker(c: Omit<CompiledEnsemble, "walker">): TreeWalker {
  const { feature, threshold, left, roots, outputs, defaultLeft } = c;
  const { categoryOffset, categoryWords, categoryBits } = c;

  /** The record `x` leads to from internal record `n`. */
  function child(n: number, x: number): number {
    const t = threshold[n] as number;
    if (x < t) return left[n] as number;
    if (x >= t) return (left[n] as number) + 1;
    // Both failed: `x` is missing, or `n` is categorical (its threshold is NaN).
    const l = left[n] as number;
    const offset = categoryOffset[n] as number;
    // `x >>> 0 === x` holds exactly for integer codes in [0, 2^32).
    if (offset >= 0 && x >>> 0 === x) {
      const word = x >>> 5;
      if (word < (categoryWords[n] as number)) {
        return ((categoryBits[offset + word] as number) >>> (x & 31)) & 1 ? l : l + 1;
      }
    }
    return defaultLeft[n] === 1 ? l : l + 1;
  }

  function addLeaf(tree: number, leaf: number, out: Float64Array, outBase: number): void {
    const at = outBase + (outputs[tree] as number);
    out[at] = (out[at] as number) + (threshold[leaf] as number);
  }

  return {
    // A walk is a chain of dependent loads, so one alone leaves the CPU waiting; four
    // independent chains overlap (one random row: 15 µs instead of 20 µs tree by tree).
    addFourTrees(firstTree, rows, base, out, outBase) {
      let n0 = roots[firstTree] as number;
      let n1 = roots[firstTree + 1] as number;
      let n2 = roots[firstTree + 2] as number;
      let n3 = roots[firstTree + 3] as number;
      let f0 = feature[n0] as number;
      let f1 = feature[n1] as number;
      let f2 = feature[n2] as number;
      let f3 = feature[n3] as number;
      while (f0 >= 0 || f1 >= 0 || f2 >= 0 || f3 >= 0) {
        if (f0 >= 0) {
          n0 = child(n0, rows[base + f0] as number);
          f0 = feature[n0] as number;
        }
        if (f1 >= 0) {
          n1 = child(n1, rows[base + f1] as number);
          f1 = feature[n1] as number;
        }
        if (f2 >= 0) {
          n2 = child(n2, rows[base + f2] as number);
          f2 = feature[n2] as number;
        }
        if (f3 >= 0) {
          n3 = child(n3, rows[base + f3] as number);
          f3 = feature[n3] as number;
        }
      }
      // Leaves are added in tree order, so sums match a tree-by-tree walk bit for bit.
      addLeaf(firstTree, n0, out, outBase);
      addLeaf(firstTree + 1, n1, out, outBase);
      addLeaf(firstTree + 2, n2, out, outBase);
      addLeaf(firstTree + 3, n3, out, outBase);
    },
    addOneTree(tree, rows, base, out, outBase) {
      let n = roots[tree] as number;
      let f = feature[n] as number;
      while (f >= 0) {
        n = child(n, rows[base + f] as number);
        f = feature[n] as number;
      }
      addLeaf(tree, n, out, outBase);
    },
  };
}
