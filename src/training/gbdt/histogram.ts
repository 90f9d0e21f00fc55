/**
 * Gradient histograms: for every global bin, the sums of gradient and hessian over a node's
 * rows, interleaved as [g, h]. Row counts are not kept (a third of the memory traffic of the
 * hottest loop); like LightGBM, split finding estimates them from the hessian share.
 */
export const HISTOGRAM_STRIDE = 2;

/**
 * Adds the rows `rowIndex[begin..end)` into `out` (which the caller zeroed). The hot loop of
 * training: one pass over each row's bins, no allocation. Each thread runs it over its own
 * share of a node's rows.
 */
export function accumulateHistogram(
  bins: Uint16Array | Uint32Array,
  numFeatures: number,
  rowIndex: Int32Array,
  begin: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
  out: Float64Array,
): void {
  for (let i = begin; i < end; i++) {
    const r = rowIndex[i] as number;
    const g = grad[r] as number;
    const h = hess[r] as number;
    let p = r * numFeatures;
    const rowEnd = p + numFeatures;
    // Four features per step: the adds of different features are independent (each feature
    // owns its bins), and unrolling lets V8's code overlap them. Measured 2.2x faster than
    // one feature per step on 80k rows × 32 features (4.9 → 2.2 ns per update).
    for (; p + 3 < rowEnd; p += 4) {
      const s0 = (bins[p] as number) * HISTOGRAM_STRIDE;
      const s1 = (bins[p + 1] as number) * HISTOGRAM_STRIDE;
      const s2 = (bins[p + 2] as number) * HISTOGRAM_STRIDE;
      const s3 = (bins[p + 3] as number) * HISTOGRAM_STRIDE;
      out[s0] = (out[s0] as number) + g;
      out[s0 + 1] = (out[s0 + 1] as number) + h;
      out[s1] = (out[s1] as number) + g;
      out[s1 + 1] = (out[s1 + 1] as number) + h;
      out[s2] = (out[s2] as number) + g;
      out[s2 + 1] = (out[s2 + 1] as number) + h;
      out[s3] = (out[s3] as number) + g;
      out[s3 + 1] = (out[s3 + 1] as number) + h;
    }
    for (; p < rowEnd; p++) {
      const s = (bins[p] as number) * HISTOGRAM_STRIDE;
      out[s] = (out[s] as number) + g;
      out[s + 1] = (out[s + 1] as number) + h;
    }
  }
}

/**
 * `target -= other` over entries `[from, to)`: a sibling's histogram from its parent's
 * (histogram subtraction).
 */
export function subtractHistogram(
  target: Float64Array,
  other: Float64Array,
  from: number,
  to: number,
): void {
  for (let i = from; i < to; i++) target[i] = (target[i] as number) - (other[i] as number);
}
