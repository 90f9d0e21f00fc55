import { bucketMidpoint, type QuantileSketch } from "./quantile-sketch.ts";

/**
 * Counts of finite values in equal-width bins, NumPy's convention: bin i holds
 * edges[i] ≤ x < edges[i+1], the last bin also holds its right edge. Values outside the
 * edges (possible when the edges came from a reference profile) are counted apart.
 */
export interface Histogram {
  /** Bin edges, increasing; one more than `counts`. */
  readonly edges: readonly number[];
  /** Values in each bin. */
  readonly counts: readonly number[];
  /** Values below the first edge. */
  readonly underflow: number;
  /** Values above the last edge. */
  readonly overflow: number;
  /**
   * True when the counts were read from the quantile sketch (after merging histograms with
   * different edges), so a count may be off by the values of the sketch buckets that
   * straddle an edge.
   */
  readonly approximate: boolean;
}

/** Bins of a histogram whose edges come from the data. */
export const DEFAULT_HISTOGRAM_BINS = 20;

/**
 * `bins` equal-width edges over [min, max]; [min − 0.5, max + 0.5] for a constant column, as
 * `numpy.histogram` does. Edge i is `min + i·step` and the last edge is exactly `max`.
 */
export function equalWidthEdges(min: number, max: number, bins = DEFAULT_HISTOGRAM_BINS): number[] {
  let lo = min;
  let hi = max;
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const step = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => i * step + lo);
  edges[bins] = hi;
  return edges;
}

/** Counts the finite values of `values` into `edges` in one pass. */
export function histogramOf(values: Float64Array, edges: readonly number[]): Histogram {
  const bins = edges.length - 1;
  const lo = edges[0]!;
  const hi = edges[bins]!;
  const scale = bins / (hi - lo);
  const counts = new Float64Array(bins);
  let underflow = 0;
  let overflow = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (x - x !== 0) continue;
    if (x < lo) underflow++;
    else if (x > hi) overflow++;
    else {
      let b = Math.min(bins - 1, Math.floor((x - lo) * scale));
      // The scaled index can be one off next to an edge; the edges are authoritative.
      if (x < edges[b]!) b--;
      else if (b < bins - 1 && x >= edges[b + 1]!) b++;
      counts[b] = (counts[b] as number) + 1;
    }
  }
  return { edges: [...edges], counts: [...counts], underflow, overflow, approximate: false };
}

/** Adds two histograms with identical edges; null when their edges differ. */
export function addHistograms(a: Histogram, b: Histogram): Histogram | null {
  if (a.edges.length !== b.edges.length || a.edges.some((e, i) => e !== b.edges[i])) return null;
  return {
    edges: a.edges,
    counts: a.counts.map((c, i) => c + b.counts[i]!),
    underflow: a.underflow + b.underflow,
    overflow: a.overflow + b.overflow,
    approximate: a.approximate || b.approximate,
  };
}

/**
 * A histogram over `edges` read from a sketch: each bucket counts in the bin of its midpoint,
 * clamped into the edges (which cover the data's range when they come from its min and max).
 */
export function histogramFromSketch(sketch: QuantileSketch, edges: readonly number[]): Histogram {
  const bins = edges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  for (let b = 0; b < sketch.buckets.length; b++) {
    const x = bucketMidpoint(sketch.buckets[b]!);
    let i = 0;
    while (i < bins - 1 && x >= edges[i + 1]!) i++;
    counts[i]! += sketch.counts[b] as number;
  }
  return { edges: [...edges], counts, underflow: 0, overflow: 0, approximate: true };
}
