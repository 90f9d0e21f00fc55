// Checks against definitions computed the slow, obvious way on random data, so correctness
// does not rest on the scikit-learn fixtures alone.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { accuracy } from "./accuracy.ts";
import { averagePrecision } from "./average-precision.ts";
import { binaryConfusion } from "./binary-confusion.ts";
import { brierScore } from "./brier-score.ts";
import { expectedCalibrationError } from "./expected-calibration-error.ts";
import { f1 } from "./f1.ts";
import { logLoss } from "./log-loss.ts";
import { mae } from "./mae.ts";
import { mapAtK } from "./map-at-k.ts";
import { multiclassLogLoss } from "./multiclass-log-loss.ts";
import { ndcgAtK } from "./ndcg-at-k.ts";
import { r2 } from "./r2.ts";
import { rmse } from "./rmse.ts";
import { rocAuc } from "./roc-auc.ts";
import { assertClose } from "./testing/assert-close.ts";
import { seededUniform } from "./testing/seeded-uniform.ts";

/** Random 0/1 labels with both classes, scores rounded to `decimals` (so ties are common). */
function randomBinary(seed: number, n: number, decimals: number) {
  const uniform = seededUniform(seed);
  const yTrue = new Float64Array(n);
  const yScore = new Float64Array(n);
  const weight = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    yTrue[i] = uniform() < 0.4 ? 1 : 0;
    const scale = 10 ** decimals;
    yScore[i] = Math.round((uniform() + 0.3 * (yTrue[i] as number)) * scale) / scale;
    weight[i] = uniform() < 0.1 ? 0 : Math.round(uniform() * 30) / 10;
  }
  yTrue[0] = 1;
  yTrue[1] = 0;
  weight[0] = 1;
  weight[1] = 1;
  return { yTrue, yScore, weight };
}

const RANDOM_SETS = Array.from({ length: 40 }, (_, seed) =>
  randomBinary(seed + 1, 2 + ((seed * 37) % 250), seed % 4),
);

describe("ROC AUC is the fraction of correctly ordered positive/negative pairs", () => {
  test("unweighted and weighted, ties counting 1/2", () => {
    for (const { yTrue, yScore, weight } of RANDOM_SETS) {
      for (const w of [undefined, weight]) {
        let ordered = 0;
        let pairs = 0;
        for (let i = 0; i < yTrue.length; i++) {
          if (yTrue[i] !== 1) continue;
          for (let j = 0; j < yTrue.length; j++) {
            if (yTrue[j] !== 0) continue;
            const pairWeight = w === undefined ? 1 : (w[i] as number) * (w[j] as number);
            const si = yScore[i] as number;
            const sj = yScore[j] as number;
            ordered += pairWeight * (si > sj ? 1 : si === sj ? 0.5 : 0);
            pairs += pairWeight;
          }
        }
        assertClose(rocAuc(yTrue, yScore, w), ordered / pairs, `n=${yTrue.length}`);
      }
    }
  });

  test("is unchanged by a monotone transform of the scores and by row order", () => {
    const { yTrue, yScore } = RANDOM_SETS[7]!;
    const auc = rocAuc(yTrue, yScore);
    assertClose(
      rocAuc(
        yTrue,
        yScore.map((s) => Math.exp(3 * s) - 2),
      ),
      auc,
      "exp transform",
    );
    assertClose(rocAuc(yTrue.slice().reverse(), yScore.slice().reverse()), auc, "reversed rows");
  });
});

test("average precision is the mean over positives of precision at their score", () => {
  // With ties, every row scored >= a positive's score is retrieved with it.
  for (const { yTrue, yScore, weight } of RANDOM_SETS) {
    for (const w of [undefined, weight]) {
      const at = (i: number) => (w === undefined ? 1 : (w[i] as number));
      let sum = 0;
      let positives = 0;
      for (let i = 0; i < yTrue.length; i++) {
        if (yTrue[i] !== 1 || at(i) === 0) continue;
        let retrieved = 0;
        let hits = 0;
        for (let j = 0; j < yTrue.length; j++) {
          if ((yScore[j] as number) < (yScore[i] as number)) continue;
          retrieved += at(j);
          hits += at(j) * (yTrue[j] as number);
        }
        sum += at(i) * (hits / retrieved);
        positives += at(i);
      }
      assertClose(averagePrecision(yTrue, yScore, w), sum / positives, `n=${yTrue.length}`);
    }
  }
});

describe("NDCG@k equals the mean DCG over every tie-breaking order", () => {
  function permutations(items: number[]): number[][] {
    if (items.length <= 1) return [items];
    return items.flatMap((item, i) =>
      permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
    );
  }
  const dcg = (gains: number[], k: number) =>
    gains.slice(0, k).reduce((sum, gain, r) => sum + gain / Math.log2(r + 2), 0);

  test("on random small groups with heavy ties", () => {
    const uniform = seededUniform(99);
    for (let trial = 0; trial < 60; trial++) {
      const size = 1 + Math.floor(uniform() * 6);
      const relevance = Float64Array.from({ length: size }, () => Math.floor(uniform() * 4));
      const scores = Float64Array.from({ length: size }, () => Math.floor(uniform() * 3));
      const k = 1 + Math.floor(uniform() * 7);
      // Orders consistent with the scores (non-increasing), each equally likely under random tie-breaking.
      const orders = permutations([...Array(size).keys()]).filter((order) =>
        order.every(
          (row, r) => r === 0 || (scores[order[r - 1]!] as number) >= (scores[row] as number),
        ),
      );
      const ideal = dcg(
        [...relevance].sort((a, b) => b - a),
        k,
      );
      const meanDcg =
        orders.reduce(
          (sum, order) =>
            sum +
            dcg(
              order.map((row) => relevance[row]!),
              k,
            ),
          0,
        ) / orders.length;
      const expected = ideal === 0 ? 0 : meanDcg / ideal;
      const group = new Int32Array(size);
      assertClose(ndcgAtK(relevance, scores, group, k), expected, `trial ${trial}`);
    }
  });

  test("a one-row group scores 1 when relevant and 0 otherwise; an all-irrelevant group scores 0", () => {
    const group = Int32Array.from([1, 2, 3, 3]);
    const scores = Float64Array.from([0.5, 0.5, 0.2, 0.9]);
    assert.equal(ndcgAtK(Float64Array.from([2, 0, 0, 0]), scores, group, 3), 1 / 3);
  });
});

describe("MAP@k", () => {
  test("ties keep row order, the cut-off divides by min(k, relevant), empty groups score 0", () => {
    const relevance = Float64Array.from([0, 1, 1, 2, 0, 0]);
    const scores = Float64Array.from([0.5, 0.5, 0.1, 0.9, 0.3, 0.3]);
    const group = Int32Array.from([4, 4, 4, 4, 8, 8]);
    // Group 4 ranks rows 3, 0, 1, 2 (row 0 before row 1: tie in row order): hits at 1, 3, 4.
    assertClose(mapAtK(relevance, scores, group, 10), ((1 + 2 / 3 + 3 / 4) / 3 + 0) / 2, "k=10");
    assertClose(mapAtK(relevance, scores, group, 2), (1 / 2 + 0) / 2, "k=2");
    assertClose(mapAtK(relevance, scores, group, 1), (1 / 1 + 0) / 2, "k=1");
  });
});

test("f1 equals 2TP / (2TP + FP + FN)", () => {
  for (const { yTrue, yScore, weight } of RANDOM_SETS) {
    const c = binaryConfusion(yTrue, yScore, { threshold: 0.6, weight });
    const expected =
      (2 * c.truePositive) / (2 * c.truePositive + c.falsePositive + c.falseNegative);
    assertClose(f1(yTrue, yScore, { threshold: 0.6, weight }), expected, `n=${yTrue.length}`);
  }
});

test("binary log loss equals multiclass log loss over [1 - p, p] away from the clip", () => {
  const { yTrue, yScore } = RANDOM_SETS[3]!;
  const prob = yScore.map((s) => 0.01 + 0.98 * (s / 1.3));
  const probs = new Float64Array(prob.length * 2);
  prob.forEach((p, i) => {
    probs[2 * i] = 1 - p;
    probs[2 * i + 1] = p;
  });
  assertClose(logLoss(yTrue, prob), multiclassLogLoss(yTrue, probs, 2), "logloss");
});

test("integer weights equal repeated rows", () => {
  const uniform = seededUniform(5);
  const n = 60;
  const yTrue = Float64Array.from({ length: n }, (_, i) => (i < 2 ? i : uniform() < 0.5 ? 1 : 0));
  const prob = Float64Array.from({ length: n }, () => Math.round(uniform() * 20) / 20);
  const weight = Float64Array.from({ length: n }, () => Math.floor(uniform() * 4));
  weight[0] = 1;
  weight[1] = 1;
  const rows = [...weight].flatMap((w, i) => Array<number>(w).fill(i));
  const repeat = (values: Float64Array) => Float64Array.from(rows, (i) => values[i]!);
  const [y2, p2] = [repeat(yTrue), repeat(prob)];
  const pairs: [string, (y: Float64Array, p: Float64Array, w?: Float64Array) => number][] = [
    ["rocAuc", rocAuc],
    ["averagePrecision", averagePrecision],
    ["logLoss", logLoss],
    ["brierScore", brierScore],
    ["ece", (y, p, w) => expectedCalibrationError(y, p, { weight: w, bins: 4 })],
    ["accuracy", (y, p, w) => accuracy(y, p, { weight: w })],
    ["f1", (y, p, w) => f1(y, p, { weight: w, threshold: 0.3 })],
    ["rmse", rmse],
    ["mae", mae],
    ["r2", r2],
  ];
  for (const [name, metric] of pairs)
    assertClose(metric(yTrue, prob, weight), metric(y2, p2), name);
});
