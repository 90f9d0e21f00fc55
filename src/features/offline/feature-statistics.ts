/** A summary of one column of a training set, for monitoring to compare serving data against. */
export interface FeatureSummary {
  readonly name: string;
  readonly type: "int64" | "float64" | "string" | "bool" | "timestamp";
  /** Rows with a value. */
  readonly count: number;
  /** Rows without one (null; NaN counts as missing for float64). */
  readonly missing: number;
  /** Numeric and timestamp columns only (timestamps as epoch milliseconds); null when no values. */
  readonly min?: number | null;
  readonly max?: number | null;
  /** Numeric columns only. */
  readonly mean?: number | null;
  /** Sample standard deviation (n - 1), numeric columns only; null below two values. */
  readonly std?: number | null;
  /** Numeric columns only: exact quantiles at QUANTILE_LEVELS by nearest rank: the
   * value at index ceil(n * q) - 1 of the sorted values (DuckDB's `quantile_disc`, numpy's
   * `inverted_cdf`), always a value that occurs in the data. */
  readonly quantiles?: Readonly<Record<string, number | null>>;
  /** String and bool columns only: the most frequent values, most frequent first, ties by value. */
  readonly topCategories?: readonly { readonly value: string; readonly count: number }[];
  /** String and bool columns only: the number of distinct values. */
  readonly distinct?: number;
}

/** Statistics of every feature column of a training set (entity keys and timestamps left out). */
export interface FeatureStatistics {
  readonly numRows: number;
  readonly features: readonly FeatureSummary[];
}

/** The quantile levels FeatureSummary.quantiles reports, keyed by their decimal string. */
export const QUANTILE_LEVELS: readonly number[] = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];
