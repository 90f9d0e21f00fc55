import type { Table } from "apache-arrow";
import type { FeatureFrame } from "./feature-frame.ts";
import type { FeatureStatistics } from "./feature-statistics.ts";
import type { TrainingSetLineage } from "./training-set-lineage.ts";

/**
 * What toParquet returns: the written file and its lineage. Statistics are a separate call
 * (they cost a pass per feature); SavedDatasetStore.save stores both beside the bytes.
 */
export interface TrainingSetManifest {
  readonly path: string;
  readonly numRows: number;
  readonly lineage: TrainingSetLineage;
}

/**
 * A lazy point-in-time join, as Feast's RetrievalJob: nothing runs until the first method
 * call; the result is then kept until close(). Every method answers from the same result.
 */
export interface RetrievalJob {
  /** The result as typed columns: entity input columns in order, then the features. */
  toFrame(): Promise<FeatureFrame>;
  /** The result as an Apache Arrow table (same columns and types as toFrame). */
  toArrow(): Promise<Table>;
  /** Writes the result as Parquet (temporary name, then renamed) and returns its manifest. */
  toParquet(path: string): Promise<TrainingSetManifest>;
  /** Per-feature summaries, computed in DuckDB. */
  statistics(): Promise<FeatureStatistics>;
  /** Content hashes of the entity input, the definitions and the source files. */
  lineage(): Promise<TrainingSetLineage>;
  /** Releases the job's DuckDB database; later calls throw. */
  close(): Promise<void>;
}
