import { PlinthError } from "../../core/errors.ts";
import { createSeededRandom, type SeededRandom } from "../../core/seeded-random.ts";
import type { TreeEnsemble } from "../../models/tree-ensemble.ts";
import type { TrainingDataset } from "../dataset/training-dataset.ts";
import { EnsembleBuilder } from "./ensemble-builder.ts";
import { applyLink, createEvalMetric } from "./eval-metric.ts";
import { binDataset } from "./feature-binning.ts";
import { type GbdtParams, type ResolvedGbdtParams, resolveGbdtParams } from "./gbdt-params.ts";
import { createNodeProcessor } from "./node-processor.ts";
import { createObjective } from "./objectives.ts";
import { growTree } from "./tree-grower.ts";
import { validateTrainingDataset } from "./validate-dataset.ts";

/** One boosting round's report. */
export interface GbdtIteration {
  /** 1-based round number. */
  readonly iteration: number;
  /** Validation metrics of the model so far (empty without a validation set). */
  readonly metrics: Readonly<Record<string, number>>;
}

export interface TrainGbdtOptions {
  /** Scored after each round; required for early stopping. */
  readonly validation?: TrainingDataset;
  readonly onIteration?: (info: GbdtIteration) => void;
}

/** A trained model: the ensemble plus how it was made. */
export interface GbdtModel {
  readonly ensemble: TreeEnsemble;
  readonly params: ResolvedGbdtParams;
  /** Rounds kept (the best round under early stopping). */
  readonly bestIteration: number;
  /** Validation metric per round, when a validation set was given. */
  readonly history: readonly number[];
}

/**
 * Trains gradient-boosted trees with histogram split finding (XGBoost `hist` / LightGBM
 * style): features are binned once, each node's histogram is built from its rows or
 * subtracted from its parent's, and trees grow depth-wise or leaf-wise.
 *
 * @example
 * const model = await trainGbdt(train, { objective: "binary", numRounds: 200, maxDepth: 8 });
 * const probabilities = predict(model.ensemble, rows, numRows);
 */
export async function trainGbdt(
  train: TrainingDataset,
  params: GbdtParams,
  options: TrainGbdtOptions = {},
): Promise<GbdtModel> {
  const p = resolveGbdtParams(params);
  const objective = createObjective(p);
  validateTrainingDataset(train, "train");
  objective.validateLabels(train.label, train.group);
  const validation = options.validation;
  if (validation !== undefined) {
    validateTrainingDataset(validation, "validation", train);
    objective.validateLabels(validation.label, validation.group);
  }
  if (p.earlyStoppingRounds > 0 && validation === undefined) {
    throw new PlinthError(
      "TRAINING_INVALID_PARAMETER",
      "GBDT parameter 'earlyStoppingRounds' needs a validation set (options.validation)",
      { field: "earlyStoppingRounds" },
    );
  }
  const metric = createEvalMetric(p.evalMetric, objective);

  const n = train.numRows;
  const K = objective.numOutputs;
  const binned = binDataset(train, p.maxBin, p.seed);
  const weight = train.weight ?? new Float64Array(n).fill(1);
  const baseScore = objective.initScore(train.label, weight);
  const raw = new Float64Array(n * K);
  for (let i = 0; i < n; i++) raw.set(baseScore, i * K);
  const validRaw = validation === undefined ? null : new Float64Array(validation.numRows * K);
  if (validRaw !== null && validation !== undefined) {
    for (let i = 0; i < validation.numRows; i++) validRaw.set(baseScore, i * K);
  }
  const grad = Array.from({ length: K }, () => new Float64Array(n));
  const hess = Array.from({ length: K }, () => new Float64Array(n));
  const builder = new EnsembleBuilder(binned);
  const rng = createSeededRandom(p.seed);
  const processor = await createNodeProcessor(binned, p, p.numThreads);
  const history: number[] = [];
  let bestIteration = 0;
  let bestScore = Number.NaN;
  try {
    for (let round = 1; round <= p.numRounds; round++) {
      objective.gradients(train.label, weight, raw, grad, hess, train.group);
      const sampled = sampleRows(n, p.subsample, rng);
      const allowedFeatures = sampleFeatures(binned.numFeatures, p.colsample, rng);
      for (let k = 0; k < K; k++) {
        const rowIndex = processor.shareRows(sampled);
        processor.setGradients(grad[k] as Float64Array, hess[k] as Float64Array);
        processor.setAllowedFeatures(allowedFeatures);
        const tree = growTree({
          binned,
          rowIndex,
          constraints: p,
          growPolicy: p.growPolicy,
          maxDepth: p.maxDepth,
          maxLeaves: p.numLeaves,
          learningRate: p.learningRate,
          maxDeltaStep: p.maxDeltaStep,
          processor,
        });
        builder.add(tree, k);
        if (rowIndex.length === n) {
          // Every row sits in exactly one leaf's range: add leaf values without walking the tree.
          for (let node = 0; node < tree.feature.length; node++) {
            if ((tree.feature[node] as number) >= 0) continue;
            const value = tree.value[node] as number;
            for (let i = tree.rowBegin[node] as number; i < (tree.rowEnd[node] as number); i++) {
              const at = (rowIndex[i] as number) * K + k;
              raw[at] = (raw[at] as number) + value;
            }
          }
        } else {
          builder.addTreeToScores(builder.numTrees - 1, train.features, n, raw, K);
        }
        if (validation !== undefined && validRaw !== null) {
          builder.addTreeToScores(
            builder.numTrees - 1,
            validation.features,
            validation.numRows,
            validRaw,
            K,
          );
        }
      }
      const metrics: Record<string, number> = {};
      if (validation !== undefined && validRaw !== null) {
        const score = metric.compute(validation, applyLink(validRaw, objective));
        metrics[metric.name] = score;
        history.push(score);
        if (Number.isNaN(bestScore) || metric.isBetter(score, bestScore)) {
          bestScore = score;
          bestIteration = round;
        }
      } else {
        bestIteration = round;
      }
      options.onIteration?.({ iteration: round, metrics });
      if (p.earlyStoppingRounds > 0 && round - bestIteration >= p.earlyStoppingRounds) break;
    }
  } finally {
    await processor.close();
  }
  // Without early stopping every round is kept, as in XGBoost; bestIteration is only reported.
  if (p.earlyStoppingRounds > 0) builder.truncate(bestIteration * K);
  const ensemble = builder.build({
    featureNames: train.features.map((c) => c.name),
    categoricalFeatures: train.features.map((c) => c.kind === "categorical"),
    numOutputs: K,
    baseScore,
    link: objective.link,
  });
  return { ensemble, params: p, bestIteration, history };
}

function sampleRows(n: number, fraction: number, rng: SeededRandom): Int32Array {
  if (fraction >= 1) {
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    return all;
  }
  const picked: number[] = [];
  for (let i = 0; i < n; i++) if (rng.next() < fraction) picked.push(i);
  if (picked.length === 0) picked.push(rng.nextInt(n));
  return Int32Array.from(picked);
}

function sampleFeatures(numFeatures: number, fraction: number, rng: SeededRandom): Uint8Array {
  const allowed = new Uint8Array(numFeatures);
  if (fraction >= 1) return allowed.fill(1);
  // Exactly max(1, round(fraction × F)) features, drawn by a partial Fisher–Yates shuffle.
  const order = Array.from({ length: numFeatures }, (_, i) => i);
  const take = Math.max(1, Math.round(fraction * numFeatures));
  for (let i = 0; i < take; i++) {
    const j = i + rng.nextInt(numFeatures - i);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
    allowed[order[i] as number] = 1;
  }
  return allowed;
}
