import { invalidPackage } from "../json-field-readers.ts";
import type { TreeEnsemble } from "../tree-ensemble.ts";
import { validateTreeEnsemble } from "../validate-tree-ensemble.ts";
import { convertLightgbmTrees } from "./convert-lightgbm-trees.ts";
import { readIntegerField, readTokens, requireField } from "./lightgbm-field-readers.ts";
import { lightgbmObjective } from "./lightgbm-objective.ts";
import { type LightgbmSection, parseLightgbmText } from "./parse-lightgbm-text.ts";
import { readLightgbmTree } from "./read-lightgbm-tree.ts";

/** Larger claims are rejected before anything of their size is allocated. */
const MAX_FEATURES = 2 ** 20;
const MAX_CLASSES = 2 ** 16;

/**
 * Converts a LightGBM text model (`booster.save_model("m.txt")`, `lightgbm task=train`'s
 * `output_model`; versions v2-v4) into a TreeEnsemble whose `predictRaw` equals LightGBM's
 * `predict(raw_score=True)` and whose `predict` equals LightGBM's `predict()` for float64
 * inputs. The file is validated strictly: a missing or malformed field, an out-of-range
 * index, a cycle or a truncated file is a `MODELS_INVALID_PACKAGE` naming the section and
 * field (`Tree=3.threshold[2]`).
 *
 * Faithfulness to LightGBM:
 * - Splits are converted as described in `convertLightgbmTrees`: `x <= t` thresholds move
 *   to the next float64, and the None / NaN / Zero missing types are reproduced exactly,
 *   zero-as-missing splits with extra nodes where one node cannot express them.
 * - Leaf values in the file already include shrinkage and, for boost_from_average, the
 *   initial score, so the base score is 0. Both sum in float64 in tree order.
 * - `average_output` (random forest) divides every leaf value by the number of iterations,
 *   instead of dividing the sum: scores differ by float64 rounding only.
 * - `binary sigmoid:s` with `s != 1` multiplies leaf values by `s` so probabilities match;
 *   raw scores are then `s` times LightGBM's.
 * - Categorical inputs must be integer codes: LightGBM truncates a fractional code, plinth
 *   sends it right (see `convertLightgbmTrees`).
 * - Linear trees, `reg_sqrt` and `cross_entropy_lambda` are refused.
 * - All trees are used, as LightGBM's `predict()` does without `num_iteration`.
 * - Node covers are LightGBM's data counts (`leaf_count`, `internal_count`; hessian weights
 *   when counts are absent), which its own `pred_contrib` weighs by, so TreeSHAP explains
 *   the model as LightGBM's TreeSHAP does.
 *
 * @example
 * const ensemble = importLightgbmText(readFileSync("model.txt", "utf8"));
 * const probabilities = predict(ensemble, rows, numRows);
 */
export function importLightgbmText(text: unknown): TreeEnsemble {
  if (typeof text !== "string") {
    throw invalidPackage("$", "must be the text of a LightGBM model (a string)");
  }
  const { header, trees: sections } = parseLightgbmText(text);
  const numFeatures = readIntegerField(header, "max_feature_idx", 0, MAX_FEATURES - 1) + 1;
  const numClass = readIntegerField(header, "num_class", 1, MAX_CLASSES);
  const numOutputs = readIntegerField(header, "num_tree_per_iteration", 1, MAX_CLASSES);
  const objective = lightgbmObjective(requireField(header, "objective"), "header.objective");
  if (objective.numClass !== numClass || numOutputs !== numClass) {
    throw invalidPackage(
      "header.num_tree_per_iteration",
      `is ${numOutputs} with num_class ${numClass}, which does not fit objective '${objective.name}'` +
        ` (num_class:${objective.numClass})`,
    );
  }
  const featureNames = readFeatureNames(header, numFeatures);
  const categoricalFeatures = readCategoricalInfos(header, numFeatures);
  if (sections.length % numOutputs !== 0) {
    throw invalidPackage(
      "header.tree_sizes",
      `lists ${sections.length} trees, not a multiple of num_tree_per_iteration (${numOutputs})`,
    );
  }
  const trees = sections.map((section) => readLightgbmTree(section, numFeatures));
  for (const tree of trees) {
    tree.splitFeature.forEach((f, node) => {
      if ((tree.decisionType[node] as number) & 1) categoricalFeatures[f] = true;
    });
  }
  const iterations = sections.length / numOutputs;
  const average = header.flags.has("average_output") && iterations > 0 ? 1 / iterations : 1;
  const ensemble: TreeEnsemble = {
    featureNames,
    categoricalFeatures,
    numOutputs,
    baseScore: new Float64Array(numOutputs),
    link: objective.link,
    treeOutput: Int32Array.from(trees, (_, t) => t % numOutputs),
    ...convertLightgbmTrees(trees, objective.sigmoid * average),
  };
  validateTreeEnsemble(ensemble);
  return ensemble;
}

function readFeatureNames(header: LightgbmSection, numFeatures: number): string[] {
  if (!header.fields.has("feature_names")) {
    return Array.from({ length: numFeatures }, (_, f) => `Column_${f}`);
  }
  const names = readTokens(header, "feature_names");
  if (names.length !== numFeatures) {
    throw invalidPackage(
      "header.feature_names",
      `must have max_feature_idx + 1 (${numFeatures}) names, got ${names.length}`,
    );
  }
  return names;
}

/**
 * `feature_infos` holds `[min:max]` for a numeric feature, `none` for an unused one and the
 * colon-separated category list for a categorical one.
 */
function readCategoricalInfos(header: LightgbmSection, numFeatures: number): boolean[] {
  if (!header.fields.has("feature_infos")) return new Array<boolean>(numFeatures).fill(false);
  const infos = readTokens(header, "feature_infos");
  if (infos.length !== numFeatures) {
    throw invalidPackage(
      "header.feature_infos",
      `must have max_feature_idx + 1 (${numFeatures}) entries, got ${infos.length}`,
    );
  }
  return infos.map((info) => info !== "none" && !info.startsWith("["));
}
