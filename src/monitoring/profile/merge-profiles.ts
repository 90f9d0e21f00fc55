import { PlinthError } from "../../core/errors.ts";
import { mergeCategoryCounts } from "./category-counts.ts";
import type {
  CategoricalProfile,
  DatasetProfile,
  FeatureProfile,
  NumericProfile,
} from "./feature-profile.ts";
import {
  addHistograms,
  DEFAULT_HISTOGRAM_BINS,
  equalWidthEdges,
  histogramFromSketch,
} from "./histogram.ts";
import { mergeHyperLogLogs } from "./hyperloglog.ts";
import { mergeMoments } from "./numeric-moments.ts";
import { mergeSketches } from "./quantile-sketch.ts";

/**
 * The profile of `a`'s rows and `b`'s rows together, as if profiled in one go: counts,
 * moments (Chan's update), sketches and distinct estimates merge exactly, category counts
 * exactly while within capacity. Histograms with the same edges (windows profiled against one
 * reference) add exactly; otherwise the merged histogram is read from the merged sketch over
 * the merged range and marked approximate. Associative, so a day's profile can be folded
 * from its hours in any grouping.
 *
 * Features are matched by name; one present on only one side is kept as is (a column added
 * or dropped mid-day). Throws MONITORING_INCOMPATIBLE_PROFILES naming a feature that is
 * numeric on one side and categorical on the other.
 *
 * @example
 * const day = hours.reduce(mergeProfiles);
 */
export function mergeProfiles(a: DatasetProfile, b: DatasetProfile): DatasetProfile {
  const fromB = new Map(b.features.map((f) => [f.name, f]));
  const features: FeatureProfile[] = a.features.map((fa) => {
    const fb = fromB.get(fa.name);
    if (fb === undefined) return fa;
    fromB.delete(fa.name);
    if (fa.kind === "numeric" && fb.kind === "numeric") return mergeNumeric(fa, fb);
    if (fa.kind === "categorical" && fb.kind === "categorical") return mergeCategorical(fa, fb);
    throw new PlinthError(
      "MONITORING_INCOMPATIBLE_PROFILES",
      `Feature '${fa.name}' is ${fa.kind} in one profile and ${fb.kind} in the other`,
      { field: fa.name },
    );
  });
  return { rows: a.rows + b.rows, features: [...features, ...fromB.values()] };
}

function mergeNumeric(a: NumericProfile, b: NumericProfile): NumericProfile {
  const moments = mergeMoments(a.moments, b.moments);
  const sketch = mergeSketches(a.sketch, b.sketch);
  const histogram =
    addHistograms(a.histogram, b.histogram) ??
    histogramFromSketch(
      sketch,
      moments.count === 0
        ? equalWidthEdges(0, 1, DEFAULT_HISTOGRAM_BINS)
        : equalWidthEdges(moments.min, moments.max, a.histogram.counts.length),
    );
  return {
    kind: "numeric",
    name: a.name,
    count: a.count + b.count,
    missing: a.missing + b.missing,
    positiveInfinity: a.positiveInfinity + b.positiveInfinity,
    negativeInfinity: a.negativeInfinity + b.negativeInfinity,
    moments,
    sketch,
    histogram,
    distinct: mergeHyperLogLogs(a.distinct, b.distinct),
  };
}

function mergeCategorical(a: CategoricalProfile, b: CategoricalProfile): CategoricalProfile {
  return {
    kind: "categorical",
    name: a.name,
    count: a.count + b.count,
    missing: a.missing + b.missing,
    categories: mergeCategoryCounts(a.categories, b.categories),
    distinct: mergeHyperLogLogs(a.distinct, b.distinct),
  };
}
