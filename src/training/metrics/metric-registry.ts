import { invalidArgument } from "../../core/errors.ts";
import { accuracy } from "./accuracy.ts";
import { averagePrecision } from "./average-precision.ts";
import { brierScore } from "./brier-score.ts";
import { expectedCalibrationError } from "./expected-calibration-error.ts";
import { f1 } from "./f1.ts";
import { logLoss } from "./log-loss.ts";
import { mae } from "./mae.ts";
import { mapAtK } from "./map-at-k.ts";
import { invalidData } from "./metric-input-checks.ts";
import { multiclassAccuracy } from "./multiclass-accuracy.ts";
import { multiclassLogLoss } from "./multiclass-log-loss.ts";
import { ndcgAtK } from "./ndcg-at-k.ts";
import { precision } from "./precision.ts";
import { r2 } from "./r2.ts";
import { recall } from "./recall.ts";
import { rmse } from "./rmse.ts";
import { rocAuc } from "./roc-auc.ts";

/**
 * What a trainer hands a metric: the same columns as a `TrainingDataset` plus predictions
 * after the objective's link.
 */
export interface MetricInput {
  /** 0/1 for binary, a class index for multiclass, a real for regression, a grade for ranking. */
  readonly label: Float64Array;
  /**
   * One value per row (probability, score or regression value), or for multiclass metrics
   * row-major label.length × K class probabilities, K read off the length.
   */
  readonly prediction: Float64Array;
  /** Optional non-negative row weights; ranking metrics ignore them (every query counts once). */
  readonly weight?: Float64Array;
  /** Query group id per row; required by the ranking metrics. */
  readonly group?: Int32Array;
}

/** A registry entry. */
export interface MetricDefinition {
  /** True when a larger value is a better model; early stopping compares with it. */
  readonly higherIsBetter: boolean;
  /** True for metrics with a rank cut-off, written `name@k`. */
  readonly takesK: boolean;
  /** Scores predictions; `k` is the cut-off for ranking metrics, undefined for the whole list. */
  compute(input: MetricInput, k?: number): number;
}

/** A metric resolved from a name such as "auc" or "ndcg@10", ready for early stopping. */
export interface Metric {
  /** The name it was resolved from. */
  readonly name: string;
  readonly higherIsBetter: boolean;
  compute(input: MetricInput): number;
}

/**
 * Every metric by name. Binary metrics read `prediction` as the positive-class probability
 * (threshold metrics predict positive at >= 0.5). "merror" is 1 − multiclass accuracy,
 * named as in XGBoost and LightGBM so GBDT configs carry over, and lower is better like
 * "mlogloss". "ndcg" and "map" take an optional `@k` cut-off ("ndcg@10"); without it the
 * whole group is ranked.
 */
export const METRICS = {
  auc: rowwise(true, (i) => rocAuc(i.label, i.prediction, i.weight)),
  average_precision: rowwise(true, (i) => averagePrecision(i.label, i.prediction, i.weight)),
  logloss: rowwise(false, (i) => logLoss(i.label, i.prediction, i.weight)),
  brier: rowwise(false, (i) => brierScore(i.label, i.prediction, i.weight)),
  ece: rowwise(false, (i) => expectedCalibrationError(i.label, i.prediction, { weight: i.weight })),
  accuracy: rowwise(true, (i) => accuracy(i.label, i.prediction, { weight: i.weight })),
  precision: rowwise(true, (i) => precision(i.label, i.prediction, { weight: i.weight })),
  recall: rowwise(true, (i) => recall(i.label, i.prediction, { weight: i.weight })),
  f1: rowwise(true, (i) => f1(i.label, i.prediction, { weight: i.weight })),
  mlogloss: rowwise(false, (i) =>
    multiclassLogLoss(i.label, i.prediction, numClassesOf(i), i.weight),
  ),
  merror: rowwise(
    false,
    (i) => 1 - multiclassAccuracy(i.label, i.prediction, numClassesOf(i), i.weight),
  ),
  rmse: rowwise(false, (i) => rmse(i.label, i.prediction, i.weight)),
  mae: rowwise(false, (i) => mae(i.label, i.prediction, i.weight)),
  r2: rowwise(true, (i) => r2(i.label, i.prediction, i.weight)),
  ndcg: ranking((i, group, k) => ndcgAtK(i.label, i.prediction, group, k)),
  map: ranking((i, group, k) => mapAtK(i.label, i.prediction, group, k)),
} as const satisfies Record<string, MetricDefinition>;

/** A base metric name, without any `@k` suffix. */
export type MetricName = keyof typeof METRICS;

/** The names `resolveMetric` accepts, as written in configs. */
export const METRIC_NAMES: readonly string[] = Object.entries(METRICS).map(([name, spec]) =>
  spec.takesK ? `${name}@k` : name,
);

/**
 * Looks a metric up by name, binding the `@k` cut-off of ranking metrics ("ndcg@10", "map@5";
 * "ndcg" alone ranks whole groups). Throws INVALID_ARGUMENT for an unknown name, a suffix on
 * a metric without one, or a k that is not an integer >= 1.
 *
 * @example
 * const metric = resolveMetric("ndcg@10");
 * const score = metric.compute({ label, prediction, group });
 * const improved = metric.higherIsBetter ? score > best : score < best;
 */
export function resolveMetric(name: string): Metric {
  const at = name.indexOf("@");
  const base = at === -1 ? name : name.slice(0, at);
  if (!Object.hasOwn(METRICS, base)) {
    throw invalidArgument(
      "metric",
      `unknown metric '${name}'; expected one of ${METRIC_NAMES.join(", ")}`,
    );
  }
  const spec: MetricDefinition = METRICS[base as MetricName];
  if (at === -1) {
    return { name, higherIsBetter: spec.higherIsBetter, compute: (input) => spec.compute(input) };
  }
  if (!spec.takesK) {
    throw invalidArgument("metric", `metric '${base}' takes no '@k' cut-off (got '${name}')`);
  }
  const suffix = name.slice(at + 1);
  const k = Number(suffix);
  if (!/^\d+$/.test(suffix) || k < 1) {
    throw invalidArgument("metric", `'${name}': the cut-off after '@' must be an integer >= 1`);
  }
  return { name, higherIsBetter: spec.higherIsBetter, compute: (input) => spec.compute(input, k) };
}

function rowwise(
  higherIsBetter: boolean,
  compute: (input: MetricInput) => number,
): MetricDefinition {
  return { higherIsBetter, takesK: false, compute };
}

function ranking(
  compute: (input: MetricInput, group: Int32Array, k: number) => number,
): MetricDefinition {
  return {
    higherIsBetter: true,
    takesK: true,
    compute(input, k) {
      if (input.group === undefined) {
        invalidData("group", "Ranking metrics need a 'group' id per row");
      }
      // Without a cut-off, k = row count reaches past the end of every group.
      return compute(input, input.group, k ?? Math.max(1, input.label.length));
    },
  };
}

function numClassesOf(input: MetricInput): number {
  const n = input.label.length;
  if (n === 0) invalidData("label", "'label' is empty; a metric needs at least one row");
  const numClasses = input.prediction.length / n;
  if (!(Number.isInteger(numClasses) && numClasses >= 2)) {
    invalidData(
      "prediction",
      `'prediction' has ${input.prediction.length} values for ${n} labels; multiclass metrics need label.length × K values, K >= 2`,
    );
  }
  return numClasses;
}
