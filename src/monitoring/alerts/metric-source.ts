/** One window of one deployment, and the metrics wanted for it. */
export interface MetricQuery {
  readonly deployment: string;
  /** Inclusive start, epoch ms. */
  readonly from: number;
  /** Exclusive end, epoch ms. */
  readonly to: number;
  /** Metric names as rules spell them (`drift_share`, `missing_rate:amount`, ...). */
  readonly metrics: readonly string[];
}

/**
 * Computes window metrics for alert rules and retraining policies: the seam between the
 * evaluator and whatever reads the prediction log, labels and reference profiles.
 */
export interface MetricSource {
  /**
   * Each requested metric's value over the window: a number, or null when the window has
   * no data for it (no predictions, no labels yet, a feature absent from the log). NaN is
   * read as null. Throwing marks every rule of the query as `error` for this window.
   */
  values(query: MetricQuery): Promise<Readonly<Record<string, number | null>>>;
}
