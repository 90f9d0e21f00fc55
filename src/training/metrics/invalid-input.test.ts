import { describe, test } from "node:test";
import { accuracy } from "./accuracy.ts";
import { averagePrecision } from "./average-precision.ts";
import { brierScore } from "./brier-score.ts";
import { expectedCalibrationError } from "./expected-calibration-error.ts";
import { f1 } from "./f1.ts";
import { logLoss } from "./log-loss.ts";
import { mae } from "./mae.ts";
import { mapAtK } from "./map-at-k.ts";
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
const Y = f64(0, 1, 1, 0);
const P = f64(0.2, 0.8, 0.6, 0.4);

/** Every binary metric, called as (yTrue, prediction, weight?). */
const BINARY: [string, (y: Float64Array, p: Float64Array, w?: Float64Array) => number][] = [
  ["rocAuc", rocAuc],
  ["averagePrecision", averagePrecision],
  ["logLoss", logLoss],
  ["brierScore", brierScore],
  ["expectedCalibrationError", (y, p, weight) => expectedCalibrationError(y, p, { weight })],
  ["accuracy", (y, p, weight) => accuracy(y, p, { weight })],
  ["precision", (y, p, weight) => precision(y, p, { weight })],
  ["recall", (y, p, weight) => recall(y, p, { weight })],
  ["f1", (y, p, weight) => f1(y, p, { weight })],
];
/** The second argument's name as each metric reports it. */
const PREDICTION_NAME: Record<string, string> = { rocAuc: "yScore", averagePrecision: "yScore" };

describe("binary metrics", () => {
  for (const [name, metric] of BINARY) {
    const prediction = PREDICTION_NAME[name] ?? "prob";
    test(`${name} refuses bad arrays, naming the argument`, () => {
      assertThrowsCode(() => metric(Y, f64(0.2, 0.8, 0.6)), "TRAINING_INVALID_DATA", prediction);
      assertThrowsCode(() => metric(f64(), f64()), "TRAINING_INVALID_DATA", "yTrue");
      assertThrowsCode(() => metric(f64(0, 1, 2, 0), P), "TRAINING_INVALID_DATA", "yTrue");
      assertThrowsCode(() => metric(f64(0, 1, Number.NaN, 0), P), "TRAINING_INVALID_DATA", "yTrue");
      assertThrowsCode(() => metric(f64(-1, 1, 1, -1), P), "TRAINING_INVALID_DATA", "yTrue");
      assertThrowsCode(
        () => metric(Y, f64(0.2, Number.NaN, 0.6, 0.4)),
        "TRAINING_INVALID_DATA",
        prediction,
      );
      assertThrowsCode(
        () => metric(Y, f64(0.2, Number.POSITIVE_INFINITY, 0.6, 0.4)),
        "TRAINING_INVALID_DATA",
        prediction,
      );
    });
    test(`${name} refuses bad weights`, () => {
      assertThrowsCode(() => metric(Y, P, f64(1, 1, 1)), "TRAINING_INVALID_DATA", "weight");
      assertThrowsCode(() => metric(Y, P, f64(1, -0.5, 1, 1)), "TRAINING_INVALID_DATA", "weight");
      assertThrowsCode(
        () => metric(Y, P, f64(1, Number.NaN, 1, 1)),
        "TRAINING_INVALID_DATA",
        "weight",
      );
      assertThrowsCode(() => metric(Y, P, f64(0, 0, 0, 0)), "TRAINING_INVALID_DATA", "weight");
    });
  }

  test("ROC AUC and average precision refuse a single class, like scikit-learn", () => {
    for (const metric of [rocAuc, averagePrecision]) {
      assertThrowsCode(
        () => metric(f64(0, 0, 0), f64(0.1, 0.2, 0.3)),
        "TRAINING_INVALID_DATA",
        "yTrue",
      );
      assertThrowsCode(() => metric(f64(1, 1), f64(0.1, 0.2)), "TRAINING_INVALID_DATA", "yTrue");
      // Both classes present, but the positives weigh nothing.
      assertThrowsCode(() => metric(Y, P, f64(1, 0, 0, 1)), "TRAINING_INVALID_DATA", "weight");
    }
  });

  test("probability metrics refuse values outside [0, 1]", () => {
    const probabilityMetrics = ["logLoss", "brierScore", "expectedCalibrationError"];
    for (const [, metric] of BINARY.filter(([name]) => probabilityMetrics.includes(name))) {
      assertThrowsCode(() => metric(Y, f64(0.2, 1.5, 0.6, 0.4)), "TRAINING_INVALID_DATA", "prob");
      assertThrowsCode(() => metric(Y, f64(0.2, -0.1, 0.6, 0.4)), "TRAINING_INVALID_DATA", "prob");
    }
  });

  test("bad options are INVALID_ARGUMENT", () => {
    assertThrowsCode(() => expectedCalibrationError(Y, P, { bins: 0 }), "INVALID_ARGUMENT", "bins");
    assertThrowsCode(
      () => expectedCalibrationError(Y, P, { bins: 2.5 }),
      "INVALID_ARGUMENT",
      "bins",
    );
    assertThrowsCode(
      () => accuracy(Y, P, { threshold: Number.NaN }),
      "INVALID_ARGUMENT",
      "threshold",
    );
  });
});

describe("multiclass metrics", () => {
  const labels = f64(0, 2, 1);
  const probs = f64(0.7, 0.2, 0.1, 0.1, 0.1, 0.8, 0.3, 0.4, 0.3);
  for (const metric of [multiclassLogLoss, multiclassAccuracy]) {
    test(`${metric.name} refuses bad labels, probabilities, shapes and class counts`, () => {
      assertThrowsCode(() => metric(f64(0, 3, 1), probs, 3), "TRAINING_INVALID_DATA", "yTrue");
      assertThrowsCode(() => metric(f64(0, 1.5, 1), probs, 3), "TRAINING_INVALID_DATA", "yTrue");
      assertThrowsCode(
        () => metric(f64(0, Number.NaN, 1), probs, 3),
        "TRAINING_INVALID_DATA",
        "yTrue",
      );
      assertThrowsCode(() => metric(f64(), f64(), 3), "TRAINING_INVALID_DATA", "yTrue");
      assertThrowsCode(
        () => metric(labels, probs.subarray(0, 8), 3),
        "TRAINING_INVALID_DATA",
        "probs",
      );
      assertThrowsCode(
        () =>
          metric(
            labels,
            probs.map((p, i) => (i === 4 ? Number.NaN : p)),
            3,
          ),
        "TRAINING_INVALID_DATA",
        "probs",
      );
      assertThrowsCode(
        () => metric(labels, probs, 3, f64(1, -1, 1)),
        "TRAINING_INVALID_DATA",
        "weight",
      );
      assertThrowsCode(() => metric(labels, probs, 1), "INVALID_ARGUMENT", "numClasses");
    });
  }
});

describe("regression metrics", () => {
  for (const metric of [rmse, mae, r2]) {
    test(`${metric.name} refuses bad arrays and weights`, () => {
      const y = f64(1, 2, 3);
      assertThrowsCode(() => metric(y, f64(1, 2)), "TRAINING_INVALID_DATA", "yPred");
      assertThrowsCode(() => metric(f64(), f64()), "TRAINING_INVALID_DATA", "yTrue");
      assertThrowsCode(() => metric(f64(1, Number.NaN, 3), y), "TRAINING_INVALID_DATA", "yTrue");
      assertThrowsCode(
        () => metric(y, f64(1, Number.NEGATIVE_INFINITY, 3)),
        "TRAINING_INVALID_DATA",
        "yPred",
      );
      assertThrowsCode(() => metric(y, y, f64(1, -1, 1)), "TRAINING_INVALID_DATA", "weight");
    });
  }
  test("r2 refuses a single row, where scikit-learn returns NaN", () => {
    assertThrowsCode(() => r2(f64(1), f64(1)), "TRAINING_INVALID_DATA", "yTrue");
  });
});

describe("ranking metrics", () => {
  const rel = f64(2, 0, 1, 0);
  const scores = f64(0.3, 0.2, 0.9, 0.1);
  const group = Int32Array.from([1, 1, 2, 2]);
  for (const metric of [ndcgAtK, mapAtK]) {
    test(`${metric.name} refuses bad arrays, groups and k`, () => {
      assertThrowsCode(() => metric(rel, scores, group, 0), "INVALID_ARGUMENT", "k");
      assertThrowsCode(() => metric(rel, scores, group, 1.5), "INVALID_ARGUMENT", "k");
      assertThrowsCode(
        () => metric(f64(), f64(), new Int32Array(0), 3),
        "TRAINING_INVALID_DATA",
        "relevance",
      );
      assertThrowsCode(
        () => metric(rel, scores.subarray(1), group, 3),
        "TRAINING_INVALID_DATA",
        "scores",
      );
      assertThrowsCode(
        () => metric(rel, scores, group.subarray(1), 3),
        "TRAINING_INVALID_DATA",
        "group",
      );
      assertThrowsCode(
        () => metric(rel, f64(0.3, Number.NaN, 0.9, 0.1), group, 3),
        "TRAINING_INVALID_DATA",
        "scores",
      );
      assertThrowsCode(
        () => metric(f64(2, Number.POSITIVE_INFINITY, 1, 0), scores, group, 3),
        "TRAINING_INVALID_DATA",
        "relevance",
      );
      assertThrowsCode(
        () => metric(f64(2, -1, 1, 0), scores, group, 3),
        "TRAINING_INVALID_DATA",
        "relevance",
      );
      assertThrowsCode(
        () => metric(rel, scores, Int32Array.from([1, 2, 1, 2]), 3),
        "TRAINING_INVALID_DATA",
        "group",
      );
    });
  }
});
