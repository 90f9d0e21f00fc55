import { PlinthError } from "../../core/errors.ts";
import type { TrainingDataset } from "../dataset/training-dataset.ts";

/** The training features as the solver sees them, and the transform that produced them. */
export interface StandardisedDataset {
  readonly numRows: number;
  readonly numFeatures: number;
  /** Column-major `numFeatures × numRows`: column j at `j * numRows`, imputed and standardised. */
  readonly z: Float64Array;
  /** Row weights (1 when the dataset has none). */
  readonly weight: Float64Array;
  readonly totalWeight: number;
  readonly imputeValue: Float64Array;
  readonly mean: Float64Array;
  readonly scale: Float64Array;
}

/**
 * Checks the feature columns and weights, then imputes and standardises each column:
 * a missing value becomes the weighted mean of the column's observed values, and the
 * column is centred on its weighted mean and divided by its weighted (population) standard
 * deviation — `StandardScaler` with `sample_weight`. Zero-weight rows take no part in either.
 * A constant column keeps scale 1, so it is all zeros and its coefficient stays 0.
 *
 * Refused, naming the column: no rows, categorical columns (one-hot encode them upstream),
 * infinite values, mismatched lengths, a column with no observed value of positive weight,
 * and negative, non-finite or all-zero weights.
 *
 * @example
 * const { z, mean, scale } = standardiseDataset(train);
 */
export function standardiseDataset(data: TrainingDataset): StandardisedDataset {
  const n = data.numRows;
  if (!Number.isInteger(n) || n < 1) fail("train", "Training data has no rows");
  const p = data.features.length;
  if (p === 0) fail("train", "Training data has no feature columns");
  const weight = checkWeights(data, n);
  let totalWeight = 0;
  for (let i = 0; i < n; i++) totalWeight += weight[i] as number;
  const z = new Float64Array(p * n);
  const imputeValue = new Float64Array(p);
  const mean = new Float64Array(p);
  const scale = new Float64Array(p);
  const names = new Set<string>();
  data.features.forEach((column, j) => {
    if (names.has(column.name)) fail(column.name, `Feature '${column.name}' appears twice`);
    names.add(column.name);
    if (column.kind !== "numeric") {
      fail(
        column.name,
        `Feature '${column.name}' is categorical; linear models take numeric features only (one-hot encode it first)`,
      );
    }
    const values = column.values;
    if (values.length !== n) {
      fail(column.name, `Column '${column.name}' has ${values.length} values; expected ${n}`);
    }
    let sum = 0;
    let observedWeight = 0;
    for (let i = 0; i < n; i++) {
      const x = values[i] as number;
      if (x === Number.POSITIVE_INFINITY || x === Number.NEGATIVE_INFINITY) {
        fail(column.name, `Column '${column.name}' row ${i} is ${x}; use NaN for a missing value`);
      }
      if (Number.isNaN(x)) continue;
      const w = weight[i] as number;
      sum += w * x;
      observedWeight += w;
    }
    if (observedWeight <= 0) {
      fail(
        column.name,
        `Feature '${column.name}' has no observed value (with positive weight) to impute missing values from`,
      );
    }
    const mu = sum / observedWeight;
    // Imputed values sit at the mean, so the mean after imputation is the same `mu`.
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const x = values[i] as number;
      if (!Number.isNaN(x)) squares += (weight[i] as number) * (x - mu) * (x - mu);
    }
    const sd = Math.sqrt(squares / totalWeight);
    // Below this the column is constant up to rounding; dividing would only amplify noise.
    const constant = !(sd > 1e-12 * Math.max(1, Math.abs(mu)));
    const s = constant ? 1 : sd;
    imputeValue[j] = mu;
    mean[j] = mu;
    scale[j] = s;
    const base = j * n;
    for (let i = 0; i < n; i++) {
      const x = values[i] as number;
      z[base + i] = constant || Number.isNaN(x) ? 0 : (x - mu) / s;
    }
  });
  return { numRows: n, numFeatures: p, z, weight, totalWeight, imputeValue, mean, scale };
}

function checkWeights(data: TrainingDataset, n: number): Float64Array {
  if (data.label.length !== n) {
    fail("label", `Column 'label' has ${data.label.length} values; expected ${n}`);
  }
  if (data.weight === undefined) return new Float64Array(n).fill(1);
  if (data.weight.length !== n) {
    fail("weight", `Column 'weight' has ${data.weight.length} values; expected ${n}`);
  }
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = data.weight[i] as number;
    if (!Number.isFinite(w) || w < 0) {
      fail("weight", `Weight at row ${i} is ${w}; expected a finite number >= 0`);
    }
    total += w;
  }
  if (total <= 0) fail("weight", "All weights are 0");
  return data.weight;
}

function fail(field: string, message: string): never {
  throw new PlinthError("TRAINING_INVALID_DATA", message, { field });
}
