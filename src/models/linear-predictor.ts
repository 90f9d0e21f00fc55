import { PlinthError } from "../core/errors.ts";
import { type LinearModel, validateLinearModel } from "./linear-model.ts";

/** Models already checked by `validateLinearModel`, so scoring validates once per model. */
const validated = new WeakSet<LinearModel>();

/**
 * Raw scores of `numRows` rows given row-major in `rows` (`numRows × numFeatures`, raw
 * feature values, NaN = missing): each row is imputed and standardised as in training, then
 * `intercept[k] + Σ_j coefficients[k][j]·z_j`. Returns `numRows × numOutputs`, row-major.
 *
 * @example
 * const margins = predictLinearRaw(model, Float64Array.of(0.5, Number.NaN, 3), 1);
 */
export function predictLinearRaw(
  model: LinearModel,
  rows: Float64Array,
  numRows: number,
): Float64Array {
  if (!validated.has(model)) {
    validateLinearModel(model);
    validated.add(model);
  }
  const p = model.featureNames.length;
  checkRows(rows, numRows, p);
  const K = model.numOutputs;
  const { imputeValue, mean, scale, coefficients, intercept } = model;
  const out = new Float64Array(numRows * K);
  const z = new Float64Array(p);
  for (let r = 0; r < numRows; r++) {
    const base = r * p;
    for (let j = 0; j < p; j++) {
      const x = rows[base + j] as number;
      z[j] =
        ((Number.isNaN(x) ? (imputeValue[j] as number) : x) - (mean[j] as number)) /
        (scale[j] as number);
    }
    for (let k = 0; k < K; k++) {
      let sum = intercept[k] as number;
      const offset = k * p;
      for (let j = 0; j < p; j++) sum += (coefficients[offset + j] as number) * (z[j] as number);
      out[r * K + k] = sum;
    }
  }
  return out;
}

/**
 * Predictions: raw scores through the model's link — identity (regression), logistic
 * (probability of class 1) or softmax per row (class probabilities). Returns
 * `numRows × numOutputs`, row-major.
 *
 * @example
 * const probabilities = predictLinear(model, rows, numRows);
 */
export function predictLinear(
  model: LinearModel,
  rows: Float64Array,
  numRows: number,
): Float64Array {
  const out = predictLinearRaw(model, rows, numRows);
  const K = model.numOutputs;
  if (model.link === "logistic") {
    for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-(out[i] as number)));
  } else if (model.link === "softmax") {
    for (let r = 0; r < numRows; r++) {
      const at = r * K;
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < K; k++) max = Math.max(max, out[at + k] as number);
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp((out[at + k] as number) - max);
        out[at + k] = e;
        sum += e;
      }
      for (let k = 0; k < K; k++) out[at + k] = (out[at + k] as number) / sum;
    }
  }
  return out;
}

function checkRows(rows: Float64Array, numRows: number, numFeatures: number): void {
  if (!(rows instanceof Float64Array)) {
    throw new PlinthError("MODELS_INVALID_INPUT", "Input rows must be a Float64Array", {
      field: "rows",
    });
  }
  if (!Number.isInteger(numRows) || numRows < 0) {
    throw new PlinthError(
      "MODELS_INVALID_INPUT",
      `numRows must be a non-negative integer, got ${numRows}`,
      { field: "numRows" },
    );
  }
  if (rows.length !== numRows * numFeatures) {
    throw new PlinthError(
      "MODELS_INVALID_INPUT",
      `Input has ${rows.length} values; ${numRows} rows of ${numFeatures} features need ${numRows * numFeatures}`,
      { field: "rows" },
    );
  }
  for (let i = 0; i < rows.length; i++) {
    const x = rows[i] as number;
    if (x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY) {
      throw new PlinthError(
        "MODELS_INVALID_INPUT",
        `Input row ${Math.floor(i / numFeatures)} feature ${i % numFeatures} is ${x}; use NaN for a missing value`,
        { field: "rows" },
      );
    }
  }
}
