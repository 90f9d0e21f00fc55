import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { toRowMajor } from "../../training/dataset/to-row-major.ts";
import type { TrainingDataset } from "../../training/dataset/training-dataset.ts";
import { GBDT_OBJECTIVES, type GbdtObjectiveName } from "../../training/gbdt/gbdt-params.ts";
import { makeDataset } from "../../training/gbdt/testing/synthetic-sets.ts";
import { trainGbdt } from "../../training/gbdt/train-gbdt.ts";
import { loadLightgbmFixtures } from "../lightgbm/testing/lightgbm-fixtures.ts";
import { ensembleFromSpec } from "../testing/ensemble-from-spec.ts";
import { randomEnsemble, randomRows } from "../testing/random-ensemble.ts";
import { throwsWithCode } from "../testing/throws-with-code.ts";
import { loadXgboostFixtures } from "../testing/xgboost-fixtures.ts";
import { nextNode } from "../tree-decision.ts";
import type { TreeEnsemble } from "../tree-ensemble.ts";
import { predictRaw } from "../tree-predictor.ts";
import { expectedValue, treeShap } from "./tree-shap.ts";

/**
 * Shapley values by definition: for every subset S of features, v(S) is the path-dependent
 * expectation of the raw score (features in S follow the row, others split by cover), and
 * phi_i averages v(S + i) - v(S) with weights |S|! (M - |S| - 1)! / M!.
 */
function bruteForceShap(e: TreeEnsemble, row: Float64Array): Float64Array {
  const M = e.featureNames.length;
  const K = e.numOutputs;
  const fraction = (child: number, parent: number) => {
    const c = e.cover[parent] as number;
    return c > 0 ? (e.cover[child] as number) / c : 0.5;
  };
  const expectation = (node: number, known: number): number => {
    const f = e.feature[node] as number;
    if (f === -1) return e.value[node] as number;
    if (known & (1 << f)) return expectation(nextNode(e, node, row[f] as number), known);
    const l = e.left[node] as number;
    const r = e.right[node] as number;
    return fraction(l, node) * expectation(l, known) + fraction(r, node) * expectation(r, known);
  };
  const value = (known: number, k: number): number => {
    let sum = e.baseScore[k] as number;
    e.treeRoot.forEach((root, t) => {
      if (e.treeOutput[t] === k) sum += expectation(root, known);
    });
    return sum;
  };
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const popcount = (x: number): number => (x === 0 ? 0 : (x & 1) + popcount(x >>> 1));
  const out = new Float64Array(K * (M + 1));
  for (let k = 0; k < K; k++) {
    out[k * (M + 1) + M] = value(0, k);
    for (let i = 0; i < M; i++) {
      let phi = 0;
      for (let known = 0; known < 1 << M; known++) {
        if (known & (1 << i)) continue;
        const s = popcount(known);
        const weight = (factorial(s) * factorial(M - s - 1)) / factorial(M);
        phi += weight * (value(known | (1 << i), k) - value(known, k));
      }
      out[k * (M + 1) + i] = phi;
    }
  }
  return out;
}

function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
  what: string,
) {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const b = expected[i] as number;
    assert.ok(Math.abs(a - b) <= tolerance, `${what} [${i}]: ${a} vs ${b}`);
  }
}

/** Sums each (row, output) block of contributions: the raw score it explains. */
function blockSums(phi: Float64Array, numFeatures: number): Float64Array {
  const stride = numFeatures + 1;
  return Float64Array.from({ length: phi.length / stride }, (_, b) =>
    phi.subarray(b * stride, (b + 1) * stride).reduce((x, y) => x + y, 0),
  );
}

describe("TreeSHAP against hand computation", () => {
  test("a stump: phi = leaf reached - expected value; bias = cover-weighted mean", () => {
    const e = ensembleFromSpec({
      featureNames: ["x", "unused"],
      trees: [
        { feature: 0, threshold: 0.5, left: { leaf: 1, cover: 1 }, right: { leaf: 3, cover: 3 } },
      ],
      baseScore: [10],
    });
    assert.deepEqual(
      [...treeShap(e, Float64Array.of(0, 7, 1, 7), 2)],
      [-1.5, 0, 12.5, 0.5, 0, 12.5],
    );
    assert.deepEqual([...expectedValue(e)], [12.5]);
  });

  test("missing values and categorical codes follow the decision rule", () => {
    const e = ensembleFromSpec({
      featureNames: ["colour"],
      categoricalFeatures: [true],
      trees: [
        {
          feature: 0,
          categories: [2],
          defaultLeft: true,
          left: { leaf: 4, cover: 1 },
          right: { leaf: 0, cover: 1 },
        },
      ],
    });
    const phi = treeShap(e, Float64Array.of(2, 3, Number.NaN, 99), 4);
    assert.deepEqual([...phi], [2, 2, -2, 2, 2, 2, 2, 2]);
  });
});

describe("TreeSHAP against brute-force Shapley values", () => {
  for (let seed = 1; seed <= 12; seed++) {
    test(`random trees, seed ${seed}`, () => {
      const rng = createSeededRandom(seed);
      const numOutputs = seed % 3 === 0 ? 3 : 1;
      const categorical = [false, seed % 2 === 0, false, true, false].slice(0, 3 + (seed % 3));
      const e = randomEnsemble(rng, {
        numFeatures: categorical.length,
        numTrees: 4,
        maxDepth: 2 + (seed % 4),
        numOutputs,
        categorical,
      });
      const rows = randomRows(rng, 12, categorical);
      const F = categorical.length;
      const phi = treeShap(e, rows, 12);
      for (let r = 0; r < 12; r++) {
        const block = phi.subarray(r * numOutputs * (F + 1), (r + 1) * numOutputs * (F + 1));
        assertClose(block, bruteForceShap(e, rows.subarray(r * F, (r + 1) * F)), 1e-10, `row ${r}`);
      }
    });
  }

  test("a branch with zero cover contributes nothing and produces no NaN", () => {
    const e = ensembleFromSpec({
      featureNames: ["a", "b"],
      trees: [
        {
          feature: 0,
          threshold: 0,
          left: { leaf: 5, cover: 0 },
          right: {
            feature: 1,
            threshold: 0,
            left: {
              feature: 0,
              threshold: 1,
              left: { leaf: 1, cover: 0 },
              right: { leaf: 2, cover: 4 },
            },
            right: { leaf: 3, cover: 0 },
          },
        },
      ],
    });
    const rows = Float64Array.of(-1, -1, 0.5, -1, 2, 1, 0.5, 1);
    const phi = treeShap(e, rows, 4);
    for (let r = 0; r < 4; r++) {
      assertClose(
        phi.subarray(r * 3, r * 3 + 3),
        bruteForceShap(e, rows.subarray(r * 2, r * 2 + 2)),
        1e-12,
        `row ${r}`,
      );
    }
    assertClose(blockSums(phi, 2), predictRaw(e, rows, 4), 1e-12, "additivity");
  });
});

describe("TreeSHAP on the XGBoost fixtures", () => {
  for (const f of loadXgboostFixtures()) {
    test(`${f.name}: matches pred_contribs within 1e-5 and adds up to the raw score`, () => {
      const phi = treeShap(f.ensemble, f.rows, f.numRows);
      assertClose(phi, f.contribs, 1e-5, "pred_contribs");
      const raw = predictRaw(f.ensemble, f.rows, f.numRows);
      const sums = blockSums(phi, f.numFeatures);
      sums.forEach((s, i) => {
        const m = raw[i] as number;
        assert.ok(
          Math.abs(s - m) <= 1e-9 * Math.max(1, Math.abs(m)),
          `additivity ${i}: ${s} vs ${m}`,
        );
      });
    });
  }
});

/** Labels for each objective from the signal `s`; the Record type makes a new objective fail to compile here until it has a case. */
const LABELS: Record<GbdtObjectiveName, (s: number, u: number) => number> = {
  binary: (s, u) => (u < 1 / (1 + Math.exp(-s)) ? 1 : 0),
  multiclass: (s, u) => (s + u < -0.3 ? 0 : s + u < 1 ? 1 : 2),
  regression: (s, u) => s + u,
  regression_l1: (s, u) => s + u,
  huber: (s, u) => s + (u > 0.95 ? 30 : u),
  poisson: (s, u) => Math.floor(Math.exp(0.5 * s) * 3 * u),
  lambdarank: (s, u) => Math.max(0, Math.min(4, Math.round(s + u))),
};

/**
 * 400 rows: three numeric features with 15% missing values and a 6-level categorical one
 * with 10% missing codes, the label depending on all four.
 */
function explainedDataset(objective: GbdtObjectiveName): TrainingDataset {
  const effect = [0, 1.2, -0.8, 0.4, -1.5, 0.9];
  const data = makeDataset({
    rows: 400,
    numeric: 3,
    seed: 11,
    categoryLevels: 6,
    missingRate: 0.15,
    labelOf: (x, c, u) => {
      const value = (f: number) => (Number.isNaN(x(f)) ? 0.7 : x(f));
      return LABELS[objective](value(0) - value(1) * value(2) + (effect[c] as number), u);
    },
  });
  const rng = createSeededRandom(5);
  const features = data.features.map((column) => {
    if (column.kind !== "categorical") return column;
    const codes = column.codes.map((code) => (rng.next() < 0.1 ? -1 : code));
    return { ...column, codes };
  });
  return {
    ...data,
    features,
    ...(objective === "lambdarank"
      ? { group: Int32Array.from({ length: data.numRows }, (_, i) => Math.floor(i / 20)) }
      : {}),
  };
}

describe("TreeSHAP on models trained by plinth, for every objective", () => {
  for (const objective of GBDT_OBJECTIVES) {
    test(`${objective}: contributions plus bias equal the raw score; small trees match brute force`, async () => {
      const data = explainedDataset(objective);
      const model = await trainGbdt(data, {
        objective,
        ...(objective === "multiclass" ? { numClass: 3 } : {}),
        numRounds: 8,
        maxDepth: 3,
        minDataPerGroup: 10,
        minChildWeight: 0.01,
        numThreads: 1,
      });
      const e = model.ensemble;
      assert.deepEqual(e.categoricalFeatures, [false, false, false, true]);
      assert.ok(
        e.categoryOffset.some((o) => o >= 0),
        "some split is categorical",
      );
      const trainRows = toRowMajor(data);
      assert.ok(trainRows.some(Number.isNaN), "rows have missing values");
      // Training rows, plus unseen codes, a fractional code and all-missing rows.
      const extra = Float64Array.of(
        0.1,
        -2,
        Number.NaN,
        99,
        3,
        Number.NaN,
        0,
        1.5,
        ...[Number.NaN, Number.NaN, Number.NaN, Number.NaN],
      );
      const rows = Float64Array.of(...trainRows, ...extra);
      const numRows = data.numRows + 3;
      const F = 4;
      const K = e.numOutputs;
      const phi = treeShap(e, rows, numRows);
      const raw = predictRaw(e, rows, numRows);
      const sums = blockSums(phi, F);
      sums.forEach((s, i) => {
        const m = raw[i] as number;
        assert.ok(
          Math.abs(s - m) <= 1e-9 * Math.max(1, Math.abs(m)),
          `row ${Math.floor(i / K)}: ${s} vs ${m}`,
        );
      });
      const bias = expectedValue(e);
      for (let b = 0; b < numRows * K; b++) {
        assert.equal(phi[b * (F + 1) + F], bias[b % K], "the last entry of each block is the bias");
      }
      for (let r = 0; r < numRows; r += 23) {
        const block = phi.subarray(r * K * (F + 1), (r + 1) * K * (F + 1));
        assertClose(block, bruteForceShap(e, rows.subarray(r * F, (r + 1) * F)), 1e-9, `row ${r}`);
      }
    });
  }
});

describe("TreeSHAP on the LightGBM fixtures", () => {
  for (const f of loadLightgbmFixtures()) {
    test(`${f.name}: contributions plus bias equal the raw score`, () => {
      const phi = treeShap(f.ensemble, f.rows, f.numRows);
      const raw = predictRaw(f.ensemble, f.rows, f.numRows);
      blockSums(phi, f.numFeatures).forEach((s, i) => {
        const m = raw[i] as number;
        assert.ok(Math.abs(s - m) <= 1e-9 * Math.max(1, Math.abs(m)), `${i}: ${s} vs ${m}`);
      });
    });
  }
});

test("input checks", () => {
  const e = ensembleFromSpec({ featureNames: ["a", "b"], trees: [{ leaf: 1 }] });
  throwsWithCode(() => treeShap(e, new Float64Array(3), 2), "MODELS_INVALID_INPUT", "rows");
  throwsWithCode(
    () => treeShap({ ...e, numOutputs: 2 }, new Float64Array(2), 1),
    "MODELS_INVALID_PACKAGE",
  );
});
