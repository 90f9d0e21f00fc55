import { alignCounts, type PreparedColumn, uniqueValuesOf } from "./prepared-column.ts";

/** The share of each side's rows per bin or value, parallel arrays. */
export interface BinnedShares {
  readonly reference: Float64Array;
  readonly current: Float64Array;
}

/** Numeric references with more distinct values than this are binned; others count values. */
export const BINNING_MIN_UNIQUE = 20;

/**
 * Evidently's `get_binned_data`, which feeds Jensen-Shannon and PSI: a numeric column whose
 * reference has more than 20 distinct values is cut into Sturges' equal-width bins over the
 * combined range (`numpy.histogram_bin_edges(both, "sturges")`); anything else is counted per
 * value over the union of both sides' values. Shares are counts over each side's size. With
 * `fillZeros` (PSI), an empty share becomes a small positive number so logarithms stay finite:
 * the side's smallest non-zero share / 10⁶ when that is at most 10⁻⁴, else 10⁻⁴.
 */
export function binnedShares(
  reference: PreparedColumn,
  current: PreparedColumn,
  fillZeros: boolean,
): BinnedShares {
  let shares: BinnedShares;
  if (
    reference.kind === "numeric" &&
    current.kind === "numeric" &&
    uniqueValuesOf(reference) > BINNING_MIN_UNIQUE
  ) {
    const edges = sturgesEdges(reference.sorted, current.sorted);
    shares = {
      reference: histogramShares(reference.sorted, edges),
      current: histogramShares(current.sorted, edges),
    };
  } else {
    const counts = alignCounts(reference, current);
    shares = {
      reference: counts.reference.map((c) => c / reference.used),
      current: counts.current.map((c) => c / current.used),
    };
  }
  if (fillZeros) {
    fillZeroShares(shares.reference);
    fillZeroShares(shares.current);
  }
  return shares;
}

/**
 * NumPy's Sturges edges for the two sorted samples together: ⌈range / width⌉ bins with width
 * = range / (log₂ n + 1), edges `min + i·step` with the last exactly `max` (`linspace`).
 */
export function sturgesEdges(a: Float64Array, b: Float64Array): Float64Array {
  let lo = Math.min(a[0] as number, b[0] as number);
  let hi = Math.max(a[a.length - 1] as number, b[b.length - 1] as number);
  const size = a.length + b.length;
  const width = (hi - lo) / (Math.log2(size) + 1);
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const bins = width ? Math.ceil((hi - lo) / width) : 1;
  const step = (hi - lo) / bins;
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = i * step + lo;
  edges[bins] = hi;
  return edges;
}

/** `numpy.histogram(sorted, edges)[0] / n` by binary search; the last bin holds its right edge. */
function histogramShares(sorted: Float64Array, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const shares = new Float64Array(bins);
  let previous = lowerBound(sorted, edges[0] as number);
  for (let i = 0; i < bins; i++) {
    const next =
      i === bins - 1
        ? upperBound(sorted, edges[bins] as number)
        : lowerBound(sorted, edges[i + 1] as number);
    shares[i] = (next - previous) / sorted.length;
    previous = next;
  }
  return shares;
}

function fillZeroShares(shares: Float64Array): void {
  let smallest = Number.POSITIVE_INFINITY;
  for (const s of shares) if (s !== 0 && s < smallest) smallest = s;
  const fill = smallest <= 0.0001 ? smallest / 10 ** 6 : 0.0001;
  for (let i = 0; i < shares.length; i++) if (shares[i] === 0) shares[i] = fill;
}

/** First index whose value is >= x. */
export function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > x. */
export function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
