import type { LinearModel } from "../../models/linear-model.ts";
import type { TrainingDataset } from "../dataset/training-dataset.ts";
import { createLinearLoss } from "./linear-losses.ts";
import {
  type LinearParams,
  type ResolvedLinearParams,
  resolveLinearParams,
} from "./linear-params.ts";
import { solvePenalisedGlm } from "./solve-penalised-glm.ts";
import { standardiseDataset } from "./standardise-dataset.ts";

/** A trained linear model and how the fit went. */
export interface LinearTrainingResult {
  readonly model: LinearModel;
  readonly params: ResolvedLinearParams;
  /** The minimised objective (mean loss plus penalty) at the returned coefficients. */
  readonly objective: number;
  /** Newton passes made. */
  readonly iterations: number;
  /** False when `maxIterations` ran out before the tolerance was met. */
  readonly converged: boolean;
}

/** One solver pass's report. */
export interface LinearIteration {
  /** 1-based Newton pass number. */
  readonly iteration: number;
  /** Training objective (mean loss plus penalty) after the pass. */
  readonly objective: number;
}

export interface TrainLinearOptions {
  readonly onIteration?: (info: LinearIteration) => void;
}

/**
 * Fits a penalised linear model on standardised inputs. With `W = Σ w_i` (row weights, 1
 * by default), `z` the standardised features and `ŷ = b + zᵀβ`, it minimises
 *
 * - regression: `1/(2W)·Σ w_i (y_i − ŷ_i)² + P(β)` — scikit-learn's `ElasticNet` objective;
 * - binary:     `1/W·Σ w_i [log(1 + e^ŷ_i) − y_i·ŷ_i] + P(β)` (mean log loss);
 * - multiclass: `1/W·Σ w_i [log Σ_k e^ŷ_ik − ŷ_i,y_i] + Σ_k P(β_k)` (K-class softmax),
 *
 * where `P(β) = alpha·(l1Ratio·‖β‖₁ + (1 − l1Ratio)/2·‖β‖²)` and intercepts are never
 * penalised. scikit-learn's `LogisticRegression(C, l1_ratio)` is the same problem with
 * `C = 1/(alpha·W)`; `Ridge(alpha_r)` is `l1Ratio = 0` with `alpha = alpha_r/W`.
 *
 * Missing values (NaN) are imputed with the column's weighted training mean, and every
 * column is then centred and scaled by its weighted training mean and standard deviation;
 * the model stores both steps so callers score raw values. Coefficients live on the
 * standardised scale, so the penalty treats every feature alike whatever its units.
 * Categorical features are refused (TRAINING_INVALID_DATA naming the column): one-hot
 * encode them first. The solver is deterministic (see `solvePenalisedGlm`).
 *
 * @example
 * const { model } = trainLinear(train, { objective: "binary", alpha: 0.01, l1Ratio: 0.5 });
 * const probabilities = predictLinear(model, rows, numRows);
 */
export function trainLinear(
  train: TrainingDataset,
  params: LinearParams,
  options: TrainLinearOptions = {},
): LinearTrainingResult {
  const p = resolveLinearParams(params);
  const data = standardiseDataset(train);
  const loss = createLinearLoss(p, train.label, data.weight, data.totalWeight);
  const onIteration = options.onIteration;
  const solution = solvePenalisedGlm(data, loss, {
    ...p,
    ...(onIteration === undefined
      ? {}
      : {
          onPass: (iteration: number, objective: number) => onIteration({ iteration, objective }),
        }),
  });
  const model: LinearModel = {
    featureNames: train.features.map((c) => c.name),
    numOutputs: loss.numOutputs,
    imputeValue: data.imputeValue,
    mean: data.mean,
    scale: data.scale,
    coefficients: solution.coefficients,
    intercept: solution.intercept,
    link: loss.link,
  };
  return {
    model,
    params: p,
    objective: solution.objective,
    iterations: solution.iterations,
    converged: solution.converged,
  };
}
