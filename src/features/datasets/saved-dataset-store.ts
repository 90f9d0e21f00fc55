import type { FeatureStatistics } from "../offline/feature-statistics.ts";
import type { RetrievalJob } from "../offline/retrieval-job.ts";
import type { TrainingSetLineage } from "../offline/training-set-lineage.ts";

/** A training set kept in the artifact store, with what monitoring and lineage need of it. */
export interface SavedDataset {
  /** sha256 of the Parquet bytes: the dataset's address, as a model version records it. */
  readonly hash: string;
  readonly name: string;
  readonly featureService: string;
  readonly numRows: number;
  readonly sizeBytes: number;
  /** Where the bytes are in the artifact store. */
  readonly artifactKey: string;
  readonly lineage: TrainingSetLineage;
  /** Per-feature statistics: the reference profile drift monitoring compares serving data with. */
  readonly statistics: FeatureStatistics;
  /**
   * The registry version of each view read (`{ driver_stats: 2 }`), or null for a view whose
   * definition, as used, was never applied.
   */
  readonly registryVersions: Readonly<Record<string, number | null>>;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly createdBy: string;
}

/**
 * Saved training datasets (Feast's saved datasets): the Parquet bytes content-addressed in
 * the artifact store, and their lineage and statistics in the metadata store, found by the
 * dataset's hash.
 */
export interface SavedDatasetStore {
  /**
   * Runs `job` to Parquet, stores the bytes under their sha256 and records the dataset.
   * Saving the same bytes again returns the existing record.
   */
  save(job: RetrievalJob, options?: { name?: string; actor?: string }): Promise<SavedDataset>;
  /** The dataset with this hash; FEATURES_DATASET_NOT_FOUND when there is none. */
  get(hash: string): Promise<SavedDataset>;
  /** The dataset's per-feature statistics, for monitoring's reference profile. */
  statistics(hash: string): Promise<FeatureStatistics>;
  /** Saved datasets, newest first, optionally of one name (at most `limit`, default 50). */
  list(options?: { name?: string; limit?: number }): Promise<SavedDataset[]>;
  /** Writes the dataset's Parquet bytes to `path` (temporary name, then renamed). */
  download(hash: string, path: string): Promise<void>;
}
