import assert from "node:assert/strict";
import { test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { accuracy } from "./accuracy.ts";
import { averagePrecision } from "./average-precision.ts";
import { brierScore } from "./brier-score.ts";
import { expectedCalibrationError } from "./expected-calibration-error.ts";
import { f1 } from "./f1.ts";
import { logLoss } from "./log-loss.ts";
import { mae } from "./mae.ts";
import { mapAtK } from "./map-at-k.ts";
import { METRIC_NAMES, METRICS, type MetricInput, resolveMetric } from "./metric-registry.ts";
import { multiclassAccuracy } from "./multiclass-accuracy.ts";
import { multiclassLogLoss } from "./multiclass-log-loss.ts";
import { ndcgAtK } from "./ndcg-at-k.ts";
import { precision } from "./precision.ts";
import { r2 } from "./r2.ts";
import { recall } from "./recall.ts";
import { rmse } from "./rmse.ts";
import { rocAuc } from "./roc-auc.ts";
import { assertThrowsCode } from "./testing/assert-throws-code.ts";

const f64 = (...values: number[]) => Float64Array.from(values);
const binary: MetricInput = {
  label: f64(0, 1, 1, 0, 1),
  prediction: f64(0.2, 0.8, 0.45, 0.5, 0.9),
  weight: f64(1, 2, 0.5, 1, 1),
};
const multiclass: MetricInput = {
  label: f64(0, 2, 1),
  prediction: f64(0.7, 0.2, 0.1, 0.1, 0.1, 0.8, 0.5, 0.4, 0.1),
};
const ranking: MetricInput = {
  label: f64(2, 0, 1, 0, 1, 3),
  prediction: f64(0.3, 0.2, 0.9, 0.1, 0.5, 0.4),
  group: Int32Array.from([1, 1, 1, 2, 2, 2]),
};

test("every name computes the same value as calling the metric directly", () => {
  const { label: y, prediction: p, weight: w } = binary;
  const { label: my, prediction: mp } = multiclass;
  const { label: rel, prediction: s, group } = ranking;
  const expected: [string, MetricInput, number][] = [
    ["auc", binary, rocAuc(y, p, w)],
    ["average_precision", binary, averagePrecision(y, p, w)],
    ["logloss", binary, logLoss(y, p, w)],
    ["brier", binary, brierScore(y, p, w)],
    ["ece", binary, expectedCalibrationError(y, p, { weight: w })],
    ["accuracy", binary, accuracy(y, p, { weight: w })],
    ["precision", binary, precision(y, p, { weight: w })],
    ["recall", binary, recall(y, p, { weight: w })],
    ["f1", binary, f1(y, p, { weight: w })],
    ["mlogloss", multiclass, multiclassLogLoss(my, mp, 3)],
    ["merror", multiclass, 1 - multiclassAccuracy(my, mp, 3)],
    ["rmse", binary, rmse(y, p, w)],
    ["mae", binary, mae(y, p, w)],
    ["r2", binary, r2(y, p, w)],
    ["ndcg@2", ranking, ndcgAtK(rel, s, group!, 2)],
    ["map@1", ranking, mapAtK(rel, s, group!, 1)],
    ["ndcg", ranking, ndcgAtK(rel, s, group!, 3)],
    ["map", ranking, mapAtK(rel, s, group!, 3)],
  ];
  for (const [name, input, value] of expected) {
    const metric = resolveMetric(name);
    assert.equal(metric.name, name);
    assert.equal(metric.compute(input), value, name);
  }
  const covered = new Set(expected.map(([name]) => name.split("@")[0]));
  assert.deepEqual(
    [...covered].sort(),
    Object.keys(METRICS).sort(),
    "a registered metric is untested",
  );
});

test("direction: scores up, losses and errors down", () => {
  const higher = Object.entries(METRICS)
    .filter(([, spec]) => spec.higherIsBetter)
    .map(([name]) => name)
    .sort();
  assert.deepEqual(higher, [
    "accuracy",
    "auc",
    "average_precision",
    "f1",
    "map",
    "ndcg",
    "precision",
    "r2",
    "recall",
  ]);
  assert.equal(resolveMetric("ndcg@10").higherIsBetter, true);
  assert.equal(resolveMetric("mlogloss").higherIsBetter, false);
});

test("an unknown name is INVALID_ARGUMENT listing the valid names", () => {
  assertThrowsCode(() => resolveMetric("gini"), "INVALID_ARGUMENT", "metric");
  try {
    resolveMetric("gini");
  } catch (e) {
    assert.ok(isPlinthError(e));
    for (const name of METRIC_NAMES)
      assert.ok(e.message.includes(name), `${name} missing from: ${e.message}`);
    assert.ok(e.message.includes("ndcg@k"));
  }
  assertThrowsCode(() => resolveMetric("toString"), "INVALID_ARGUMENT", "metric");
  assertThrowsCode(() => resolveMetric(""), "INVALID_ARGUMENT", "metric");
});

test("the @k suffix must be a whole number >= 1 on a ranking metric", () => {
  for (const name of ["ndcg@0", "map@-1", "ndcg@1.5", "ndcg@", "ndcg@ten", "ndcg@2@3"]) {
    assertThrowsCode(() => resolveMetric(name), "INVALID_ARGUMENT", "metric");
  }
  assertThrowsCode(() => resolveMetric("auc@5"), "INVALID_ARGUMENT", "metric");
});

test("inputs the metric cannot use are TRAINING_INVALID_DATA", () => {
  assertThrowsCode(() => resolveMetric("ndcg@3").compute(binary), "TRAINING_INVALID_DATA", "group");
  assertThrowsCode(
    () => resolveMetric("mlogloss").compute(binary),
    "TRAINING_INVALID_DATA",
    "prediction",
  );
  assertThrowsCode(
    () => resolveMetric("merror").compute({ label: f64(), prediction: f64() }),
    "TRAINING_INVALID_DATA",
    "label",
  );
});
