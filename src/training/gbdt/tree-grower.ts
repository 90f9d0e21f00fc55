import type { BinnedDataset } from "./feature-binning.ts";
import type { NodeProcessor, SplitRequest } from "./node-processor.ts";
import {
  leafWeight,
  type NodeStats,
  type SplitCandidate,
  type SplitConstraints,
} from "./split-finder.ts";

/** What one tree is grown from. */
export interface GrowTreeInput {
  readonly binned: BinnedDataset;
  /** The rows this tree learns from; permuted in place so each node's rows are contiguous. */
  readonly rowIndex: Int32Array;
  readonly constraints: SplitConstraints;
  readonly growPolicy: "depthwise" | "leafwise";
  /** 0 = unlimited. */
  readonly maxDepth: number;
  /** 0 = unlimited. */
  readonly maxLeaves: number;
  readonly learningRate: number;
  /** 0 = no cap. */
  readonly maxDeltaStep: number;
  /** Builds histograms and finds splits (gradients, rows and allowed features already set). */
  readonly processor: NodeProcessor;
}

/** A tree in bin space, plus where each leaf's rows ended up in `rowIndex`. */
export interface GrownTree {
  readonly feature: number[];
  /** Numeric splits: local value bins `<= binThreshold` go left. */
  readonly binThreshold: number[];
  readonly leftCategories: (Uint8Array | null)[];
  readonly defaultLeft: boolean[];
  readonly left: number[];
  readonly right: number[];
  /** Leaf value including the learning rate (0 for internal nodes). */
  readonly value: number[];
  readonly cover: number[];
  readonly gain: number[];
  /** Per node: its rows are `rowIndex[rowBegin..rowEnd)` (meaningful for leaves). */
  readonly rowBegin: number[];
  readonly rowEnd: number[];
}

interface OpenLeaf {
  readonly node: number;
  readonly begin: number;
  readonly end: number;
  readonly depth: number;
  readonly stats: NodeStats;
  /** Its histogram's slot while it may still be split, else -1. */
  slot: number;
  split: SplitCandidate | null;
}

/** Grows one regression tree on the gradients the processor holds. */
export function growTree(input: GrowTreeInput): GrownTree {
  const { rowIndex, processor } = input;
  const tree: GrownTree = {
    feature: [],
    binThreshold: [],
    leftCategories: [],
    defaultLeft: [],
    left: [],
    right: [],
    value: [],
    cover: [],
    gain: [],
    rowBegin: [],
    rowEnd: [],
  };

  const root = addLeaf(tree, input, 0, rowIndex.length, 0, processor.sumGradients(rowIndex.length));
  if (mayHaveChildren(input, 0, rowIndex.length)) {
    buildAndSearch(input, 0, rowIndex.length, null, [root], [processor.takeHistogram()]);
  }
  const open: OpenLeaf[] = [root];
  let numLeaves = 1;
  for (;;) {
    if (input.maxLeaves > 0 && numLeaves >= input.maxLeaves) break;
    const index = nextToSplit(open, input.growPolicy);
    if (index < 0) break;
    const leaf = open[index] as OpenLeaf;
    open.splice(index, 1);
    const split = leaf.split as SplitCandidate;
    const mid = processor.partition(leaf.begin, leaf.end, split);
    const depth = leaf.depth + 1;

    const node = leaf.node;
    tree.feature[node] = split.feature;
    tree.binThreshold[node] = split.binThreshold;
    tree.leftCategories[node] = split.leftCategories;
    tree.defaultLeft[node] = split.defaultLeft;
    tree.gain[node] = split.gain;
    tree.value[node] = 0;
    const left = addLeaf(tree, input, leaf.begin, mid, depth, split.left);
    const right = addLeaf(tree, input, mid, leaf.end, depth, split.right);
    tree.left[node] = left.node;
    tree.right[node] = right.node;
    open.push(left, right);
    numLeaves++;

    if (mayHaveChildren(input, depth, Math.max(mid - leaf.begin, leaf.end - mid))) {
      // The smaller child's histogram is built from its rows; the larger's is the parent's
      // minus the smaller's, in the parent's slot: half the row passes.
      const small = mid - leaf.begin <= leaf.end - mid ? left : right;
      const large = small === left ? right : left;
      const slots = [processor.takeHistogram(), leaf.slot];
      buildAndSearch(input, small.begin, small.end, leaf.slot, [small, large], slots);
    } else {
      // Neither child can be split (depth limit or too few rows): no histograms needed.
      processor.releaseHistogram(leaf.slot);
    }
  }
  for (const leaf of open) if (leaf.slot >= 0) processor.releaseHistogram(leaf.slot);
  return tree;
}

/** Appends a leaf node with its weight; its split is searched separately. */
function addLeaf(
  tree: GrownTree,
  input: GrowTreeInput,
  begin: number,
  end: number,
  depth: number,
  stats: NodeStats,
): OpenLeaf {
  const node = tree.feature.length;
  let weight = leafWeight(stats.g, stats.h, input.constraints);
  if (input.maxDeltaStep > 0) {
    weight = Math.max(-input.maxDeltaStep, Math.min(input.maxDeltaStep, weight));
  }
  tree.feature.push(-1);
  tree.binThreshold.push(-1);
  tree.leftCategories.push(null);
  tree.defaultLeft.push(false);
  tree.left.push(-1);
  tree.right.push(-1);
  tree.value.push(weight * input.learningRate);
  tree.cover.push(stats.h);
  tree.gain.push(0);
  tree.rowBegin.push(begin);
  tree.rowEnd.push(end);
  return { node, begin, end, depth, stats, slot: -1, split: null };
}

/**
 * Builds the histogram of `rowIndex[begin..end)` into the first leaf's slot (with a `parent`
 * slot, the second leaf's histogram becomes the parent's minus the first's), then searches the
 * splits of the leaves that may be split. A leaf with a split keeps its slot; the other slots
 * are released.
 */
function buildAndSearch(
  input: GrowTreeInput,
  begin: number,
  end: number,
  parent: number | null,
  leaves: readonly OpenLeaf[],
  slots: readonly number[],
): void {
  const requests: SplitRequest[] = [];
  const searched: OpenLeaf[] = [];
  leaves.forEach((leaf, i) => {
    if (!mayHaveChildren(input, leaf.depth, leaf.end - leaf.begin)) return;
    leaf.slot = slots[i] as number;
    requests.push({ slot: leaf.slot, stats: leaf.stats, numRows: leaf.end - leaf.begin });
    searched.push(leaf);
  });
  const splits = input.processor.buildAndSearch(begin, end, slots[0] as number, parent, requests);
  searched.forEach((leaf, i) => {
    leaf.split = splits[i] ?? null;
  });
  leaves.forEach((leaf, i) => {
    if (leaf.split === null) {
      input.processor.releaseHistogram(slots[i] as number);
      leaf.slot = -1;
    }
  });
}

/** Whether a node at `depth` with `numRows` rows may be split (so needs its histogram). */
function mayHaveChildren(input: GrowTreeInput, depth: number, numRows: number): boolean {
  const depthAllows = input.maxDepth === 0 || depth < input.maxDepth;
  return depthAllows && numRows >= 2 * input.constraints.minDataInLeaf;
}

/** Depth-wise takes splittable leaves in creation (breadth-first) order; leaf-wise the best gain. */
function nextToSplit(open: OpenLeaf[], policy: "depthwise" | "leafwise"): number {
  let best = -1;
  for (let i = 0; i < open.length; i++) {
    const split = (open[i] as OpenLeaf).split;
    if (split === null) continue;
    if (policy === "depthwise") return i;
    if (best < 0 || split.gain > ((open[best] as OpenLeaf).split as SplitCandidate).gain) best = i;
  }
  return best;
}

/** Routes one binned row down a grown tree to its leaf value. */
export function grownTreeValue(tree: GrownTree, binned: BinnedDataset, row: number): number {
  const { bins, numFeatures } = binned;
  let node = 0;
  for (;;) {
    const f = tree.feature[node] as number;
    if (f < 0) return tree.value[node] as number;
    const local = (bins[row * numFeatures + f] as number) - (binned.binOffset[f] as number);
    const categories = tree.leftCategories[node] as Uint8Array | null;
    const goesLeft =
      local === binned.numValueBins[f]
        ? (tree.defaultLeft[node] as boolean)
        : categories === null
          ? local <= (tree.binThreshold[node] as number)
          : categories[local] === 1;
    node = (goesLeft ? tree.left[node] : tree.right[node]) as number;
  }
}
