import { PlinthError } from "../../core/errors.ts";
import type { TreeEnsembleLink } from "../../models/tree-ensemble.ts";
import type { GbdtObjectiveName, ResolvedGbdtParams } from "./gbdt-params.ts";
import { lambdaRankGradients } from "./lambdarank.ts";

/** A differentiable loss: its first and second derivatives drive every tree. */
export interface Objective {
  readonly name: GbdtObjectiveName;
  /** Raw scores per row: K for multiclass, else 1. */
  readonly numOutputs: number;
  readonly link: TreeEnsembleLink;
  /** Throws TRAINING_INVALID_DATA when a label cannot be used with this loss. */
  validateLabels(label: Float64Array, group: Int32Array | undefined): void;
  /** The starting raw score per output (the best constant). */
  initScore(label: Float64Array, weight: Float64Array): Float64Array;
  /**
   * Writes gradient and hessian of every row for every output; `raw` is row-major
   * numRows × numOutputs, `grad[k]` and `hess[k]` are per output.
   */
  gradients(
    label: Float64Array,
    weight: Float64Array,
    raw: Float64Array,
    grad: Float64Array[],
    hess: Float64Array[],
    group: Int32Array | undefined,
  ): void;
}

/** Hessians are floored so a confident row never gives a zero denominator. */
const MIN_HESSIAN = 1e-16;

export function createObjective(params: ResolvedGbdtParams): Objective {
  switch (params.objective) {
    case "binary":
      return binaryLogLoss(params.scalePosWeight);
    case "multiclass":
      return softmax(params.numClass);
    case "regression":
      return squaredError();
    case "regression_l1":
      return absoluteError();
    case "huber":
      return pseudoHuber(params.huberDelta);
    case "poisson":
      return poisson(params.maxDeltaStep);
    case "lambdarank":
      return lambdaRank();
  }
}

function binaryLogLoss(scalePosWeight: number): Objective {
  return {
    name: "binary",
    numOutputs: 1,
    link: "logistic",
    validateLabels: (label) => requireLabels(label, (y) => y === 0 || y === 1, "0 or 1"),
    initScore(label, weight) {
      let pos = 0;
      let total = 0;
      for (let i = 0; i < label.length; i++) {
        const w = (weight[i] as number) * (label[i] === 1 ? scalePosWeight : 1);
        pos += (label[i] as number) * w;
        total += w;
      }
      // Boost from the average (LightGBM's default): the log-odds of the weighted base rate.
      const p = Math.min(Math.max(pos / total, 1e-7), 1 - 1e-7);
      return Float64Array.of(Math.log(p / (1 - p)));
    },
    gradients(label, weight, raw, [grad], [hess]) {
      const g = grad as Float64Array;
      const h = hess as Float64Array;
      for (let i = 0; i < label.length; i++) {
        const y = label[i] as number;
        const w = (weight[i] as number) * (y === 1 ? scalePosWeight : 1);
        const p = 1 / (1 + Math.exp(-(raw[i] as number)));
        g[i] = (p - y) * w;
        h[i] = Math.max(p * (1 - p), MIN_HESSIAN) * w;
      }
    },
  };
}

function softmax(numClass: number): Objective {
  return {
    name: "multiclass",
    numOutputs: numClass,
    link: "softmax",
    validateLabels: (label) =>
      requireLabels(
        label,
        (y) => Number.isInteger(y) && y >= 0 && y < numClass,
        `an integer class in [0, ${numClass - 1}]`,
      ),
    initScore(label, weight) {
      // Log class priors, centred: the softmax of this is the weighted class frequency.
      const counts = new Float64Array(numClass).fill(1e-7);
      for (let i = 0; i < label.length; i++) {
        const k = label[i] as number;
        counts[k] = (counts[k] as number) + (weight[i] as number);
      }
      const logs = counts.map(Math.log);
      const mean = logs.reduce((a, b) => a + b, 0) / numClass;
      return logs.map((v) => v - mean);
    },
    gradients(label, weight, raw, grad, hess) {
      const p = new Float64Array(numClass);
      for (let i = 0; i < label.length; i++) {
        const base = i * numClass;
        let max = Number.NEGATIVE_INFINITY;
        for (let k = 0; k < numClass; k++) max = Math.max(max, raw[base + k] as number);
        let sum = 0;
        for (let k = 0; k < numClass; k++) {
          p[k] = Math.exp((raw[base + k] as number) - max);
          sum += p[k] as number;
        }
        const w = weight[i] as number;
        const y = label[i] as number;
        for (let k = 0; k < numClass; k++) {
          const pk = (p[k] as number) / sum;
          (grad[k] as Float64Array)[i] = (pk - (y === k ? 1 : 0)) * w;
          // XGBoost's softmax hessian: 2p(1−p), a safe upper bound of the true diagonal.
          (hess[k] as Float64Array)[i] = Math.max(2 * pk * (1 - pk), MIN_HESSIAN) * w;
        }
      }
    },
  };
}

function squaredError(): Objective {
  return {
    name: "regression",
    numOutputs: 1,
    link: "identity",
    validateLabels: (label) => requireLabels(label, () => true, "a finite number"),
    initScore: (label, weight) => Float64Array.of(weightedMean(label, weight)),
    gradients(label, weight, raw, [grad], [hess]) {
      const g = grad as Float64Array;
      const h = hess as Float64Array;
      for (let i = 0; i < label.length; i++) {
        const w = weight[i] as number;
        g[i] = ((raw[i] as number) - (label[i] as number)) * w;
        h[i] = w;
      }
    },
  };
}

function absoluteError(): Objective {
  return {
    name: "regression_l1",
    numOutputs: 1,
    link: "identity",
    validateLabels: (label) => requireLabels(label, () => true, "a finite number"),
    initScore: (label, weight) => Float64Array.of(weightedMedian(label, weight)),
    gradients(label, weight, raw, [grad], [hess]) {
      const g = grad as Float64Array;
      const h = hess as Float64Array;
      for (let i = 0; i < label.length; i++) {
        const w = weight[i] as number;
        g[i] = Math.sign((raw[i] as number) - (label[i] as number)) * w;
        h[i] = w;
      }
    },
  };
}

/** XGBoost's reg:pseudohubererror: Huber-like, but with a smooth, non-zero hessian. */
function pseudoHuber(delta: number): Objective {
  return {
    name: "huber",
    numOutputs: 1,
    link: "identity",
    validateLabels: (label) => requireLabels(label, () => true, "a finite number"),
    initScore: (label, weight) => Float64Array.of(weightedMedian(label, weight)),
    gradients(label, weight, raw, [grad], [hess]) {
      const g = grad as Float64Array;
      const h = hess as Float64Array;
      for (let i = 0; i < label.length; i++) {
        const w = weight[i] as number;
        const r = (raw[i] as number) - (label[i] as number);
        const scale = 1 + (r / delta) ** 2;
        g[i] = (r / Math.sqrt(scale)) * w;
        h[i] = Math.max(1 / (scale * Math.sqrt(scale)), MIN_HESSIAN) * w;
      }
    },
  };
}

/** Poisson deviance with a log link; the hessian is inflated by exp(maxDeltaStep) as in XGBoost. */
function poisson(maxDeltaStep: number): Objective {
  return {
    name: "poisson",
    numOutputs: 1,
    link: "exp",
    validateLabels: (label) => requireLabels(label, (y) => y >= 0, "a non-negative count"),
    initScore: (label, weight) =>
      Float64Array.of(Math.log(Math.max(weightedMean(label, weight), 1e-7))),
    gradients(label, weight, raw, [grad], [hess]) {
      const g = grad as Float64Array;
      const h = hess as Float64Array;
      for (let i = 0; i < label.length; i++) {
        const w = weight[i] as number;
        const mu = Math.exp(raw[i] as number);
        g[i] = (mu - (label[i] as number)) * w;
        h[i] = Math.exp((raw[i] as number) + maxDeltaStep) * w;
      }
    },
  };
}

function lambdaRank(): Objective {
  return {
    name: "lambdarank",
    numOutputs: 1,
    link: "identity",
    validateLabels(label, group) {
      requireLabels(
        label,
        (y) => Number.isInteger(y) && y >= 0 && y <= 31,
        "an integer grade in [0, 31]",
      );
      if (group === undefined) {
        throw new PlinthError(
          "TRAINING_INVALID_DATA",
          "The lambdarank objective needs a query 'group' column",
          {
            field: "group",
          },
        );
      }
    },
    initScore: () => Float64Array.of(0),
    gradients(label, weight, raw, [grad], [hess], group) {
      lambdaRankGradients(
        label,
        weight,
        raw,
        grad as Float64Array,
        hess as Float64Array,
        group as Int32Array,
      );
    },
  };
}

function requireLabels(label: Float64Array, ok: (y: number) => boolean, expected: string): void {
  for (let i = 0; i < label.length; i++) {
    const y = label[i] as number;
    if (!Number.isFinite(y) || !ok(y)) {
      throw new PlinthError(
        "TRAINING_INVALID_DATA",
        `Label at row ${i} is ${y}; expected ${expected}`,
        {
          field: "label",
        },
      );
    }
  }
}

function weightedMean(values: Float64Array, weight: Float64Array): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    sum += (values[i] as number) * (weight[i] as number);
    total += weight[i] as number;
  }
  return total > 0 ? sum / total : 0;
}

function weightedMedian(values: Float64Array, weight: Float64Array): number {
  const order = Array.from(values.keys()).sort(
    (a, b) => (values[a] as number) - (values[b] as number),
  );
  let total = 0;
  for (let i = 0; i < weight.length; i++) total += weight[i] as number;
  let acc = 0;
  for (const i of order) {
    acc += weight[i] as number;
    if (acc >= total / 2) return values[i] as number;
  }
  return 0;
}
