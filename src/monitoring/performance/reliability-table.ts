/** One bin of a reliability (calibration) table. */
export interface ReliabilityBin {
  readonly lower: number;
  readonly upper: number;
  /** Labelled rows whose probability falls in the bin. */
  readonly count: number;
  /** Their mean predicted probability; null for an empty bin. */
  readonly meanPredicted: number | null;
  /** Their observed positive rate; null for an empty bin. */
  readonly observedRate: number | null;
}

/**
 * Predicted against observed positive rate in `bins` equal-width bins on [0, 1], with the
 * same bin edges as `expectedCalibrationError` (b/bins ≤ p < (b+1)/bins, p = 1 in the last),
 * so the table explains the ECE it sits beside.
 */
export function reliabilityTable(
  label: Float64Array,
  prob: Float64Array,
  bins: number,
): ReliabilityBin[] {
  const count = new Float64Array(bins);
  const positive = new Float64Array(bins);
  const sum = new Float64Array(bins);
  for (let i = 0; i < prob.length; i++) {
    const p = prob[i] as number;
    let b = Math.min(Math.floor(p * bins), bins - 1);
    while (b > 0 && p < b / bins) b--;
    while (b < bins - 1 && p >= (b + 1) / bins) b++;
    count[b] = (count[b] as number) + 1;
    positive[b] = (positive[b] as number) + (label[i] as number);
    sum[b] = (sum[b] as number) + p;
  }
  return Array.from({ length: bins }, (_, b) => {
    const c = count[b] as number;
    return {
      lower: b / bins,
      upper: (b + 1) / bins,
      count: c,
      meanPredicted: c === 0 ? null : (sum[b] as number) / c,
      observedRate: c === 0 ? null : (positive[b] as number) / c,
    };
  });
}
