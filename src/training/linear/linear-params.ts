import { PlinthError } from "../../core/errors.ts";

/** Tasks the linear trainer fits: squared loss, logistic loss, multinomial (softmax) loss. */
export const LINEAR_OBJECTIVES = ["regression", "binary", "multiclass"] as const;
export type LinearObjectiveName = (typeof LINEAR_OBJECTIVES)[number];

/**
 * Hyperparameters; every field is optional and validated by `resolveLinearParams`. The
 * penalty follows scikit-learn's ElasticNet and glmnet:
 * `alpha · (l1Ratio·‖β‖₁ + (1 − l1Ratio)/2·‖β‖²)` on the standardised coefficients.
 */
export interface LinearParams {
  objective?: LinearObjectiveName;
  /** Classes for `multiclass` (labels 0..numClass-1). */
  numClass?: number;
  /** Overall penalty strength α ≥ 0 (0 = unpenalised). */
  alpha?: number;
  /** Share of the penalty that is L1, in [0, 1]: 0 ridge, 1 lasso, between elastic net. */
  l1Ratio?: number;
  /** Stop when no coefficient (standardised scale) or intercept moves more than this in a pass. */
  tolerance?: number;
  /** Cap on Newton passes, and on coordinate-descent sweeps within each pass. */
  maxIterations?: number;
}

export type ResolvedLinearParams = Readonly<Required<LinearParams>>;

const KNOWN_KEYS = new Set<string>([
  "objective",
  "numClass",
  "alpha",
  "l1Ratio",
  "tolerance",
  "maxIterations",
]);

/**
 * Fills defaults and checks every value, naming the parameter at fault.
 *
 * @example
 * resolveLinearParams({ objective: "binary", alpha: 0.01, l1Ratio: 0.5 });
 */
export function resolveLinearParams(params: LinearParams): ResolvedLinearParams {
  if (params === null || typeof params !== "object" || Array.isArray(params)) {
    throw paramError("params", "must be an object");
  }
  for (const key of Object.keys(params)) {
    if (!KNOWN_KEYS.has(key)) {
      throw paramError(
        key,
        `is not a linear-model parameter (known: ${[...KNOWN_KEYS].join(", ")})`,
      );
    }
  }
  const objective = params.objective ?? "binary";
  if (!LINEAR_OBJECTIVES.includes(objective)) {
    throw paramError("objective", `must be one of ${LINEAR_OBJECTIVES.join(", ")}`);
  }
  const resolved: ResolvedLinearParams = Object.freeze({
    objective,
    numClass: integer(params, "numClass", objective === "multiclass" ? 0 : 1, 1, 10_000),
    alpha: real(params, "alpha", 1e-4, 0, 1e12),
    l1Ratio: real(params, "l1Ratio", 0, 0, 1),
    tolerance: real(params, "tolerance", 1e-8, 1e-15, 1),
    maxIterations: integer(params, "maxIterations", 1000, 1, 10_000_000),
  });
  if (objective === "multiclass" && resolved.numClass < 2) {
    throw paramError("numClass", "must be at least 2 for the multiclass objective");
  }
  if (objective !== "multiclass" && resolved.numClass !== 1) {
    throw paramError("numClass", `applies only to the multiclass objective, not ${objective}`);
  }
  return resolved;
}

function integer(
  params: LinearParams,
  key: keyof LinearParams,
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
  params: LinearParams,
  key: keyof LinearParams,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = params[key] ?? fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw paramError(key, `must be a finite number in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

function paramError(field: string, problem: string): PlinthError {
  return new PlinthError(
    "TRAINING_INVALID_PARAMETER",
    `Linear-model parameter '${field}' ${problem}`,
    { field },
  );
}
