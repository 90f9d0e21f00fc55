import { availableParallelism } from "node:os";
import { PlinthError } from "../../core/errors.ts";

/** Loss functions the trainer optimises. */
export const GBDT_OBJECTIVES = [
  "binary",
  "multiclass",
  "regression",
  "regression_l1",
  "huber",
  "poisson",
  "lambdarank",
] as const;
export type GbdtObjectiveName = (typeof GBDT_OBJECTIVES)[number];

/** Hyperparameters; every field is optional and validated by `resolveGbdtParams`. */
export interface GbdtParams {
  objective?: GbdtObjectiveName;
  /** Classes for `multiclass` (labels 0..numClass-1). */
  numClass?: number;
  numRounds?: number;
  learningRate?: number;
  /** `depthwise` splits level by level (XGBoost's default); `leafwise` splits the best leaf first (LightGBM's). */
  growPolicy?: "depthwise" | "leafwise";
  /** Maximum depth; 0 means unlimited (only with `leafwise`). */
  maxDepth?: number;
  /** Maximum leaves per tree; 0 means unlimited (only with `depthwise`). */
  numLeaves?: number;
  maxBin?: number;
  /** L2 regularisation on leaf values. */
  lambda?: number;
  /** L1 regularisation on leaf values. */
  alpha?: number;
  /** Minimum hessian sum in a child. */
  minChildWeight?: number;
  /** Minimum rows in a child. */
  minDataInLeaf?: number;
  /** Minimum loss reduction to keep a split (XGBoost's gamma). */
  minSplitGain?: number;
  /** Fraction of rows sampled for each tree. */
  subsample?: number;
  /** Fraction of features sampled for each tree. */
  colsample?: number;
  /** Weight multiplier for positive rows (binary). */
  scalePosWeight?: number;
  /** Transition point of the Huber loss. */
  huberDelta?: number;
  /** Cap on a leaf's absolute raw value before the learning rate (0 = none; Poisson defaults to 0.7 like XGBoost). */
  maxDeltaStep?: number;
  /** Smoothing added to the hessian when ordering categories for a categorical split. */
  catSmooth?: number;
  /** Extra L2 regularisation in the gain of categorical splits (LightGBM's cat_l2). */
  catL2?: number;
  /** Categories with fewer rows in a node are not placed on the left by themselves (LightGBM's min_data_per_group). */
  minDataPerGroup?: number;
  /** Most categories a categorical split may send left (LightGBM's max_cat_threshold). */
  maxCatThreshold?: number;
  /** Stop when the validation metric has not improved for this many rounds (0 = never). */
  earlyStoppingRounds?: number;
  /** Validation metric name (see the metric registry); defaults per objective. */
  evalMetric?: string;
  seed?: number;
  /** Worker threads used to build histograms (default: all cores). */
  numThreads?: number;
}

export type ResolvedGbdtParams = Readonly<Required<GbdtParams>>;

const DEFAULT_METRIC: Record<GbdtObjectiveName, string> = {
  binary: "logloss",
  multiclass: "mlogloss",
  regression: "rmse",
  regression_l1: "mae",
  huber: "rmse",
  poisson: "rmse",
  lambdarank: "ndcg@10",
};

/** Fills defaults and checks every value, naming the parameter at fault. */
export function resolveGbdtParams(params: GbdtParams): ResolvedGbdtParams {
  if (params === null || typeof params !== "object") {
    throw paramError("params", "must be an object");
  }
  for (const key of Object.keys(params)) {
    if (!KNOWN_KEYS.has(key)) {
      throw paramError(key, `is not a GBDT parameter (known: ${[...KNOWN_KEYS].join(", ")})`);
    }
  }
  const objective = params.objective ?? "binary";
  if (!GBDT_OBJECTIVES.includes(objective)) {
    throw paramError("objective", `must be one of ${GBDT_OBJECTIVES.join(", ")}`);
  }
  const growPolicy = params.growPolicy ?? "depthwise";
  if (growPolicy !== "depthwise" && growPolicy !== "leafwise") {
    throw paramError("growPolicy", "must be 'depthwise' or 'leafwise'");
  }
  const resolved: ResolvedGbdtParams = Object.freeze({
    objective,
    growPolicy,
    numClass: integer(params, "numClass", objective === "multiclass" ? 0 : 1, 1, 10_000),
    numRounds: integer(params, "numRounds", 100, 1, 1_000_000),
    learningRate: real(params, "learningRate", 0.1, 0, 1, { openLow: true }),
    maxDepth: integer(params, "maxDepth", growPolicy === "depthwise" ? 6 : 0, 0, 64),
    numLeaves: integer(params, "numLeaves", growPolicy === "leafwise" ? 31 : 0, 0, 131_072),
    maxBin: integer(params, "maxBin", 255, 2, 65_535),
    lambda: real(params, "lambda", 1, 0, Number.MAX_VALUE),
    alpha: real(params, "alpha", 0, 0, Number.MAX_VALUE),
    minChildWeight: real(params, "minChildWeight", 1, 0, Number.MAX_VALUE),
    minDataInLeaf: integer(params, "minDataInLeaf", 1, 1, 2 ** 31 - 1),
    minSplitGain: real(params, "minSplitGain", 0, 0, Number.MAX_VALUE),
    subsample: real(params, "subsample", 1, 0, 1, { openLow: true }),
    colsample: real(params, "colsample", 1, 0, 1, { openLow: true }),
    scalePosWeight: real(params, "scalePosWeight", 1, 0, Number.MAX_VALUE, { openLow: true }),
    huberDelta: real(params, "huberDelta", 1, 0, Number.MAX_VALUE, { openLow: true }),
    maxDeltaStep: real(params, "maxDeltaStep", objective === "poisson" ? 0.7 : 0, 0, 1e6),
    catSmooth: real(params, "catSmooth", 10, 0, Number.MAX_VALUE),
    catL2: real(params, "catL2", 10, 0, Number.MAX_VALUE),
    minDataPerGroup: integer(params, "minDataPerGroup", 100, 1, 2 ** 31 - 1),
    maxCatThreshold: integer(params, "maxCatThreshold", 32, 1, 65_535),
    earlyStoppingRounds: integer(params, "earlyStoppingRounds", 0, 0, 1_000_000),
    evalMetric: params.evalMetric ?? DEFAULT_METRIC[objective],
    seed: integer(params, "seed", 0, 0, 2 ** 32 - 1),
    numThreads: integer(params, "numThreads", availableParallelism(), 1, 256),
  });
  if (objective === "multiclass" && resolved.numClass < 2) {
    throw paramError("numClass", "must be at least 2 for the multiclass objective");
  }
  if (resolved.maxDepth === 0 && resolved.numLeaves === 0) {
    throw paramError("maxDepth", "and numLeaves cannot both be 0 (unlimited)");
  }
  if (typeof resolved.evalMetric !== "string" || resolved.evalMetric === "") {
    throw paramError("evalMetric", "must be a metric name");
  }
  return resolved;
}

const KNOWN_KEYS = new Set<string>([
  "objective",
  "numClass",
  "numRounds",
  "learningRate",
  "growPolicy",
  "maxDepth",
  "numLeaves",
  "maxBin",
  "lambda",
  "alpha",
  "minChildWeight",
  "minDataInLeaf",
  "minSplitGain",
  "subsample",
  "colsample",
  "scalePosWeight",
  "huberDelta",
  "maxDeltaStep",
  "catSmooth",
  "catL2",
  "minDataPerGroup",
  "maxCatThreshold",
  "earlyStoppingRounds",
  "evalMetric",
  "seed",
  "numThreads",
]);

function integer(
  params: GbdtParams,
  key: keyof GbdtParams,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = params[key] ?? fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw paramError(key, `must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

function real(
  params: GbdtParams,
  key: keyof GbdtParams,
  fallback: number,
  min: number,
  max: number,
  { openLow = false } = {},
): number {
  const value = params[key] ?? fallback;
  const tooLow = typeof value === "number" && (openLow ? value <= min : value < min);
  if (typeof value !== "number" || !Number.isFinite(value) || tooLow || value > max) {
    const range = `${openLow ? "(" : "["}${min}, ${max}]`;
    throw paramError(key, `must be a finite number in ${range}, got ${String(value)}`);
  }
  return value;
}

function paramError(field: string, problem: string): PlinthError {
  return new PlinthError("TRAINING_INVALID_PARAMETER", `GBDT parameter '${field}' ${problem}`, {
    field,
  });
}
