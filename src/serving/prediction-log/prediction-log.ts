import type { PredictionRecord } from "./prediction-record.ts";

/** Counters of a prediction log since it opened. */
export interface PredictionLogStats {
  /** Records accepted and not yet durable. */
  readonly queued: number;
  /** Records written to segments. */
  readonly written: number;
  /** Records refused because the queue was full (counted, never silently lost). */
  readonly dropped: number;
  /** Segments written and closed. */
  readonly segments: number;
  /** Records the writer could not log (a deployment name that cannot be a path, a non-finite `at`, a value JSON cannot hold). */
  readonly rejected?: number;
}

/**
 * Where serving hands every prediction. `append` never blocks and never awaits I/O: records
 * go into a bounded queue that a background writer drains into rotated, durable segments in
 * the artifact store (`predictions/<deployment>/...`). A full queue drops and counts.
 */
export interface PredictionLog {
  /** Queues one record; false when the queue is full and the record was dropped. */
  append(record: PredictionRecord): boolean;
  /** Resolves when every record appended so far is in a durable segment. */
  flush(): Promise<void>;
  /** Counters for `/metrics`. */
  stats(): PredictionLogStats;
  /** Flushes and stops the writer. */
  close(): Promise<void>;
}
