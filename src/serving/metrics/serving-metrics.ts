/** The latency histogram bucket upper bounds, milliseconds (Prometheus `le`, plus +Inf). */
export const LATENCY_BUCKETS_MS: readonly number[] = [
  0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 25, 50, 100, 250, 500, 1000, 2500,
];

/** One variant's series, held by the loaded variant so the hot path does no label lookup. */
export interface VariantMetrics {
  /** Counts one request of `rows` scored rows and its latency (lookup + predict), ms. */
  observe(latencyMs: number, rows: number): void;
}

/** One deployment's series. */
export interface DeploymentMetrics {
  /** The feature-lookup latency of one request, ms. */
  observeFeatureLookup(latencyMs: number): void;
  /** Counts `n` values served as missing (NOT_FOUND or OUTSIDE_MAX_AGE online) for `feature`. */
  countMissing(feature: string, n: number): void;
  /** Counts one shadow scoring skipped because too many were in flight (load shedding, never queued without bound). */
  countShadowSkipped(): void;
  /** The series of one variant (live or shadow); made on first use and kept. */
  variant(name: string): VariantMetrics;
}

/**
 * Serving counters and fixed-bucket latency histograms (typed arrays, no allocation per
 * observation) per deployment and variant, errors by code, feature-lookup latency and
 * missing-feature counts, exposed as Prometheus text. Label sets are bounded: only served
 * deployments get series; errors for an unknown deployment are counted under `_unknown`.
 */
export interface ServingMetrics {
  /** The series of a served deployment; made on first use and kept. */
  deployment(name: string): DeploymentMetrics;
  /**
   * Counts one failed request by error code (`SERVING_INVALID_INPUT`, `INTERNAL`, ...); a
   * failed shadow scoring counts as `shadow:<code>`, apart from the callers' errors.
   */
  countError(deployment: string | undefined, code: string): void;
  /** Counts one hot swap (a variant moved to a newly loaded version). */
  countSwap(deployment: string, variant: string): void;
  /** Forgets a deployment's series (it was deleted). */
  drop(deployment: string): void;
  /** The Prometheus text exposition (version 0.0.4) of every series. */
  toPrometheus(): string;
}
