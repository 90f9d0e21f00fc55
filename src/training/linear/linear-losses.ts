import { PlinthError } from "../../core/errors.ts";
import type { LinearModelLink } from "../../models/linear-model.ts";
import type { ResolvedLinearParams } from "./linear-params.ts";

/**
 * A weighted mean loss over raw scores `eta` (`numRows × numOutputs`, row-major):
 * `(1/W) Σ_i w_i ℓ(y_i, eta_i)` with `W = Σ_i w_i`.
 */
export interface LinearLoss {
  readonly numOutputs: number;
  readonly link: LinearModelLink;
  /** The weighted mean loss. */
  value(eta: Float64Array): number;
  /** First and second derivatives of the mean loss with respect to `eta[i][k]`, per row. */
  derivatives(eta: Float64Array, k: number, grad: Float64Array, hess: Float64Array): void;
  /** Raw scores of the best constant model, a starting point for the solver. */
  initialIntercept(): Float64Array;
}

/**
 * The loss for `params.objective`, after checking every label: finite for regression,
 * exactly 0 or 1 for binary, an integer in 0..numClass-1 for multiclass. A classification
 * task needs every class present with positive weight, since otherwise the unpenalised
 * intercept runs to -∞ and no minimiser exists.
 *
 * @example
 * const loss = createLinearLoss(params, train.label, weight, totalWeight);
 */
export function createLinearLoss(
  params: ResolvedLinearParams,
  label: Float64Array,
  weight: Float64Array,
  totalWeight: number,
): LinearLoss {
  const n = label.length;
  const K = params.objective === "multiclass" ? params.numClass : 1;
  const classes = params.objective === "regression" ? 0 : params.objective === "binary" ? 2 : K;
  const classWeight = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    const y = label[i] as number;
    if (!Number.isFinite(y)) labelError(`Label at row ${i} is ${y}; labels must be finite`);
    if (classes > 0) {
      if (!Number.isInteger(y) || y < 0 || y >= classes) {
        labelError(
          `Label at row ${i} is ${y}; the ${params.objective} objective needs an integer in 0..${classes - 1}`,
        );
      }
      classWeight[y] = (classWeight[y] as number) + (weight[i] as number);
    }
  }
  classWeight.forEach((w, c) => {
    if (w <= 0) labelError(`Class ${c} has no rows with positive weight; every class must occur`);
  });
  const scaled = weight.map((w) => w / totalWeight);
  if (params.objective === "regression") return squaredLoss(label, scaled);
  if (params.objective === "binary") return logisticLoss(label, scaled, classWeight);
  return softmaxLoss(label, scaled, classWeight, K);
}

function squaredLoss(y: Float64Array, w: Float64Array): LinearLoss {
  const n = y.length;
  return {
    numOutputs: 1,
    link: "identity",
    value(eta) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const r = (y[i] as number) - (eta[i] as number);
        sum += (w[i] as number) * r * r;
      }
      return sum / 2;
    },
    derivatives(eta, _k, grad, hess) {
      for (let i = 0; i < n; i++) {
        grad[i] = (w[i] as number) * ((eta[i] as number) - (y[i] as number));
        hess[i] = w[i] as number;
      }
    },
    initialIntercept() {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += (w[i] as number) * (y[i] as number);
      return Float64Array.of(sum);
    },
  };
}

function logisticLoss(y: Float64Array, w: Float64Array, classWeight: Float64Array): LinearLoss {
  const n = y.length;
  return {
    numOutputs: 1,
    link: "logistic",
    value(eta) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const e = eta[i] as number;
        // log(1 + exp(e)) - y·e, written to neither overflow nor lose digits.
        const softplus = e > 0 ? e + Math.log1p(Math.exp(-e)) : Math.log1p(Math.exp(e));
        sum += (w[i] as number) * (softplus - (y[i] as number) * e);
      }
      return sum;
    },
    derivatives(eta, _k, grad, hess) {
      for (let i = 0; i < n; i++) {
        const p = 1 / (1 + Math.exp(-(eta[i] as number)));
        grad[i] = (w[i] as number) * (p - (y[i] as number));
        hess[i] = (w[i] as number) * p * (1 - p);
      }
    },
    initialIntercept() {
      return Float64Array.of(Math.log((classWeight[1] as number) / (classWeight[0] as number)));
    },
  };
}

function softmaxLoss(
  y: Float64Array,
  w: Float64Array,
  classWeight: Float64Array,
  K: number,
): LinearLoss {
  const n = y.length;
  return {
    numOutputs: K,
    link: "softmax",
    value(eta) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const at = i * K;
        sum += (w[i] as number) * (logSumExp(eta, at, K) - (eta[at + (y[i] as number)] as number));
      }
      return sum;
    },
    derivatives(eta, k, grad, hess) {
      for (let i = 0; i < n; i++) {
        const at = i * K;
        const p = Math.exp((eta[at + k] as number) - logSumExp(eta, at, K));
        const target = y[i] === k ? 1 : 0;
        grad[i] = (w[i] as number) * (p - target);
        hess[i] = (w[i] as number) * p * (1 - p);
      }
    },
    initialIntercept() {
      const out = new Float64Array(K);
      for (let k = 0; k < K; k++) out[k] = Math.log(classWeight[k] as number);
      return out;
    },
  };
}

function logSumExp(eta: Float64Array, at: number, K: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < K; k++) max = Math.max(max, eta[at + k] as number);
  let sum = 0;
  for (let k = 0; k < K; k++) sum += Math.exp((eta[at + k] as number) - max);
  return max + Math.log(sum);
}

function labelError(message: string): never {
  throw new PlinthError("TRAINING_INVALID_DATA", message, { field: "label" });
}
