import { invalidPackage } from "../json-field-readers.ts";
import type { TreeEnsembleLink } from "../tree-ensemble.ts";

/** How an XGBoost objective maps onto a TreeEnsemble. */
export interface XgboostObjective {
  readonly link: TreeEnsembleLink;
  /** Whether the objective has one raw output per class. */
  readonly multiclass: boolean;
  /** XGBoost's `ProbToMargin`: the raw score of `base_score` (given in prediction space). */
  readonly baseMargin: (baseScore: number, path: string) => number;
}

const identity = (b: number): number => b;

const logit = (b: number, path: string): number => {
  if (!(b > 0 && b < 1))
    throw invalidPackage(path, `must be in (0, 1) for a logistic objective, got ${b}`);
  return Math.fround(-Math.log(Math.fround(Math.fround(1 / b) - 1)));
};

const log = (b: number, path: string): number => {
  if (!(b > 0)) throw invalidPackage(path, `must be positive for a log-link objective, got ${b}`);
  return Math.fround(Math.log(b));
};

const OBJECTIVES: Readonly<Record<string, XgboostObjective>> = {
  "binary:logistic": { link: "logistic", multiclass: false, baseMargin: logit },
  "reg:squarederror": { link: "identity", multiclass: false, baseMargin: identity },
  "reg:absoluteerror": { link: "identity", multiclass: false, baseMargin: identity },
  "reg:pseudohubererror": { link: "identity", multiclass: false, baseMargin: identity },
  "count:poisson": { link: "exp", multiclass: false, baseMargin: log },
  "multi:softprob": { link: "softmax", multiclass: true, baseMargin: identity },
  // The ensemble predicts the class probabilities; XGBoost's predict() returns their argmax.
  "multi:softmax": { link: "softmax", multiclass: true, baseMargin: identity },
  "rank:pairwise": { link: "identity", multiclass: false, baseMargin: identity },
  "rank:ndcg": { link: "identity", multiclass: false, baseMargin: identity },
};

/** The mapping for objective `name`; an unsupported one is a `MODELS_INVALID_PACKAGE` naming it. */
export function xgboostObjective(name: string, path: string): XgboostObjective {
  const objective = Object.hasOwn(OBJECTIVES, name) ? OBJECTIVES[name] : undefined;
  if (objective === undefined) {
    throw invalidPackage(
      path,
      `names objective '${name}', which plinth cannot import (supported: ${Object.keys(OBJECTIVES).join(", ")})`,
    );
  }
  return objective;
}
