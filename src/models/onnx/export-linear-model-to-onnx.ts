import { PlinthError } from "../../core/errors.ts";
import type { LinearModel } from "../linear-model.ts";
import { encodeOnnxModel, ONNX_ELEM_TYPE, type OnnxNode } from "./encode-onnx-model.ts";
import { linkNode } from "./link-node.ts";

/**
 * Exports a linear model as ONNX with standard ops only, all in double precision:
 * `IsNaN`/`Where` impute, `Sub`/`Div` standardise, `MatMul`/`Add` score, then the link.
 * The graph takes `input` (double, `[N, numFeatures]`, NaN = missing) and returns `raw`
 * (`[N, numOutputs]`, the scores before the link) and `prediction` (after it).
 *
 * @example
 * writeFileSync("linear.onnx", exportLinearModelToOnnx(model));
 */
export function exportLinearModelToOnnx(model: LinearModel): Uint8Array {
  checkLinearModel(model);
  const F = model.featureNames.length;
  const K = model.numOutputs;
  // MatMul wants [F, K]; the model stores K × F row-major.
  const weights = new Float64Array(F * K);
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < F; j++) weights[j * K + k] = model.coefficients[k * F + j] as number;
  }
  const node = (opType: string, inputs: string[], output: string): OnnxNode => ({
    opType,
    name: output,
    inputs,
    outputs: [output],
  });
  return encodeOnnxModel({
    irVersion: 10,
    opsets: [{ domain: "", version: 21 }],
    producerName: "plinth",
    graph: {
      name: "plinth_linear_model",
      nodes: [
        node("IsNaN", ["input"], "is_missing"),
        node("Where", ["is_missing", "impute_value", "input"], "imputed"),
        node("Sub", ["imputed", "mean"], "centred"),
        node("Div", ["centred", "scale"], "standardised"),
        node("MatMul", ["standardised", "weights"], "weighted"),
        node("Add", ["weighted", "intercept"], "raw"),
        linkNode(model.link, "raw", "prediction"),
      ],
      initializers: [
        { name: "impute_value", dims: [F], data: Float64Array.from(model.imputeValue) },
        { name: "mean", dims: [F], data: Float64Array.from(model.mean) },
        { name: "scale", dims: [F], data: Float64Array.from(model.scale) },
        { name: "weights", dims: [F, K], data: weights },
        { name: "intercept", dims: [K], data: Float64Array.from(model.intercept) },
      ],
      inputs: [{ name: "input", elemType: ONNX_ELEM_TYPE.double, dims: ["N", F] }],
      outputs: [
        { name: "raw", elemType: ONNX_ELEM_TYPE.double, dims: ["N", K] },
        { name: "prediction", elemType: ONNX_ELEM_TYPE.double, dims: ["N", K] },
      ],
    },
  });
}

function checkLinearModel(m: LinearModel): void {
  const F = m.featureNames.length;
  const K = m.numOutputs;
  const fail = (field: string, message: string) =>
    new PlinthError("MODELS_INVALID_PACKAGE", `Linear model '${field}' ${message}`, { field });
  if (!Number.isInteger(K) || K < 1)
    throw fail("numOutputs", `must be a positive integer, got ${K}`);
  if (m.link === "softmax" ? K < 2 : K !== 1) {
    throw fail("numOutputs", `is ${K}, which the '${m.link}' link cannot use`);
  }
  const lengths: [string, ArrayLike<number>, number][] = [
    ["imputeValue", m.imputeValue, F],
    ["mean", m.mean, F],
    ["scale", m.scale, F],
    ["coefficients", m.coefficients, K * F],
    ["intercept", m.intercept, K],
  ];
  for (const [field, values, expected] of lengths) {
    if (values.length !== expected) {
      throw fail(field, `has ${values.length} values, expected ${expected}`);
    }
  }
}
