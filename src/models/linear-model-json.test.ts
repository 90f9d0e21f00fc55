import assert from "node:assert/strict";
import { test } from "node:test";
import { isPlinthError } from "../core/errors.ts";
import type { LinearModel } from "./linear-model.ts";
import { linearModelFromJson, linearModelToJson } from "./linear-model-json.ts";
import { predictLinear, predictLinearRaw } from "./linear-predictor.ts";

const softmaxModel: LinearModel = {
  featureNames: ["a", "b"],
  numOutputs: 3,
  imputeValue: Float64Array.of(1.5, -2),
  mean: Float64Array.of(1.5, -2),
  scale: Float64Array.of(0.5, 4),
  coefficients: Float64Array.of(1, -0, 0.25, 5e-324, -1e300, 2),
  intercept: Float64Array.of(0.1, -0.2, 0.1),
  link: "softmax",
};

function throwsCode(fn: () => unknown, code: string, field: string): void {
  assert.throws(
    fn,
    (e: unknown) => isPlinthError(e) && e.code === code && e.field === field,
    field,
  );
}

test("a linear model round-trips through JSON bit for bit", () => {
  const back = linearModelFromJson(JSON.parse(JSON.stringify(linearModelToJson(softmaxModel))));
  assert.deepEqual(back, softmaxModel);
  assert.ok(Object.is(back.coefficients[1], -0));
});

test("a malformed linear-model document is MODELS_INVALID_PACKAGE naming the field", () => {
  const json = linearModelToJson(softmaxModel);
  const code = "MODELS_INVALID_PACKAGE";
  throwsCode(() => linearModelFromJson(null), code, "$");
  throwsCode(() => linearModelFromJson({ ...json, format: "x" }), code, "format");
  throwsCode(() => linearModelFromJson({ ...json, version: 2 }), code, "version");
  throwsCode(() => linearModelFromJson({ ...json, numOutputs: 2 }), code, "arrays.coefficients");
  throwsCode(() => linearModelFromJson({ ...json, link: "logistic" }), code, "link");
  throwsCode(
    () => linearModelFromJson({ ...json, featureNames: ["a", "a"] }),
    code,
    "featureNames",
  );
  throwsCode(
    () => linearModelFromJson({ ...json, arrays: { ...json.arrays, mean: "!!!!" } }),
    code,
    "arrays.mean",
  );
  const zeroScale = linearModelToJson({ ...softmaxModel, scale: Float64Array.of(1, 0) });
  throwsCode(() => linearModelFromJson(zeroScale), code, "scale[1]");
  const nan = linearModelToJson({ ...softmaxModel, intercept: Float64Array.of(0, Number.NaN, 0) });
  throwsCode(() => linearModelFromJson(nan), code, "intercept[1]");
});

test("the predictor follows the documented formula and link, and checks its input", () => {
  const model: LinearModel = {
    featureNames: ["a", "b"],
    numOutputs: 1,
    imputeValue: Float64Array.of(3, 7),
    mean: Float64Array.of(2, 5),
    scale: Float64Array.of(2, 10),
    coefficients: Float64Array.of(0.5, -1),
    intercept: Float64Array.of(0.25),
    link: "logistic",
  };
  const rows = Float64Array.of(4, 15, Number.NaN, Number.NaN);
  // Row 0: 0.25 + 0.5·(4−2)/2 − (15−5)/10; row 1 imputed: 0.25 + 0.5·(3−2)/2 − (7−5)/10.
  const raw = predictLinearRaw(model, rows, 2);
  assert.ok(Math.abs((raw[0] as number) - (0.25 + 0.5 - 1)) < 1e-15);
  assert.ok(Math.abs((raw[1] as number) - (0.25 + 0.25 - 0.2)) < 1e-15);
  const probability = predictLinear(model, rows, 2);
  assert.equal(probability[0], 1 / (1 + Math.exp(-(raw[0] as number))));
  const softmax = predictLinear(softmaxModel, Float64Array.of(2, -1, Number.NaN, 0), 2);
  for (let r = 0; r < 2; r++) {
    const sum =
      (softmax[r * 3] as number) + (softmax[r * 3 + 1] as number) + (softmax[r * 3 + 2] as number);
    assert.ok(Math.abs(sum - 1) < 1e-12);
  }
  const code = "MODELS_INVALID_INPUT";
  throwsCode(() => predictLinear(model, Float64Array.of(1, 2, 3), 2), code, "rows");
  throwsCode(() => predictLinear(model, [1, 2] as unknown as Float64Array, 1), code, "rows");
  throwsCode(() => predictLinear(model, Float64Array.of(1, 2), -1), code, "numRows");
  throwsCode(
    () => predictLinear(model, Float64Array.of(1, Number.POSITIVE_INFINITY), 1),
    code,
    "rows",
  );
  throwsCode(
    () => predictLinear({ ...model, link: "softmax" }, Float64Array.of(1, 2), 1),
    "MODELS_INVALID_PACKAGE",
    "link",
  );
});
