// Every case in fixtures/sklearn-metrics.json, written by fixtures/generate-fixtures.py from
// scikit-learn 1.2.1 (and, for ECE and MAP@k, from brute-force loops). Regenerate with
// `/usr/bin/python3 src/training/metrics/fixtures/generate-fixtures.py`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { accuracy } from "./accuracy.ts";
import { averagePrecision } from "./average-precision.ts";
import { brierScore } from "./brier-score.ts";
import { expectedCalibrationError } from "./expected-calibration-error.ts";
import { f1 } from "./f1.ts";
import { LOG_LOSS_EPS, logLoss } from "./log-loss.ts";
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
import { assertClose } from "./testing/assert-close.ts";

interface Case {
  name: string;
  weight?: number[];
}
interface ScoreCase extends Case {
  yTrue: number[];
  yScore: number[];
  rocAuc: number;
  averagePrecision: number;
}
interface ProbabilityCase extends Case {
  yTrue: number[];
  prob: number[];
  logLoss: number;
  brierScore: number;
  expectedCalibrationError: { bins: number; expected: number }[];
  atThreshold: {
    threshold: number;
    accuracy: number;
    precision: number;
    recall: number;
    f1: number;
  }[];
}
interface MulticlassCase extends Case {
  yTrue: number[];
  probs: number[];
  numClasses: number;
  multiclassLogLoss: number;
  multiclassAccuracy: number;
}
interface RegressionCase extends Case {
  yTrue: number[];
  yPred: number[];
  rmse: number;
  mae: number;
  r2: number;
}
interface RankingCase extends Case {
  relevance: number[];
  scores: number[];
  group: number[];
  atK: { k: number; ndcgAtK: number; mapAtK: number }[];
}
interface Fixtures {
  sklearn: string;
  logLossEps: number;
  cases: {
    binaryScores: ScoreCase[];
    binaryProbabilities: ProbabilityCase[];
    multiclass: MulticlassCase[];
    regression: RegressionCase[];
    ranking: RankingCase[];
  };
}

const FIXTURES = JSON.parse(
  readFileSync(new URL("./fixtures/sklearn-metrics.json", import.meta.url), "utf8"),
) as Fixtures;
const { cases } = FIXTURES;

const f64 = (values: number[]) => Float64Array.from(values);
const weightOf = (c: Case) => (c.weight === undefined ? undefined : f64(c.weight));

test("fixtures come from scikit-learn 1.2 with plinth's log-loss clip", () => {
  assert.match(FIXTURES.sklearn, /^1\.2\./);
  assert.equal(FIXTURES.logLossEps, LOG_LOSS_EPS);
  for (const suite of Object.values(cases)) assert.ok(suite.length >= 5);
});

describe("binary scores", () => {
  for (const c of cases.binaryScores) {
    test(c.name, () => {
      const [y, s, w] = [f64(c.yTrue), f64(c.yScore), weightOf(c)];
      assertClose(rocAuc(y, s, w), c.rocAuc, "rocAuc");
      assertClose(averagePrecision(y, s, w), c.averagePrecision, "averagePrecision");
    });
  }
});

describe("binary probabilities", () => {
  for (const c of cases.binaryProbabilities) {
    test(c.name, () => {
      const [y, p, weight] = [f64(c.yTrue), f64(c.prob), weightOf(c)];
      assertClose(logLoss(y, p, weight), c.logLoss, "logLoss");
      assertClose(brierScore(y, p, weight), c.brierScore, "brierScore");
      for (const { bins, expected } of c.expectedCalibrationError) {
        assertClose(expectedCalibrationError(y, p, { bins, weight }), expected, `ece bins=${bins}`);
      }
      for (const e of c.atThreshold) {
        const options = { threshold: e.threshold, weight };
        assertClose(accuracy(y, p, options), e.accuracy, `accuracy@${e.threshold}`);
        assertClose(precision(y, p, options), e.precision, `precision@${e.threshold}`);
        assertClose(recall(y, p, options), e.recall, `recall@${e.threshold}`);
        assertClose(f1(y, p, options), e.f1, `f1@${e.threshold}`);
      }
    });
  }
});

describe("multiclass", () => {
  for (const c of cases.multiclass) {
    test(c.name, () => {
      const [y, p, w] = [f64(c.yTrue), f64(c.probs), weightOf(c)];
      assertClose(
        multiclassLogLoss(y, p, c.numClasses, w),
        c.multiclassLogLoss,
        "multiclassLogLoss",
      );
      assertClose(
        multiclassAccuracy(y, p, c.numClasses, w),
        c.multiclassAccuracy,
        "multiclassAccuracy",
      );
    });
  }
});

describe("regression", () => {
  for (const c of cases.regression) {
    test(c.name, () => {
      const [y, p, w] = [f64(c.yTrue), f64(c.yPred), weightOf(c)];
      assertClose(rmse(y, p, w), c.rmse, "rmse");
      assertClose(mae(y, p, w), c.mae, "mae");
      assertClose(r2(y, p, w), c.r2, "r2");
    });
  }
});

describe("ranking", () => {
  for (const c of cases.ranking) {
    test(c.name, () => {
      const [rel, s, group] = [f64(c.relevance), f64(c.scores), Int32Array.from(c.group)];
      for (const { k, ndcgAtK: ndcg, mapAtK: map } of c.atK) {
        assertClose(ndcgAtK(rel, s, group, k), ndcg, `ndcg@${k}`);
        assertClose(mapAtK(rel, s, group, k), map, `map@${k}`);
      }
    });
  }
});
