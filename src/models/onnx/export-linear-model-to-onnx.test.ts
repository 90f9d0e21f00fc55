import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createSeededRandom, type SeededRandom } from "../../core/seeded-random.ts";
import type { LinearModel, LinearModelLink } from "../linear-model.ts";
import { throwsWithCode } from "../testing/throws-with-code.ts";
import { exportLinearModelToOnnx } from "./export-linear-model-to-onnx.ts";
import { loadOnnxModel } from "./load-onnx-model.ts";

/** The scoring formula of linear-model.ts, written out entry by entry. */
function bruteForce(m: LinearModel, rows: Float64Array, numRows: number): Float64Array {
  const F = m.featureNames.length;
  const K = m.numOutputs;
  const out = new Float64Array(numRows * K);
  for (let r = 0; r < numRows; r++) {
    const raw: number[] = [];
    for (let k = 0; k < K; k++) {
      let s = m.intercept[k] as number;
      for (let j = 0; j < F; j++) {
        const x = rows[r * F + j] as number;
        const z =
          ((Number.isNaN(x) ? (m.imputeValue[j] as number) : x) - (m.mean[j] as number)) /
          (m.scale[j] as number);
        s += (m.coefficients[k * F + j] as number) * z;
      }
      raw.push(s);
    }
    let pred = raw;
    if (m.link === "logistic") pred = raw.map((v) => 1 / (1 + Math.exp(-v)));
    if (m.link === "softmax") {
      const e = raw.map((v) => Math.exp(v - Math.max(...raw)));
      const sum = e.reduce((a, b) => a + b, 0);
      pred = e.map((v) => v / sum);
    }
    out.set(pred, r * K);
  }
  return out;
}

function randomModel(rng: SeededRandom, F: number, K: number, link: LinearModelLink): LinearModel {
  const values = (n: number, scale: number, offset = 0) =>
    Float64Array.from({ length: n }, () => offset + (rng.next() - 0.5) * scale);
  return {
    featureNames: Array.from({ length: F }, (_, j) => `x${j}`),
    numOutputs: K,
    imputeValue: values(F, 4),
    mean: values(F, 4),
    scale: values(F, 2, 1.5),
    coefficients: values(K * F, 3),
    intercept: values(K, 2),
    link,
  };
}

describe("exportLinearModelToOnnx", () => {
  const cases: [LinearModelLink, number][] = [
    ["identity", 1],
    ["logistic", 1],
    ["softmax", 3],
  ];
  for (const [link, K] of cases) {
    test(`the ${link} link matches the linear-model formula, missing values imputed`, async () => {
      const rng = createSeededRandom(K * 7 + link.length);
      const F = 6;
      const model = randomModel(rng, F, K, link);
      const numRows = 300;
      const rows = Float64Array.from({ length: numRows * F }, () =>
        rng.next() < 0.15 ? Number.NaN : (rng.next() - 0.5) * 20,
      );
      const session = await loadOnnxModel(exportLinearModelToOnnx(model));
      try {
        const out = await session.run(rows, numRows, F);
        const expected = bruteForce(model, rows, numRows);
        const got = out.prediction?.data as Float64Array;
        assert.equal(got.length, expected.length);
        for (let i = 0; i < got.length; i++) {
          assert.ok(Math.abs((got[i] as number) - (expected[i] as number)) < 1e-9, `entry ${i}`);
        }
        assert.deepEqual(out.raw?.dims, [numRows, K]);
      } finally {
        await session.close();
      }
    });
  }

  test("a malformed model is a typed error", () => {
    const good = randomModel(createSeededRandom(1), 3, 1, "identity");
    throwsWithCode(
      () => exportLinearModelToOnnx({ ...good, coefficients: new Float64Array(2) }),
      "MODELS_INVALID_PACKAGE",
      "coefficients",
    );
    throwsWithCode(
      () => exportLinearModelToOnnx({ ...good, link: "softmax" }),
      "MODELS_INVALID_PACKAGE",
      "numOutputs",
    );
  });
});
