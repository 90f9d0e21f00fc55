import type { FeatureColumns } from "../definitions/on-demand-feature-view.ts";

/** Rows of one feature view as typed columns (frame conventions) with their times. */
export interface ViewRowBatch {
  readonly numRows: number;
  /** Join keys and features by name; float64 as Float64Array with NaN for missing. */
  readonly columns: FeatureColumns;
  /** Event times, epoch microseconds. */
  readonly eventMicros: ArrayLike<number>;
  /** Created times, epoch microseconds; NO_CREATED_TIME (online-store.ts) where unknown. */
  readonly createdMicros: ArrayLike<number>;
}

/** The event-time window to pull, both ends inclusive, epoch microseconds. */
export interface PullWindow {
  /** null: from the earliest row. */
  readonly startMicros: number | null;
  readonly endMicros: number;
}

/**
 * The latest row per entity of a view within a window (Feast's
 * `pull_latest_from_table_or_query`), computed and held by the offline store until closed.
 */
export interface LatestRows {
  /** How many entities have a row in the window. */
  readonly numRows: number;
  /** The rows, `batchSize` at a time. */
  batches(batchSize: number): AsyncIterable<ViewRowBatch>;
  /** Releases what the offline store holds for the pull. */
  close(): Promise<void>;
}
