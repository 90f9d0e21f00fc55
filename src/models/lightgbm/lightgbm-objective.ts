import { invalidPackage } from "../json-field-readers.ts";
import type { TreeEnsembleLink } from "../tree-ensemble.ts";

/** How a LightGBM objective turns raw scores into predictions, in TreeEnsemble terms. */
export interface LightgbmObjective {
  readonly name: string;
  readonly link: TreeEnsembleLink;
  /** `num_class:K` of multiclass objectives; 1 otherwise. */
  readonly numClass: number;
  /**
   * LightGBM's `sigmoid:s` parameter: its probability is `1 / (1 + exp(-s * raw))`. The
   * importer multiplies leaf values by `s`, so the logistic link gives the same
   * probabilities; raw scores are then `s` times LightGBM's.
   */
  readonly sigmoid: number;
}

const IDENTITY = new Set([
  "regression",
  "regression_l2",
  "l2",
  "mean_squared_error",
  "mse",
  "l2_root",
  "root_mean_squared_error",
  "rmse",
  "regression_l1",
  "l1",
  "mean_absolute_error",
  "mae",
  "huber",
  "fair",
  "quantile",
  "mape",
  "mean_absolute_percentage_error",
  "lambdarank",
  "rank_xendcg",
  "xendcg",
  "xe_ndcg",
  "xe_ndcg_mart",
  "xendcg_mart",
  "custom",
]);
const EXP = new Set(["poisson", "gamma", "tweedie"]);
const LOGISTIC = new Set(["binary", "cross_entropy", "xentropy"]);
const SOFTMAX = new Set(["multiclass", "softmax"]);
const ONE_VS_ALL = new Set(["multiclassova", "multiclass_ova", "ova", "ovr"]);

/**
 * Reads the header's `objective=` line (`binary sigmoid:1`, `multiclass num_class:3`,
 * `regression`, `tweedie`, ...). Objectives whose output transform TreeEnsemble cannot
 * express are refused by name: `regression` with `sqrt` (reg_sqrt) and
 * `cross_entropy_lambda`.
 */
export function lightgbmObjective(text: string, path: string): LightgbmObjective {
  const [name = "", ...params] = text.trim().split(/\s+/);
  const param = (key: string): string | undefined =>
    params.find((p) => p.startsWith(`${key}:`))?.slice(key.length + 1);
  if (params.includes("sqrt")) {
    throw invalidPackage(path, `is '${text.trim()}': reg_sqrt models (sqrt) are not supported`);
  }
  const sigmoid = param("sigmoid") === undefined ? 1 : Number(param("sigmoid"));
  if (!(Number.isFinite(sigmoid) && sigmoid > 0)) {
    throw invalidPackage(path, `has an invalid sigmoid parameter '${param("sigmoid")}'`);
  }
  const numClassText = param("num_class");
  const numClass = numClassText === undefined ? 1 : Number(numClassText);
  if (!Number.isInteger(numClass) || numClass < 1) {
    throw invalidPackage(path, `has an invalid num_class parameter '${numClassText}'`);
  }
  if (IDENTITY.has(name)) return { name, link: "identity", numClass: 1, sigmoid: 1 };
  if (EXP.has(name)) return { name, link: "exp", numClass: 1, sigmoid: 1 };
  if (LOGISTIC.has(name)) {
    return { name, link: "logistic", numClass: 1, sigmoid: name === "binary" ? sigmoid : 1 };
  }
  if (SOFTMAX.has(name)) return { name, link: "softmax", numClass, sigmoid: 1 };
  if (ONE_VS_ALL.has(name)) return { name, link: "logistic", numClass, sigmoid };
  throw invalidPackage(path, `is '${name}', which cannot be imported`);
}
