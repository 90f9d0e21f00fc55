import { PlinthError } from "../../core/errors.ts";
import type { TrainingDataset } from "../dataset/training-dataset.ts";
import { resolveMetric } from "../metrics/metric-registry.ts";
import type { Objective } from "./objectives.ts";

/** A validation metric as the boosting loop uses it. */
export interface EvalMetric {
  readonly name: string;
  /** True when `a` is strictly better than `b`. */
  isBetter(a: number, b: number): boolean;
  /** Scores predictions (after the link; row-major n × K) against the dataset's labels. */
  compute(data: TrainingDataset, prediction: Float64Array): number;
}

/**
 * A metric from the registry, checked against the objective: a probability metric on a
 * regression model or a ranking metric without query groups is refused before training.
 */
export function createEvalMetric(name: string, objective: Objective): EvalMetric {
  let metric: ReturnType<typeof resolveMetric>;
  try {
    metric = resolveMetric(name);
  } catch (cause) {
    throw new PlinthError(
      "TRAINING_INVALID_PARAMETER",
      `GBDT parameter 'evalMetric': ${(cause as Error).message}`,
      {
        field: "evalMetric",
        cause,
      },
    );
  }
  return {
    name: metric.name,
    isBetter: (a, b) => (metric.higherIsBetter ? a > b : a < b),
    compute: (data, prediction) =>
      metric.compute({
        label: data.label,
        prediction,
        ...(data.weight === undefined || objective.name === "lambdarank"
          ? {}
          : { weight: data.weight }),
        ...(data.group === undefined ? {} : { group: data.group }),
      }),
  };
}

/** Raw scores to predictions with the objective's link. */
export function applyLink(raw: Float64Array, objective: Objective): Float64Array {
  const out = new Float64Array(raw.length);
  const K = objective.numOutputs;
  switch (objective.link) {
    case "identity":
      out.set(raw);
      return out;
    case "logistic":
      for (let i = 0; i < raw.length; i++) out[i] = 1 / (1 + Math.exp(-(raw[i] as number)));
      return out;
    case "exp":
      for (let i = 0; i < raw.length; i++) out[i] = Math.exp(raw[i] as number);
      return out;
    case "softmax":
      for (let r = 0; r < raw.length / K; r++) {
        let max = Number.NEGATIVE_INFINITY;
        for (let k = 0; k < K; k++) max = Math.max(max, raw[r * K + k] as number);
        let sum = 0;
        for (let k = 0; k < K; k++) {
          out[r * K + k] = Math.exp((raw[r * K + k] as number) - max);
          sum += out[r * K + k] as number;
        }
        for (let k = 0; k < K; k++) out[r * K + k] = (out[r * K + k] as number) / sum;
      }
      return out;
  }
}
