import type { MetadataStore } from "../metadata/metadata-store.ts";
import type { FeatureDefinitions } from "./definitions/feature-definitions.ts";
import type { FeatureService } from "./definitions/feature-service.ts";
import {
  type MaterializeOptions,
  materializeViews,
  type ViewMaterialization,
} from "./materialization/materialize-views.ts";
import { type MaterializationState, readWatermarks } from "./materialization/watermarks.ts";
import {
  createDuckDbOfflineStore,
  resolveService,
} from "./offline/duckdb/create-duckdb-offline-store.ts";
import type { FeatureSelection, OfflineStore } from "./offline/offline-store.ts";
import { DEFAULT_EXPIRED_RETENTION_MS } from "./online/build-online-records.ts";
import {
  createOnlineFeatureReader,
  type OnlineFeatureReader,
} from "./online/create-online-feature-reader.ts";
import type { OnlineFeatures, OnlineReadOptions } from "./online/online-features.ts";
import type { OnlineStore } from "./online/online-store.ts";
import { type PushResult, pushRows } from "./push/push-rows.ts";

/** Compiled readers kept for feature-service names and reference lists. */
const READER_CACHE_SIZE = 256;

/** What a feature store is made of. */
export interface FeatureStoreOptions {
  readonly definitions: FeatureDefinitions;
  readonly online: OnlineStore;
  /** Where materialization watermarks are kept. */
  readonly metadata: MetadataStore;
  /** Default: DuckDB over the definitions' sources. */
  readonly offline?: OfflineStore;
  /** How long ttl-expired values stay stored (and reported OUTSIDE_MAX_AGE); default a day. */
  readonly expiredRetentionSeconds?: number;
}

/** One online read: features, entity rows, and optionally request data and names. */
export interface OnlineFeaturesRequest extends OnlineReadOptions {
  readonly features: FeatureSelection;
  readonly entityRows: readonly Readonly<Record<string, unknown>>[];
  /** Name features `view__feature` (Feast's full_feature_names). */
  readonly fullFeatureNames?: boolean;
}

/**
 * Definitions, the offline store, the online store and the metadata they share (Feast's
 * FeatureStore, kept thin: every method hands over to the module that does the work).
 */
export interface FeatureStore {
  readonly definitions: FeatureDefinitions;
  /** Point-in-time retrieval for training sets. */
  readonly offline: OfflineStore;
  readonly online: OnlineStore;
  /**
   * A compiled reader for serving, cached per selection: call `get` per request. Unknown
   * services, views or features and offline-only views throw here.
   */
  onlineReader(
    features: FeatureSelection,
    options?: { fullFeatureNames?: boolean },
  ): OnlineFeatureReader;
  /** Feast's get_online_features: values, statuses and event times per entity row. */
  getOnlineFeatures(request: OnlineFeaturesRequest): Promise<OnlineFeatures>;
  /** Materializes [start, end] (no earlier than end - ttl) into the online store. */
  materialize(
    window: { start: Date; end: Date },
    options?: MaterializeOptions,
  ): Promise<ViewMaterialization[]>;
  /** Materializes from each view's watermark (or end - ttl) up to `end`. */
  materializeIncremental(end: Date, options?: MaterializeOptions): Promise<ViewMaterialization[]>;
  /** The watermarks of the given views (default all) in this online store. */
  materializationState(views?: readonly string[]): Promise<Map<string, MaterializationState>>;
  /** Pushes rows to a push source's online views (and batch source, with writeOffline). */
  push(pushSource: string, rows: unknown): Promise<PushResult>;
  /** Closes the online store (the metadata store belongs to the caller). */
  close(): Promise<void>;
}

/**
 * Builds a feature store.
 *
 * @example
 * const store = createFeatureStore({
 *   definitions: await loadFeatureDefinitions("features.ts"),
 *   online: createSqliteOnlineStore({ path: ".plinth/online.sqlite" }),
 *   metadata: platform.metadata,
 * });
 * await store.materializeIncremental(new Date());
 * const reader = store.onlineReader("fraud_v1");
 * const v = await reader.get({ card_id: 7, amount: 240 });
 */
export function createFeatureStore(options: FeatureStoreOptions): FeatureStore {
  const { definitions, online, metadata } = options;
  const offline = options.offline ?? createDuckDbOfflineStore(definitions);
  const expiredRetentionMs =
    options.expiredRetentionSeconds === undefined
      ? DEFAULT_EXPIRED_RETENTION_MS
      : options.expiredRetentionSeconds * 1000;
  const ctx = { definitions, offline, online, metadata, expiredRetentionMs };
  const byName = new Map<string, OnlineFeatureReader>();
  const byService = new WeakMap<FeatureService, Map<boolean, OnlineFeatureReader>>();
  const onlineReader = (features: FeatureSelection, opts: { fullFeatureNames?: boolean } = {}) => {
    const full = opts.fullFeatureNames === true;
    if (typeof features === "object" && !Array.isArray(features)) {
      const service = features as FeatureService;
      let cached = byService.get(service);
      if (cached === undefined) {
        cached = new Map();
        byService.set(service, cached);
      }
      let reader = cached.get(full);
      if (reader === undefined) {
        reader = createOnlineFeatureReader(service, online, { fullFeatureNames: full });
        cached.set(full, reader);
      }
      return reader;
    }
    // A name or a list of references: the text is the cache key (NUL cannot be in a name).
    const key = `${full}\u0000${Array.isArray(features) ? `[${features.join("\u0000")}` : features}`;
    let reader = byName.get(key);
    if (reader === undefined) {
      reader = createOnlineFeatureReader(resolveService(definitions, features), online, {
        fullFeatureNames: full,
      });
      // Bounded: REST callers choose the lists, and a compiled reader is small but not free.
      if (byName.size >= READER_CACHE_SIZE) byName.delete(byName.keys().next().value as string);
      byName.set(key, reader);
    }
    return reader;
  };
  return {
    definitions,
    offline,
    online,
    onlineReader,
    async getOnlineFeatures(request) {
      const reader = onlineReader(request.features, { fullFeatureNames: request.fullFeatureNames });
      return reader.getMany(request.entityRows, request);
    },
    materialize: (window, opts) =>
      materializeViews(ctx, { kind: "range", start: window.start, end: window.end }, opts),
    materializeIncremental: (end, opts) =>
      materializeViews(ctx, { kind: "incremental", end }, opts),
    materializationState: (views) =>
      readWatermarks(metadata, online.location, views ?? [...definitions.featureViews.keys()]),
    push: (pushSource, rows) => pushRows(ctx, pushSource, rows),
    close: () => online.close(),
  };
}
