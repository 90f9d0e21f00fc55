import type { BinLayout } from "./feature-binning.ts";
import { accumulateHistogram, HISTOGRAM_STRIDE, subtractHistogram } from "./histogram.ts";
import {
  findBestSplit,
  type NodeStats,
  type SplitCandidate,
  type SplitConstraints,
} from "./split-finder.ts";

/** What one thread needs to do its slice of the features of any node. */
export interface FeatureSlice {
  readonly featureBegin: number;
  readonly featureEnd: number;
  readonly layout: BinLayout;
  readonly bins: Uint16Array | Uint32Array;
  readonly rowIndex: Int32Array;
  readonly grad: Float64Array;
  readonly hess: Float64Array;
  readonly allowedFeatures: Uint8Array;
  readonly constraints: SplitConstraints;
}

/** Adds every feature of the rows `rowIndex[begin..end)` into `out` (zeroed by the caller). */
export function accumulateRows(
  slice: FeatureSlice,
  out: Float64Array,
  begin: number,
  end: number,
): void {
  const { numFeatures } = slice.layout;
  accumulateHistogram(
    slice.bins,
    numFeatures,
    slice.rowIndex,
    begin,
    end,
    slice.grad,
    slice.hess,
    out,
  );
}

/**
 * On the slice's bins: adds the `partials` into `target`, then, with a `parent`, subtracts
 * `target` from it, leaving the sibling's histogram there.
 */
export function reduceSlice(
  slice: FeatureSlice,
  target: Float64Array,
  partials: readonly Float64Array[],
  parent: Float64Array | null,
): void {
  const from = sliceStart(slice.layout, slice.featureBegin);
  const to = sliceStart(slice.layout, slice.featureEnd);
  for (const partial of partials) {
    for (let i = from; i < to; i++) target[i] = (target[i] as number) + (partial[i] as number);
  }
  if (parent !== null) subtractHistogram(parent, target, from, to);
}

/** The best split's gain and feature in the slice's features (feature -1: none). */
export function bestSplitOfSlice(
  slice: FeatureSlice,
  hist: Float64Array,
  stats: NodeStats,
  numRows: number,
): { gain: number; feature: number } {
  const split = findBestSplit(
    hist,
    slice.layout,
    slice.allowedFeatures,
    stats,
    numRows,
    slice.constraints,
    slice.featureBegin,
    slice.featureEnd,
  );
  return split === null ? { gain: 0, feature: -1 } : { gain: split.gain, feature: split.feature };
}

/** The first histogram entry of feature `f` (the end of all entries when `f` = numFeatures). */
function sliceStart(layout: BinLayout, f: number): number {
  const bin = f < layout.numFeatures ? (layout.binOffset[f] as number) : layout.totalBins;
  return bin * HISTOGRAM_STRIDE;
}

/**
 * Cuts `[0, numFeatures)` into `parts` contiguous slices of near-equal feature counts; returns
 * the `parts + 1` boundaries. Histogram work is rows × features, so counts balance it.
 */
export function sliceFeatures(numFeatures: number, parts: number): number[] {
  return Array.from({ length: parts + 1 }, (_, i) => Math.round((i * numFeatures) / parts));
}

/**
 * Per local bin of feature `split.feature` (its missing bin last), 1 when rows in it go left:
 * one table serves numeric and categorical splits alike.
 */
export function leftBinTable(layout: BinLayout, split: SplitCandidate): Uint8Array {
  const numValueBins = layout.numValueBins[split.feature] as number;
  const table = new Uint8Array(numValueBins + 1);
  const categories = split.leftCategories;
  if (categories === null) table.fill(1, 0, split.binThreshold + 1);
  else table.set(categories.subarray(0, numValueBins));
  table[numValueBins] = split.defaultLeft ? 1 : 0;
  return table;
}

/**
 * Stable partition of `rowIndex[begin..end)` by `goesLeft[column[row] - offset]`: left rows to
 * `left` from `leftAt` on, right rows to `right` from 0; returns the number of left rows.
 * `left` may be `rowIndex` itself with `leftAt = begin` (a left row never overtakes its read).
 */
export function partitionShare(
  column: Uint16Array | Uint32Array,
  offset: number,
  goesLeft: Uint8Array,
  rowIndex: Int32Array,
  begin: number,
  end: number,
  left: Int32Array,
  leftAt: number,
  right: Int32Array,
): number {
  let l = leftAt;
  let r = 0;
  // Branch-free: each row is written to both sides and only one cursor advances. Which side
  // a row takes is data-dependent and unpredictable, and a mispredicted branch per row cost
  // more than the extra store.
  for (let i = begin; i < end; i++) {
    const row = rowIndex[i] as number;
    const isLeft = goesLeft[(column[row] as number) - offset] as number;
    left[l] = row;
    right[r] = row;
    l += isLeft;
    r += 1 - isLeft;
  }
  return l - leftAt;
}
