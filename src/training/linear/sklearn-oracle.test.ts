import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { predictLinear } from "../../models/linear-predictor.ts";
import type { TrainingDataset } from "../dataset/training-dataset.ts";
import type { LinearObjectiveName } from "./linear-params.ts";
import { trainLinear } from "./train-linear.ts";

/** Written by fixtures/make_fixtures.py with scikit-learn 1.2.1; see that script. */
interface Oracle {
  readonly numTrain: number;
  readonly numTest: number;
  readonly numFeatures: number;
  readonly datasets: readonly {
    name: string;
    task: LinearObjectiveName;
    x: (number | null)[];
    y: number[];
    w: number[];
  }[];
  readonly cases: readonly {
    name: string;
    dataset: string;
    estimator: string;
    alpha: number;
    l1Ratio: number;
    impute: number[];
    mean: number[];
    scale: number[];
    coefficients: number[];
    intercept: number[];
    objective: number;
    testPrediction: number[];
  }[];
}

const oracle = JSON.parse(
  readFileSync(new URL("./fixtures/sklearn-oracle.json", import.meta.url), "utf8"),
) as Oracle;
const { numTrain, numTest, numFeatures: P } = oracle;

function rowsOf(x: readonly (number | null)[], from: number, to: number): Float64Array {
  return Float64Array.from(x.slice(from * P, to * P), (v) => v ?? Number.NaN);
}

function trainSet(name: string): TrainingDataset {
  const d = oracle.datasets.find((s) => s.name === name);
  assert.ok(d !== undefined, name);
  const rows = rowsOf(d.x, 0, numTrain);
  return {
    numRows: numTrain,
    features: Array.from({ length: P }, (_, j) => ({
      kind: "numeric" as const,
      name: `x${j}`,
      values: Float64Array.from({ length: numTrain }, (_, i) => rows[i * P + j] as number),
    })),
    label: Float64Array.from(d.y.slice(0, numTrain)),
    weight: Float64Array.from(d.w.slice(0, numTrain)),
  };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++)
    max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

const report: string[] = [];

for (const c of oracle.cases) {
  test(`matches scikit-learn: ${c.name} (${c.estimator.replace(/\s+/g, " ")})`, () => {
    const d = oracle.datasets.find((s) => s.name === c.dataset);
    assert.ok(d !== undefined);
    const result = trainLinear(trainSet(c.dataset), {
      objective: d.task,
      ...(d.task === "multiclass" ? { numClass: 3 } : {}),
      alpha: c.alpha,
      l1Ratio: c.l1Ratio,
      tolerance: 1e-10,
      maxIterations: 100_000,
    });
    assert.ok(result.converged, `not converged after ${result.iterations} passes`);
    const m = result.model;
    // Preprocessing agrees to rounding.
    assert.ok(maxAbsDiff(m.imputeValue, c.impute) < 1e-9);
    assert.ok(maxAbsDiff(m.mean, c.mean) < 1e-9);
    assert.ok(maxAbsDiff(m.scale, c.scale) < 1e-9);
    // Never worse than sklearn on the shared objective.
    assert.ok(
      result.objective <= c.objective + 1e-9,
      `objective ${result.objective} > sklearn ${c.objective}`,
    );
    const coefDiff = maxAbsDiff(m.coefficients, c.coefficients);
    const interceptDiff = maxAbsDiff(m.intercept, c.intercept);
    const scaleOf = Math.max(1, ...c.coefficients.map(Math.abs));
    assert.ok(coefDiff <= 1e-4 * scaleOf, `coefficients differ by ${coefDiff}`);
    assert.ok(interceptDiff <= 1e-4 * scaleOf, `intercepts differ by ${interceptDiff}`);
    // sklearn's exact zeros (L1) are ours too.
    c.coefficients.forEach((v, i) => {
      if (v === 0) assert.equal(m.coefficients[i], 0, `coefficient ${i} should be exactly 0`);
    });
    const prediction = predictLinear(m, rowsOf(d.x, numTrain, numTrain + numTest), numTest);
    const predDiff = maxAbsDiff(prediction, c.testPrediction);
    assert.ok(predDiff <= 1e-4, `test predictions differ by ${predDiff}`);
    report.push(
      `${c.name}: |Δcoef| ${coefDiff.toExponential(2)}, |Δintercept| ${interceptDiff.toExponential(2)}, |Δpred| ${predDiff.toExponential(2)}, objective ${result.objective} vs ${c.objective}`,
    );
  });
}

test("oracle report", { skip: process.env.PLINTH_ORACLE_REPORT === undefined }, () => {
  console.log(report.join("\n"));
});
