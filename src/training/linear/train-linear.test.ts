import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { predictLinear, predictLinearRaw } from "../../models/linear-predictor.ts";
import type { TrainingDataset } from "../dataset/training-dataset.ts";
import type { LinearParams } from "./linear-params.ts";
import { trainLinear } from "./train-linear.ts";

const P = 4;

/** Raw features with different scales, a few missing values, and labels for `task`. */
function makeData(
  task: "regression" | "binary" | "multiclass",
  n: number,
  seed: number,
  { missingRate = 0.05, weighted = true } = {},
): TrainingDataset {
  const rng = createSeededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const columns = Array.from({ length: P }, () => new Float64Array(n));
  const label = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: P }, gauss);
    const m = 1.2 * (x[0] as number) - 0.8 * (x[1] as number) + 0.1 * (x[2] as number);
    if (task === "regression") label[i] = 3 + m + 0.5 * gauss();
    else if (task === "binary") label[i] = rng.next() < 1 / (1 + Math.exp(-m)) ? 1 : 0;
    else label[i] = m + 0.7 * gauss() > 0.6 ? 2 : (x[3] as number) + gauss() > 0 ? 1 : 0;
    x.forEach((v, j) => {
      (columns[j] as Float64Array)[i] = rng.next() < missingRate ? Number.NaN : v * 10 ** j + j;
    });
  }
  return {
    numRows: n,
    features: columns.map((values, j) => ({ kind: "numeric" as const, name: `f${j}`, values })),
    label,
    ...(weighted ? { weight: Float64Array.from({ length: n }, () => 0.2 + 2 * rng.next()) } : {}),
  };
}

function rowMajor(data: TrainingDataset): Float64Array {
  const p = data.features.length;
  const out = new Float64Array(data.numRows * p);
  data.features.forEach((c, j) => {
    if (c.kind !== "numeric") throw new Error("numeric only");
    for (let i = 0; i < data.numRows; i++) out[i * p + j] = c.values[i] as number;
  });
  return out;
}

/**
 * Checks the optimality (KKT) conditions from scratch: standardise with a weighted mean and
 * standard deviation computed here, take the loss gradient `(1/W) Σ w_i (μ_i − y_i) z_ij`,
 * and require `grad + α(1−ρ)β_j + αρ·sign(β_j) ≈ 0` for a nonzero coefficient,
 * `|grad| ≤ αρ` for a zero one, and a zero intercept gradient.
 */
function assertKkt(data: TrainingDataset, params: LinearParams, K: number): void {
  const { model } = trainLinear(data, { ...params, tolerance: 1e-11, maxIterations: 100_000 });
  const n = data.numRows;
  const w = data.weight ?? new Float64Array(n).fill(1);
  const W = w.reduce((a, b) => a + b, 0);
  const z: Float64Array[] = data.features.map((c, j) => {
    if (c.kind !== "numeric") throw new Error("numeric only");
    let s = 0;
    let sw = 0;
    for (let i = 0; i < n; i++) {
      if (!Number.isNaN(c.values[i] as number)) {
        s += (w[i] as number) * (c.values[i] as number);
        sw += w[i] as number;
      }
    }
    const mu = s / sw;
    const filled = c.values.map((v) => (Number.isNaN(v) ? mu : v));
    let v2 = 0;
    for (let i = 0; i < n; i++) v2 += (w[i] as number) * ((filled[i] as number) - mu) ** 2;
    const sd = Math.sqrt(v2 / W);
    assert.ok(Math.abs((model.scale[j] as number) - sd) < 1e-9 * sd, `scale of f${j}`);
    return filled.map((v) => (v - mu) / sd);
  });
  const mu = predictLinear(model, rowMajor(data), n);
  const alpha = params.alpha ?? 0;
  const rho = params.l1Ratio ?? 0;
  const slack = 1e-7;
  for (let k = 0; k < K; k++) {
    const residual = Float64Array.from({ length: n }, (_, i) => {
      const target = K === 1 ? (data.label[i] as number) : data.label[i] === k ? 1 : 0;
      return ((w[i] as number) * ((mu[i * K + k] as number) - target)) / W;
    });
    const interceptGrad = residual.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(interceptGrad) < slack, `intercept ${k} gradient ${interceptGrad}`);
    for (let j = 0; j < P; j++) {
      let g = 0;
      for (let i = 0; i < n; i++)
        g += (residual[i] as number) * ((z[j] as Float64Array)[i] as number);
      const b = model.coefficients[k * P + j] as number;
      g += alpha * (1 - rho) * b;
      if (b !== 0) {
        const stationarity = g + alpha * rho * Math.sign(b);
        assert.ok(Math.abs(stationarity) < slack, `output ${k} f${j}: ${stationarity}`);
      } else {
        assert.ok(Math.abs(g) <= alpha * rho + slack, `output ${k} f${j} is 0 but |grad| ${g}`);
      }
    }
  }
}

describe("trainLinear optimality (KKT checked from scratch)", () => {
  test("regression: unpenalised, ridge, lasso, elastic net", () => {
    const data = makeData("regression", 300, 1);
    assertKkt(data, { objective: "regression", alpha: 0 }, 1);
    assertKkt(data, { objective: "regression", alpha: 0.5, l1Ratio: 0 }, 1);
    assertKkt(data, { objective: "regression", alpha: 0.3, l1Ratio: 1 }, 1);
    assertKkt(data, { objective: "regression", alpha: 0.2, l1Ratio: 0.3 }, 1);
  });
  test("binary: ridge, lasso (with zeros), elastic net", () => {
    const data = makeData("binary", 400, 2);
    assertKkt(data, { objective: "binary", alpha: 0.01, l1Ratio: 0 }, 1);
    const { model } = trainLinear(data, { objective: "binary", alpha: 0.05, l1Ratio: 1 });
    assert.ok(
      model.coefficients.some((b) => b === 0),
      "the lasso should zero something here",
    );
    assertKkt(data, { objective: "binary", alpha: 0.05, l1Ratio: 1 }, 1);
    assertKkt(data, { objective: "binary", alpha: 0.02, l1Ratio: 0.5 }, 1);
  });
  test("multiclass: ridge and elastic net", () => {
    const data = makeData("multiclass", 400, 3);
    assertKkt(data, { objective: "multiclass", numClass: 3, alpha: 0.01 }, 3);
    assertKkt(data, { objective: "multiclass", numClass: 3, alpha: 0.03, l1Ratio: 0.7 }, 3);
  });
});

describe("trainLinear data handling", () => {
  test("integer weights fit the same model as repeated rows", () => {
    const base = makeData("binary", 150, 4, { weighted: false });
    const rng = createSeededRandom(5);
    const weight = Float64Array.from({ length: base.numRows }, () => 1 + rng.nextInt(3));
    const repeat = (values: Float64Array) => {
      const out: number[] = [];
      values.forEach((v, i) => {
        for (let r = 0; r < (weight[i] as number); r++) out.push(v);
      });
      return Float64Array.from(out);
    };
    const expanded: TrainingDataset = {
      numRows: weight.reduce((a, b) => a + b, 0),
      features: base.features.map((c) => ({
        kind: "numeric" as const,
        name: c.name,
        values: repeat(c.kind === "numeric" ? c.values : new Float64Array()),
      })),
      label: repeat(base.label),
    };
    const params = { objective: "binary", alpha: 0.02, l1Ratio: 0.5, tolerance: 1e-11 } as const;
    const a = trainLinear({ ...base, weight }, params).model;
    const b = trainLinear(expanded, params).model;
    for (const key of ["mean", "scale", "coefficients", "intercept"] as const) {
      a[key].forEach((v, i) => {
        assert.ok(Math.abs(v - (b[key][i] as number)) < 1e-8, key);
      });
    }
    // And the weights matter: unweighted is a different model.
    const c = trainLinear(base, params).model;
    assert.ok(c.coefficients.some((v, i) => Math.abs(v - (a.coefficients[i] as number)) > 1e-3));
  });

  test("missing values are imputed with the weighted training mean of the column", () => {
    const data = makeData("regression", 200, 6, { missingRate: 0.2 });
    const { model } = trainLinear(data, { objective: "regression", alpha: 0.01 });
    const column = data.features[2];
    assert.ok(column?.kind === "numeric");
    let s = 0;
    let sw = 0;
    column.values.forEach((v, i) => {
      if (Number.isNaN(v)) return;
      s += v * (data.weight?.[i] as number);
      sw += data.weight?.[i] as number;
    });
    assert.ok(Math.abs((model.imputeValue[2] as number) - s / sw) < 1e-9);
    const row = Float64Array.of(1, 2, Number.NaN, 4);
    const filled = Float64Array.of(1, 2, model.imputeValue[2] as number, 4);
    assert.equal(predictLinearRaw(model, row, 1)[0], predictLinearRaw(model, filled, 1)[0]);
  });

  test("a constant feature gets scale 1 and coefficient 0; fits are deterministic", () => {
    const data = makeData("binary", 200, 7);
    const constant = {
      kind: "numeric" as const,
      name: "constant",
      values: new Float64Array(200).fill(5).map((v, i) => (i % 7 === 0 ? Number.NaN : v)),
    };
    const withConstant = { ...data, features: [...data.features, constant] };
    const first = trainLinear(withConstant, { objective: "binary", alpha: 0 });
    assert.equal(first.model.scale[P], 1);
    assert.equal(first.model.coefficients[P], 0);
    assert.ok(first.converged);
    assert.deepEqual(trainLinear(withConstant, { objective: "binary", alpha: 0 }), first);
  });
});

describe("trainLinear refuses bad input with typed errors", () => {
  const good = makeData("binary", 50, 8);
  function refuses(data: TrainingDataset, params: LinearParams, code: string, field: string) {
    assert.throws(
      () => trainLinear(data, params),
      (e: unknown) => isPlinthError(e) && e.code === code && e.field === field,
      `${code} ${field}`,
    );
  }
  const withLabel = (label: number[]) => ({
    ...good,
    label: Float64Array.from({ length: 50 }, (_, i) => label[i % label.length] as number),
  });

  test("labels", () => {
    refuses(
      withLabel([0, 1, Number.NaN]),
      { objective: "binary" },
      "TRAINING_INVALID_DATA",
      "label",
    );
    refuses(
      withLabel([0, Number.POSITIVE_INFINITY]),
      { objective: "regression" },
      "TRAINING_INVALID_DATA",
      "label",
    );
    refuses(withLabel([0, 1, 2]), { objective: "binary" }, "TRAINING_INVALID_DATA", "label");
    refuses(withLabel([0, 1, 0.5]), { objective: "binary" }, "TRAINING_INVALID_DATA", "label");
    refuses(withLabel([1, 1]), { objective: "binary" }, "TRAINING_INVALID_DATA", "label");
    const mc = { objective: "multiclass", numClass: 3 } as const;
    refuses(withLabel([0, 1, 2, 1.5]), mc, "TRAINING_INVALID_DATA", "label");
    refuses(withLabel([0, 1, 3]), mc, "TRAINING_INVALID_DATA", "label");
    refuses(withLabel([0, 1, -1, 2]), mc, "TRAINING_INVALID_DATA", "label");
  });

  test("features and weights", () => {
    const empty: TrainingDataset = {
      numRows: 0,
      features: [{ kind: "numeric", name: "a", values: new Float64Array() }],
      label: new Float64Array(),
    };
    refuses(empty, {}, "TRAINING_INVALID_DATA", "train");
    refuses({ ...good, features: [] }, {}, "TRAINING_INVALID_DATA", "train");
    const replace = (j: number, column: TrainingDataset["features"][number]) => ({
      ...good,
      features: good.features.map((c, i) => (i === j ? column : c)),
    });
    const nan = new Float64Array(50).fill(Number.NaN);
    refuses(
      replace(1, { kind: "numeric", name: "f1", values: nan }),
      {},
      "TRAINING_INVALID_DATA",
      "f1",
    );
    const inf = new Float64Array(50)
      .fill(1)
      .map((v, i) => (i === 3 ? Number.NEGATIVE_INFINITY : v * i));
    refuses(
      replace(2, { kind: "numeric", name: "f2", values: inf }),
      {},
      "TRAINING_INVALID_DATA",
      "f2",
    );
    const categorical = {
      kind: "categorical" as const,
      name: "city",
      codes: new Int32Array(50),
      dictionary: ["a"],
    };
    refuses(replace(0, categorical), {}, "TRAINING_INVALID_DATA", "city");
    refuses(
      replace(0, { kind: "numeric", name: "f0", values: new Float64Array(49) }),
      {},
      "TRAINING_INVALID_DATA",
      "f0",
    );
    refuses(
      replace(0, { kind: "numeric", name: "f1", values: new Float64Array(50) }),
      {},
      "TRAINING_INVALID_DATA",
      "f1",
    );
    refuses(
      { ...good, weight: new Float64Array(50).fill(-1) },
      {},
      "TRAINING_INVALID_DATA",
      "weight",
    );
    refuses({ ...good, weight: new Float64Array(50) }, {}, "TRAINING_INVALID_DATA", "weight");
    refuses({ ...good, label: new Float64Array(49) }, {}, "TRAINING_INVALID_DATA", "label");
  });

  test("parameters", () => {
    const bad = (params: unknown, field: string) =>
      refuses(good, params as LinearParams, "TRAINING_INVALID_PARAMETER", field);
    bad({ lambda: 1 }, "lambda");
    bad({ objective: "poisson" }, "objective");
    bad({ alpha: -1 }, "alpha");
    bad({ alpha: Number.NaN }, "alpha");
    bad({ l1Ratio: 1.5 }, "l1Ratio");
    bad({ tolerance: 0 }, "tolerance");
    bad({ maxIterations: 2.5 }, "maxIterations");
    bad({ objective: "multiclass" }, "numClass");
    bad({ objective: "binary", numClass: 3 }, "numClass");
    bad(null, "params");
  });
});
