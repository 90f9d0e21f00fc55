import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { rejectsWithCode } from "../../core/testing/rejects-with-code.ts";
import { predict } from "../../models/tree-predictor.ts";
import { validateTreeEnsemble } from "../../models/validate-tree-ensemble.ts";
import { sliceDataset } from "../dataset/slice-dataset.ts";
import { toRowMajor } from "../dataset/to-row-major.ts";
import type { TrainingDataset } from "../dataset/training-dataset.ts";
import { multiclassLogLoss } from "../metrics/multiclass-log-loss.ts";
import { makeDataset } from "./testing/synthetic-sets.ts";
import { trainGbdt } from "./train-gbdt.ts";

const logistic = (z: number): number => 1 / (1 + Math.exp(-z));

/** Sum of squared errors around the mean. */
function sse(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.reduce((a, v) => a + (v - mean) ** 2, 0);
}

describe("trainGbdt", () => {
  test("a single L2 stump is the brute-force best threshold split", async () => {
    const data = makeDataset({
      rows: 300,
      numeric: 3,
      seed: 7,
      labelOf: (x, _c, u) => (x(1) > 0.3 ? 2 : 0) + x(2) * 0.5 + u,
    });
    const model = await trainGbdt(data, {
      objective: "regression",
      numRounds: 1,
      maxDepth: 1,
      learningRate: 1,
      lambda: 0,
      minChildWeight: 0,
      numThreads: 1,
    });
    // Brute force: every feature, every threshold between consecutive distinct values.
    const y = Array.from(data.label);
    let best = { reduction: 0, feature: -1, threshold: 0 };
    data.features.forEach((column, f) => {
      if (column.kind !== "numeric") return;
      const distinct = [...new Set(column.values)].sort((a, b) => a - b);
      for (const t of distinct.slice(1)) {
        const left = y.filter((_, i) => (column.values[i] as number) < t);
        const right = y.filter((_, i) => (column.values[i] as number) >= t);
        const reduction = sse(y) - sse(left) - sse(right);
        if (reduction > best.reduction + 1e-9) best = { reduction, feature: f, threshold: t };
      }
    });
    const e = model.ensemble;
    assert.equal(e.feature[0], best.feature);
    assert.equal(e.threshold[0], best.threshold);
    // Leaf values are the child means minus the base score (the global mean).
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const column = data.features[best.feature];
    assert.ok(column?.kind === "numeric");
    const leftMean =
      y.filter((_, i) => (column.values[i] as number) < best.threshold).reduce((a, b) => a + b, 0) /
      y.filter((_, i) => (column.values[i] as number) < best.threshold).length;
    assert.ok(Math.abs((e.baseScore[0] as number) - mean) < 1e-12);
    assert.ok(Math.abs((e.value[e.left[0] as number] as number) - (leftMean - mean)) < 1e-9);
  });

  test("missing values learn their default direction", async () => {
    // Rows with x0 missing behave like large x0: the split must send NaN right.
    const data = makeDataset({
      rows: 2000,
      numeric: 1,
      seed: 3,
      missingRate: 0.2,
      labelOf: (x) => (Number.isNaN(x(0)) || x(0) > 0 ? 1 : 0),
    });
    const model = await trainGbdt(data, {
      objective: "regression",
      numRounds: 1,
      maxDepth: 1,
      learningRate: 1,
      lambda: 0,
      numThreads: 1,
    });
    const e = model.ensemble;
    assert.equal(e.defaultLeft[0], 0);
    assert.ok(Math.abs(e.threshold[0] as number) < 0.05);
  });

  test("a categorical split separates an arbitrary set of categories in one node", async () => {
    const good = new Set([1, 3, 4, 8]);
    const data = makeDataset({
      rows: 3000,
      numeric: 1,
      seed: 5,
      categoryLevels: 10,
      labelOf: (_x, c) => (good.has(c) ? 1 : 0),
    });
    const model = await trainGbdt(data, {
      objective: "regression",
      numRounds: 1,
      maxDepth: 1,
      learningRate: 1,
      lambda: 0,
      numThreads: 1,
    });
    const e = model.ensemble;
    assert.equal(e.feature[0], 1);
    const offset = e.categoryOffset[0] as number;
    assert.ok(offset >= 0);
    const left = Array.from(
      { length: 10 },
      (_, c) => (((e.categoryBits[offset] as number) >>> c) & 1) === 1,
    );
    const leftSet = new Set(left.flatMap((l, c) => (l ? [c] : [])));
    // Either side may hold the good categories; the partition must be exact.
    const exact =
      [...Array(10).keys()].every((c) => leftSet.has(c) === good.has(c)) ||
      [...Array(10).keys()].every((c) => leftSet.has(c) !== good.has(c));
    assert.ok(exact, `left set ${[...leftSet]}`);
  });

  test("binary training lowers validation log loss round after round, and early stopping keeps the best", async () => {
    const all = makeDataset({
      rows: 6000,
      numeric: 5,
      seed: 11,
      categoryLevels: 6,
      missingRate: 0.05,
      labelOf: (x, c, u) =>
        u < logistic(2 * (x(0) || 0) - (x(1) || 0) * (x(2) || 0) + (c % 2) - 0.5) ? 1 : 0,
    });
    const train = sliceDataset(all, 0, 5000);
    const validation = sliceDataset(all, 5000, 6000);
    const seen: number[] = [];
    const model = await trainGbdt(
      train,
      {
        objective: "binary",
        numRounds: 300,
        maxDepth: 4,
        learningRate: 0.3,
        earlyStoppingRounds: 10,
        numThreads: 1,
      },
      { validation, onIteration: (i) => seen.push(i.iteration) },
    );
    assert.ok(model.history.length < 300, "early stopping stopped");
    assert.equal(seen.length, model.history.length);
    const best = Math.min(...model.history);
    assert.equal(model.history[model.bestIteration - 1], best);
    assert.equal(model.ensemble.treeRoot.length, model.bestIteration);
    assert.ok((model.history[0] as number) > best + 0.05);
    assert.ok(best < 0.55);
  });

  test("the exported ensemble scores exactly what the trainer tracked (thresholds, categories, missing)", async () => {
    const all = makeDataset({
      rows: 3000,
      numeric: 4,
      seed: 21,
      categoryLevels: 40,
      missingRate: 0.1,
      labelOf: (x, c) => (x(0) > 0.2 ? 0 : c % 5 === 0 ? 1 : (x(1) || 0) > 0 ? 2 : 0),
    });
    const train = sliceDataset(all, 0, 2500);
    const validation = sliceDataset(all, 2500, 3000);
    for (const growPolicy of ["depthwise", "leafwise"] as const) {
      const model = await trainGbdt(
        train,
        {
          objective: "multiclass",
          numClass: 3,
          numRounds: 15,
          growPolicy,
          maxDepth: 6,
          numThreads: 1,
        },
        { validation },
      );
      validateTreeEnsemble(model.ensemble);
      const probs = predict(model.ensemble, toRowMajor(validation), validation.numRows);
      const loss = multiclassLogLoss(validation.label, probs, 3);
      assert.ok(
        Math.abs(loss - (model.history.at(-1) as number)) < 1e-12,
        `${growPolicy}: ${loss}`,
      );
    }
  });

  test("every objective trains and beats its starting point", async () => {
    const cases: Array<{
      params: Parameters<typeof trainGbdt>[1];
      labelOf: Parameters<typeof makeDataset>[0]["labelOf"];
      group?: boolean;
    }> = [
      { params: { objective: "regression" }, labelOf: (x, _c, u) => 3 * x(0) + u },
      { params: { objective: "regression_l1" }, labelOf: (x, _c, u) => 3 * x(0) + u },
      { params: { objective: "huber" }, labelOf: (x, _c, u) => 3 * x(0) + (u > 0.95 ? 50 : u) },
      {
        params: { objective: "poisson" },
        labelOf: (x, _c, u) => Math.floor(Math.exp(x(0)) * 2 * u),
      },
      {
        params: { objective: "multiclass", numClass: 3 },
        labelOf: (x) => (x(0) < -0.5 ? 0 : x(1) < 0 ? 1 : 2),
      },
      {
        params: { objective: "lambdarank" },
        labelOf: (x) => (x(0) > 1 ? 3 : x(0) > 0 ? 1 : 0),
        group: true,
      },
    ];
    for (const c of cases) {
      const data = makeDataset({ rows: 1200, numeric: 3, seed: 2, labelOf: c.labelOf });
      const withGroup: TrainingDataset = c.group
        ? { ...data, group: Int32Array.from({ length: 1200 }, (_, i) => Math.floor(i / 20)) }
        : data;
      const model = await trainGbdt(
        withGroup,
        { ...c.params, numRounds: 30, maxDepth: 3, numThreads: 1 },
        { validation: withGroup },
      );
      const first = model.history[0] as number;
      const last = model.history[model.history.length - 1] as number;
      const higherIsBetter = c.params.objective === "lambdarank";
      assert.ok(
        higherIsBetter ? last > first : last < first,
        `${c.params.objective}: ${first} -> ${last}`,
      );
    }
  });

  test("the same seed and thread count give the same model; two threads train as well as one", async () => {
    const data = makeDataset({
      rows: 20_000,
      numeric: 4,
      seed: 9,
      categoryLevels: 5,
      labelOf: (x, c, u) => (u < logistic(x(0) + c - 2) ? 1 : 0),
    });
    const params = {
      objective: "binary" as const,
      numRounds: 5,
      maxDepth: 5,
      subsample: 0.8,
      colsample: 0.75,
      seed: 4,
    };
    const a = await trainGbdt(data, { ...params, numThreads: 1 }, { validation: data });
    const b = await trainGbdt(data, { ...params, numThreads: 1 }, { validation: data });
    assert.deepEqual(a.ensemble, b.ensemble);
    const c = await trainGbdt(data, { ...params, numThreads: 2 }, { validation: data });
    const d = await trainGbdt(data, { ...params, numThreads: 2 }, { validation: data });
    assert.deepEqual(c.ensemble, d.ensemble);
    // Threads sum histograms in another order, so near-ties may split differently; the
    // model must be as good.
    const lossOne = a.history.at(-1) as number;
    const lossTwo = c.history.at(-1) as number;
    assert.ok(Math.abs(lossOne - lossTwo) < 1e-3 * lossOne, `${lossOne} vs ${lossTwo}`);
  });

  test("three threads grow wide leaf-wise trees (hundreds of live histograms) as one thread does", async () => {
    // 40 features × 256 bins: about 50 histograms per shared-memory chunk, so 600 leaves make
    // the workers receive many chunks while a tree grows.
    const data = makeDataset({
      rows: 12_000,
      numeric: 40,
      seed: 12,
      missingRate: 0.05,
      labelOf: (x, _c, u) => (x(0) || 0) + (x(1) || 0) * (x(2) || 0) + 0.3 * u,
    });
    const params = {
      objective: "regression" as const,
      growPolicy: "leafwise" as const,
      numLeaves: 600,
      maxDepth: 0,
      minDataInLeaf: 5,
      numRounds: 3,
      seed: 2,
    };
    const one = await trainGbdt(data, { ...params, numThreads: 1 }, { validation: data });
    const three = await trainGbdt(data, { ...params, numThreads: 3 }, { validation: data });
    const again = await trainGbdt(data, { ...params, numThreads: 3 }, { validation: data });
    assert.deepEqual(three.ensemble, again.ensemble);
    const leaves = three.ensemble.feature.filter((f) => f === -1).length;
    assert.ok(leaves > 3 * 500, `only ${leaves} leaves: the trees were not wide`);
    const lossOne = one.history.at(-1) as number;
    const lossThree = three.history.at(-1) as number;
    assert.ok(Math.abs(lossOne - lossThree) < 1e-3 * lossOne, `${lossOne} vs ${lossThree}`);
  });
});

describe("trainGbdt refuses bad input with a typed error naming the field", () => {
  const good = makeDataset({ rows: 50, numeric: 2, seed: 1, labelOf: (x) => (x(0) > 0 ? 1 : 0) });
  const numeric = (values: Float64Array) => ({ kind: "numeric" as const, name: "x0", values });

  test("hyperparameters", async () => {
    await rejectsWithCode(
      trainGbdt(good, { maxDepth: -1 }),
      "TRAINING_INVALID_PARAMETER",
      "maxDepth",
    );
    await rejectsWithCode(
      trainGbdt(good, { learningRate: 0 }),
      "TRAINING_INVALID_PARAMETER",
      "learningRate",
    );
    await rejectsWithCode(
      trainGbdt(good, { subsample: 1.5 }),
      "TRAINING_INVALID_PARAMETER",
      "subsample",
    );
    await rejectsWithCode(
      trainGbdt(good, { numRounds: Number.NaN }),
      "TRAINING_INVALID_PARAMETER",
      "numRounds",
    );
    await rejectsWithCode(
      trainGbdt(good, { maxDepht: 3 } as never),
      "TRAINING_INVALID_PARAMETER",
      "maxDepht",
    );
    await rejectsWithCode(
      trainGbdt(good, { objective: "gamma" } as never),
      "TRAINING_INVALID_PARAMETER",
      "objective",
    );
    await rejectsWithCode(
      trainGbdt(good, { objective: "multiclass" }),
      "TRAINING_INVALID_PARAMETER",
      "numClass",
    );
    await rejectsWithCode(
      trainGbdt(good, { earlyStoppingRounds: 5 }),
      "TRAINING_INVALID_PARAMETER",
      "earlyStoppingRounds",
    );
    await rejectsWithCode(
      trainGbdt(good, { lambda: "1" } as never),
      "TRAINING_INVALID_PARAMETER",
      "lambda",
    );
  });

  test("labels", async () => {
    const nan = { ...good, label: good.label.map((v, i) => (i === 3 ? Number.NaN : v)) };
    await rejectsWithCode(trainGbdt(nan, {}), "TRAINING_INVALID_DATA", "label");
    const inf = {
      ...good,
      label: good.label.map((v, i) => (i === 3 ? Number.POSITIVE_INFINITY : v)),
    };
    await rejectsWithCode(
      trainGbdt(inf, { objective: "regression" }),
      "TRAINING_INVALID_DATA",
      "label",
    );
    const two = { ...good, label: good.label.map((v, i) => (i === 3 ? 2 : v)) };
    await rejectsWithCode(
      trainGbdt(two, { objective: "binary" }),
      "TRAINING_INVALID_DATA",
      "label",
    );
    await rejectsWithCode(
      trainGbdt(two, { objective: "multiclass", numClass: 2 }),
      "TRAINING_INVALID_DATA",
      "label",
    );
    const negative = { ...good, label: good.label.map((v) => v - 1) };
    await rejectsWithCode(
      trainGbdt(negative, { objective: "poisson" }),
      "TRAINING_INVALID_DATA",
      "label",
    );
    await rejectsWithCode(
      trainGbdt(good, { objective: "lambdarank" }),
      "TRAINING_INVALID_DATA",
      "group",
    );
  });

  test("columns, lengths, weights and groups", async () => {
    await rejectsWithCode(
      trainGbdt({ ...good, numRows: 0, label: new Float64Array(0), features: [] }, {}),
      "TRAINING_INVALID_DATA",
    );
    await rejectsWithCode(
      trainGbdt({ ...good, label: good.label.slice(1) }, {}),
      "TRAINING_INVALID_DATA",
      "label",
    );
    await rejectsWithCode(
      trainGbdt({ ...good, features: [numeric(new Float64Array(49))] }, {}),
      "TRAINING_INVALID_DATA",
      "x0",
    );
    await rejectsWithCode(
      trainGbdt({ ...good, features: [numeric(new Float64Array(50).fill(2))] }, {}),
      "TRAINING_INVALID_DATA",
      "x0",
    );
    const inf = new Float64Array(50).map((_, i) => (i === 7 ? Number.NEGATIVE_INFINITY : i));
    await rejectsWithCode(
      trainGbdt({ ...good, features: [numeric(inf)] }, {}),
      "TRAINING_INVALID_DATA",
      "x0",
    );
    const badCode = {
      kind: "categorical" as const,
      name: "c",
      codes: new Int32Array(50).map((_, i) => i % 3),
      dictionary: ["a", "b"],
    };
    await rejectsWithCode(
      trainGbdt({ ...good, features: [badCode] }, {}),
      "TRAINING_INVALID_DATA",
      "c",
    );
    await rejectsWithCode(
      trainGbdt({ ...good, weight: new Float64Array(50).fill(-1) }, {}),
      "TRAINING_INVALID_DATA",
      "weight",
    );
    const split = Int32Array.from({ length: 50 }, (_, i) => (i < 10 || i >= 40 ? 0 : 1));
    await rejectsWithCode(
      trainGbdt({ ...good, group: split }, { objective: "lambdarank" }),
      "TRAINING_INVALID_DATA",
      "group",
    );
    const renamed = {
      ...good,
      features: good.features.map((c, i) => (i === 1 ? { ...c, name: "other" } : c)),
    };
    await rejectsWithCode(
      trainGbdt(good, {}, { validation: renamed }),
      "TRAINING_INVALID_DATA",
      "other",
    );
  });
});
