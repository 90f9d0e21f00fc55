import { PlinthError } from "../core/errors.ts";

/**
 * The one in-memory form of a linear model (linear regression, binary and multinomial
 * logistic regression). plinth's linear trainer writes it, the model package stores it, the
 * ONNX exporter and the predictor read it.
 *
 * Scoring a row `x` (numeric inputs, `NaN` = missing) for output `k`:
 *   z_j   = ((isNaN(x_j) ? imputeValue[j] : x_j) - mean[j]) / scale[j]
 *   raw_k = intercept[k] + Σ_j coefficients[k * numFeatures + j] * z_j
 * then `link` turns the raw scores into predictions. Standardisation is part of the model so
 * a caller always passes raw feature values, as in training.
 */
export interface LinearModel {
  /** Input feature names, in the column order the predictor expects. */
  readonly featureNames: readonly string[];
  /** Raw-score outputs: 1 for regression and binary; K for K-class softmax. */
  readonly numOutputs: number;
  /** Per feature: the value that replaces a missing input (the training mean). */
  readonly imputeValue: Float64Array;
  /** Per feature: subtracted before scaling (the training mean after imputation). */
  readonly mean: Float64Array;
  /** Per feature: divided by after centring (the training standard deviation; 1 for a constant feature). */
  readonly scale: Float64Array;
  /** Row-major numOutputs × numFeatures weights on the standardised inputs. */
  readonly coefficients: Float64Array;
  /** Per output: the intercept. */
  readonly intercept: Float64Array;
  /** identity: regression; logistic: binary; softmax: multiclass. */
  readonly link: LinearModelLink;
}

export type LinearModelLink = "identity" | "logistic" | "softmax";

const LINKS: readonly LinearModelLink[] = ["identity", "logistic", "softmax"];

/**
 * Checks a LinearModel's shape and values: array lengths agree with `featureNames` and
 * `numOutputs`, every number is finite, scales are positive, and the link fits the number of
 * outputs (softmax needs at least 2, the others exactly 1). Throws `MODELS_INVALID_PACKAGE`
 * naming the field, since a bad model comes from a bad file or importer.
 *
 * @example
 * validateLinearModel(linearModelFromJson(json));
 */
export function validateLinearModel(model: LinearModel): void {
  const p = model.featureNames.length;
  const K = model.numOutputs;
  if (!Number.isInteger(K) || K < 1) invalid("numOutputs", `must be a positive integer, got ${K}`);
  if (!LINKS.includes(model.link)) invalid("link", `must be one of ${LINKS.join(", ")}`);
  if ((model.link === "softmax") !== K > 1) {
    invalid("link", `'${model.link}' does not fit ${K} output(s)`);
  }
  if (new Set(model.featureNames).size !== p) invalid("featureNames", "has a duplicate name");
  checkArray(model.imputeValue, "imputeValue", p);
  checkArray(model.mean, "mean", p);
  checkArray(model.scale, "scale", p);
  checkArray(model.coefficients, "coefficients", K * p);
  checkArray(model.intercept, "intercept", K);
  model.scale.forEach((s, j) => {
    if (!(s > 0)) invalid(`scale[${j}]`, `must be positive, got ${s}`);
  });
}

function checkArray(array: Float64Array, field: string, length: number): void {
  if (!(array instanceof Float64Array)) invalid(field, "must be a Float64Array");
  if (array.length !== length) invalid(field, `must hold ${length} values, got ${array.length}`);
  array.forEach((v, i) => {
    if (!Number.isFinite(v)) invalid(`${field}[${i}]`, `must be finite, got ${v}`);
  });
}

function invalid(field: string, problem: string): never {
  throw new PlinthError("MODELS_INVALID_PACKAGE", `Linear model field '${field}' ${problem}`, {
    field,
  });
}
