import type { PredictionRecord } from "./prediction-record.ts";

/** Which logged predictions to read. */
export interface PredictionQuery {
  readonly deployment: string;
  /** Inclusive lower bound on `at`, epoch milliseconds. */
  readonly from?: number;
  /** Exclusive upper bound on `at`, epoch milliseconds. */
  readonly to?: number;
  /** Only these variants (default: all, shadows included). */
  readonly variants?: readonly string[];
}

/**
 * Reads a deployment's prediction log back as one table, across segments, in `at` order.
 * Monitoring builds windows, profiles, performance (joined with labels) and skew samples on it.
 */
export interface PredictionLogReader {
  /** The records matching `query`, oldest first. */
  read(query: PredictionQuery): Promise<PredictionRecord[]>;
}
