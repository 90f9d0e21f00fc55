import type { FeatureValue } from "./feature-value.ts";

/**
 * How a value was found (Feast's FieldStatus): PRESENT; NULL_VALUE, stored (or computed)
 * as null; NOT_FOUND, nothing stored for the entity; OUTSIDE_MAX_AGE, stored but older
 * than the view's ttl at the time of the read, so the value is withheld (null).
 */
export type FeatureStatus = "PRESENT" | "NULL_VALUE" | "NOT_FOUND" | "OUTSIDE_MAX_AGE";

/** One entity's features, aligned with the reader's `featureNames` (join keys first). */
export interface OnlineFeatureVector {
  /** Typed values (see FeatureValue); null unless the status is PRESENT. */
  readonly values: (FeatureValue | null)[];
  readonly statuses: FeatureStatus[];
  /** Event time of each value's record; null for join keys, on-demand outputs and NOT_FOUND. */
  readonly eventTimestamps: (Date | null)[];
}

/** Features of many entities, in entity-row order. */
export interface OnlineFeatures {
  /** Join keys, then the requested features (`view__feature` with fullFeatureNames). */
  readonly featureNames: readonly string[];
  readonly rows: readonly OnlineFeatureVector[];
}

/** Per-call options of an online read. */
export interface OnlineReadOptions {
  /**
   * Request fields of on-demand views, one object per entity row; a field may instead sit
   * in the entity row itself (as Feast takes it).
   */
  readonly requestData?: readonly Readonly<Record<string, unknown>>[];
  /** The time ttl is enforced against; default now. */
  readonly now?: Date;
}
