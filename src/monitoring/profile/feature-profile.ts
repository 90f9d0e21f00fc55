import type { CategoryCounts } from "./category-counts.ts";
import type { Histogram } from "./histogram.ts";
import type { HyperLogLog } from "./hyperloglog.ts";
import type { NumericMoments } from "./numeric-moments.ts";
import type { QuantileSketch } from "./quantile-sketch.ts";

/** The profile of a numeric column. Every part merges; see `mergeProfiles`. */
export interface NumericProfile {
  readonly kind: "numeric";
  readonly name: string;
  /** Rows seen, whatever their value. */
  readonly count: number;
  /** Rows whose value is NaN (missing). */
  readonly missing: number;
  /** Rows whose value is +Infinity: present but not finite, so kept apart from missing. */
  readonly positiveInfinity: number;
  /** Rows whose value is -Infinity. */
  readonly negativeInfinity: number;
  /** Count, min, max, mean and squared deviations of the finite values. */
  readonly moments: NumericMoments;
  /** Quantile sketch of the finite values. */
  readonly sketch: QuantileSketch;
  /** Equal-width histogram of the finite values. */
  readonly histogram: Histogram;
  /** Distinct finite values. */
  readonly distinct: HyperLogLog;
}

/** The profile of a categorical column. */
export interface CategoricalProfile {
  readonly kind: "categorical";
  readonly name: string;
  /** Rows seen. */
  readonly count: number;
  /** Rows without a value. */
  readonly missing: number;
  /** Counts per category value (exact up to a capacity; see CategoryCounts). */
  readonly categories: CategoryCounts;
  /** Distinct values, for when there are more than `categories` keeps. */
  readonly distinct: HyperLogLog;
}

export type FeatureProfile = NumericProfile | CategoricalProfile;

/** Profiles of the columns of one table or time window. */
export interface DatasetProfile {
  /** Rows profiled. */
  readonly rows: number;
  /** One profile per column, in input order. */
  readonly features: readonly FeatureProfile[];
}

/** Missing rows over all rows (0 for an empty profile). */
export function missingRate(profile: FeatureProfile): number {
  return profile.count === 0 ? 0 : profile.missing / profile.count;
}
