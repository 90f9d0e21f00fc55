import type { FeatureService } from "../definitions/feature-service.ts";
import type { FeatureView } from "../definitions/feature-view.ts";
import type { EntityInput } from "./entity-input.ts";
import type { LatestRows, PullWindow } from "./latest-rows.ts";
import type { RetrievalJob } from "./retrieval-job.ts";

/** Options of a historical retrieval. */
export interface HistoricalFeaturesOptions {
  /** The entity input's timestamp column; default `event_timestamp` (Feast's name). */
  readonly timestampColumn?: string;
  /** Name outputs `view__feature` rather than `feature` (Feast's `full_feature_names`). */
  readonly fullFeatureNames?: boolean;
  /**
   * Also require a feature row's created timestamp to be <= the entity row's timestamp, so
   * a value backfilled after the fact cannot reach training. Views whose source has no
   * created-timestamp field are unaffected (their event time is already <= the row's).
   */
  readonly excludeLateArrivals?: boolean;
  /** Rows per call of an on-demand transform; default 8192. */
  readonly onDemandBatchSize?: number;
}

/**
 * Which features to read: a FeatureService, the name of one, or feature references —
 * `"view:feature"`, `"view"` for all of a view's features, or an on-demand view's name.
 */
export type FeatureSelection = FeatureService | string | readonly string[];

/** Reads features as of past times for training (Feast's offline store). */
export interface OfflineStore {
  /**
   * For every entity row, in input order, the features of `service` as they were at the
   * row's timestamp: the latest row with event time <= the row's and within the view's
   * ttl, ties broken by created time (latest first, missing last), then by source order
   * (the later row); null where nothing matches. Lazy: an unknown service, view or feature
   * throws here, while problems with the data reject the job's first call.
   */
  getHistoricalFeatures(
    entities: EntityInput,
    features: FeatureSelection,
    options?: HistoricalFeaturesOptions,
  ): RetrievalJob;
  /**
   * The latest row per entity of `view` with an event time in `window`, ties broken as
   * getHistoricalFeatures breaks them (Feast's pull_latest_from_table_or_query): what
   * materialization writes to the online store. Close the result when done.
   */
  pullLatest(view: FeatureView, window: PullWindow): Promise<LatestRows>;
}
