import {
  invalidPackage,
  readArray,
  readDecimalInteger,
  readInteger,
  readObject,
  readString,
  readStringArray,
} from "../json-field-readers.ts";
import type { TreeEnsemble } from "../tree-ensemble.ts";
import { validateTreeEnsemble } from "../validate-tree-ensemble.ts";
import { convertXgboostTrees } from "./convert-xgboost-trees.ts";
import { parseXgboostJsonText } from "./parse-xgboost-json-text.ts";
import { readXgboostTree } from "./read-xgboost-tree.ts";
import { xgboostObjective } from "./xgboost-objective.ts";

/** Larger claims are rejected before anything of their size is allocated. */
const MAX_FEATURES = 2 ** 20;
const MAX_CLASSES = 2 ** 16;

export interface ImportXgboostOptions {
  /**
   * Number of categories (codes `0..n-1`) of each categorical feature, by name. XGBoost's
   * JSON does not record it; without it a feature's bitsets cover only the codes its splits
   * name (rounded up to a multiple of 32). See `importXgboostJson` for why it can matter.
   */
  readonly categoryCounts?: Readonly<Record<string, number>>;
}

/**
 * Converts an XGBoost JSON model (`booster.save_model("m.json")`, tested with XGBoost 1.7)
 * into a TreeEnsemble. `model` is the file's text (XGBoost writes bare `NaN`, which
 * `JSON.parse` rejects) or an already parsed object. The file is validated strictly:
 * a missing or mistyped field, an out-of-range index or an inconsistent count is a
 * `MODELS_INVALID_PACKAGE` naming its JSON path.
 *
 * Faithfulness to XGBoost's own predictions:
 * - XGBoost rounds every input to float32 before comparing it with a float32 split value.
 *   The imported thresholds are the float64 cut points equivalent to that comparison
 *   (see `float32CutPoint`), so float64 inputs take the same branches as in XGBoost; the
 *   thresholds therefore differ from `split_conditions` in the last bits.
 * - XGBoost sums tree outputs in float32 and plinth in float64, so raw scores differ by a
 *   few float32 ulps of the score (about 1e-7 relative), not by branch choices.
 * - Leaf values come from `split_conditions` (XGBoost's leaf value), not `base_weights`,
 *   which pruning and adaptive-leaf objectives such as `reg:absoluteerror` leave stale.
 * - Categorical splits: XGBoost sends the listed categories right and every other code,
 *   including negative or unseen ones, left; missing goes to `default_left`. The bitset
 *   holds the complement (codes going left) over the feature's known codes. Where
 *   `default_left` is 1 this is exact for every integer code. Where it is 0, a code beyond
 *   the bitset (or negative) takes plinth's unseen-category path, the default (right) side,
 *   where XGBoost goes left; pass `categoryCounts` so every trained code is inside.
 *   Non-integer codes are missing here; XGBoost truncates them.
 * - `multi:softmax` imports as softmax probabilities; XGBoost's `predict()` is their argmax.
 * - All trees are used, as `Booster.predict` does; `best_iteration` is not applied.
 *
 * @example
 * const ensemble = importXgboostJson(readFileSync("m.json", "utf8"));
 * const probabilities = predict(ensemble, rows, numRows);
 */
export function importXgboostJson(
  model: unknown,
  options: ImportXgboostOptions = {},
): TreeEnsemble {
  const root = readObject(typeof model === "string" ? parseXgboostJsonText(model) : model, "$");
  const learner = readObject(root.learner, "learner");
  const param = readObject(learner.learner_model_param, "learner.learner_model_param");
  const numFeatures = readDecimalInteger(
    param.num_feature,
    "learner.learner_model_param.num_feature",
    1,
    MAX_FEATURES,
  );
  const numClass = readDecimalInteger(
    param.num_class,
    "learner.learner_model_param.num_class",
    0,
    MAX_CLASSES,
  );
  if (param.num_target !== undefined) {
    readDecimalInteger(param.num_target, "learner.learner_model_param.num_target", 1, 1);
  }
  const objectivePath = "learner.objective.name";
  const objectiveName = readString(
    readObject(learner.objective, "learner.objective").name,
    objectivePath,
  );
  const objective = xgboostObjective(objectiveName, objectivePath);
  if (objective.multiclass !== numClass >= 2) {
    throw invalidPackage(
      "learner.learner_model_param.num_class",
      `is ${numClass}, which does not fit objective '${objectiveName}'`,
    );
  }
  const numOutputs = Math.max(numClass, 1);
  const baseScorePath = "learner.learner_model_param.base_score";
  const baseMargin = objective.baseMargin(
    readBaseScore(param.base_score, baseScorePath),
    baseScorePath,
  );

  const featureNames = readFeatureNames(learner, numFeatures);
  const featureTypes = readOptionalStrings(
    learner.feature_types,
    "learner.feature_types",
    numFeatures,
  );

  const booster = readObject(learner.gradient_booster, "learner.gradient_booster");
  const boosterName = readString(booster.name, "learner.gradient_booster.name");
  if (boosterName !== "gbtree") {
    throw invalidPackage(
      "learner.gradient_booster.name",
      `is '${boosterName}'; only the 'gbtree' booster can be imported`,
    );
  }
  const gbtree = readObject(booster.model, "learner.gradient_booster.model");
  const treesPath = "learner.gradient_booster.model.trees";
  const rawTrees = readArray(gbtree.trees, treesPath);
  const gbtreeParam = readObject(
    gbtree.gbtree_model_param,
    "learner.gradient_booster.model.gbtree_model_param",
  );
  readDecimalInteger(
    gbtreeParam.num_trees,
    "learner.gradient_booster.model.gbtree_model_param.num_trees",
    rawTrees.length,
    rawTrees.length,
  );
  const treeInfo = readArray(gbtree.tree_info, "learner.gradient_booster.model.tree_info");
  if (treeInfo.length !== rawTrees.length) {
    throw invalidPackage(
      "learner.gradient_booster.model.tree_info",
      `must have one entry per tree (${rawTrees.length})`,
    );
  }
  const trees = rawTrees.map((tree, t) => readXgboostTree(tree, `${treesPath}[${t}]`));
  const treeOutput = Int32Array.from(treeInfo, (group, t) =>
    readInteger(group, `learner.gradient_booster.model.tree_info[${t}]`, 0, numOutputs - 1),
  );

  const converted = convertXgboostTrees(
    trees,
    featureNames,
    options.categoryCounts ?? {},
    treesPath,
  );
  const ensemble: TreeEnsemble = {
    featureNames,
    categoricalFeatures: featureNames.map(
      (_, f) => featureTypes?.[f] === "c" || converted.hasCategories[f] === true,
    ),
    numOutputs,
    baseScore: new Float64Array(numOutputs).fill(baseMargin),
    link: objective.link,
    treeOutput,
    ...converted.arrays,
  };
  validateTreeEnsemble(ensemble);
  return ensemble;
}

/** `"5E-1"` in 1.7; later versions may write `"[5E-1]"`. */
function readBaseScore(value: unknown, path: string): number {
  const text = readString(value, path).trim();
  const inner = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const score = inner.trim() === "" ? Number.NaN : Math.fround(Number(inner));
  if (!Number.isFinite(score)) throw invalidPackage(path, `must be a finite number, got "${text}"`);
  return score;
}

function readFeatureNames(learner: Record<string, unknown>, numFeatures: number): string[] {
  const names = readOptionalStrings(learner.feature_names, "learner.feature_names", numFeatures);
  if (names !== undefined) return names;
  return Array.from({ length: numFeatures }, (_, f) => `f${f}`);
}

/** An absent or empty array is undefined; otherwise it must have one string per feature. */
function readOptionalStrings(
  value: unknown,
  path: string,
  numFeatures: number,
): string[] | undefined {
  if (value === undefined) return undefined;
  const strings = readStringArray(value, path);
  if (strings.length === 0) return undefined;
  if (strings.length !== numFeatures) {
    throw invalidPackage(
      path,
      `must have num_feature (${numFeatures}) entries, got ${strings.length}`,
    );
  }
  return strings;
}
