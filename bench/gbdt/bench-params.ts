import type { GbdtParams } from "../../src/training/gbdt/gbdt-params.ts";

/** The hyperparameters both libraries train with, in one place so they cannot drift apart. */
export interface BenchParams {
  readonly rounds: number;
  readonly maxDepth: number;
  readonly learningRate: number;
  readonly maxBin: number;
  readonly lambda: number;
  readonly alpha: number;
  readonly minChildWeight: number;
  readonly subsample: number;
  readonly colsample: number;
  readonly seed: number;
}

export const DEFAULT_BENCH_PARAMS: BenchParams = Object.freeze({
  rounds: 200,
  maxDepth: 8,
  learningRate: 0.1,
  maxBin: 255,
  lambda: 1,
  alpha: 0,
  minChildWeight: 1,
  subsample: 1,
  colsample: 1,
  seed: 0,
});

/** plinth's GBDT parameters: depth-wise growth with no leaf cap, as XGBoost's `hist` does. */
export function toPlinthParams(p: BenchParams, numThreads: number): GbdtParams {
  return {
    objective: "binary",
    growPolicy: "depthwise",
    numRounds: p.rounds,
    maxDepth: p.maxDepth,
    numLeaves: 0,
    learningRate: p.learningRate,
    maxBin: p.maxBin,
    lambda: p.lambda,
    alpha: p.alpha,
    minChildWeight: p.minChildWeight,
    subsample: p.subsample,
    colsample: p.colsample,
    seed: p.seed,
    numThreads,
  };
}

/** XGBoost's names for the same settings (rounds and threads are passed separately). */
export function toXgboostParams(p: BenchParams): Record<string, string | number> {
  return {
    objective: "binary:logistic",
    tree_method: "hist",
    max_depth: p.maxDepth,
    eta: p.learningRate,
    max_bin: p.maxBin,
    lambda: p.lambda,
    alpha: p.alpha,
    min_child_weight: p.minChildWeight,
    subsample: p.subsample,
    colsample_bytree: p.colsample,
    seed: p.seed,
  };
}
