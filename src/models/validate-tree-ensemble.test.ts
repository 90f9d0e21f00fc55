import { describe, test } from "node:test";
import { createSeededRandom } from "../core/seeded-random.ts";
import { ensembleFromSpec } from "./testing/ensemble-from-spec.ts";
import { randomEnsemble } from "./testing/random-ensemble.ts";
import { throwsWithCode } from "./testing/throws-with-code.ts";
import type { TreeEnsemble } from "./tree-ensemble.ts";
import { MAX_TREE_DEPTH, validateTreeEnsemble } from "./validate-tree-ensemble.ts";

/** Two trees: [0] x0 < 0.5 ? leaf 1 : leaf 2, [3] categorical x1 in {2} ? leaf 3 : leaf 4. */
const valid = (): TreeEnsemble =>
  ensembleFromSpec({
    featureNames: ["x0", "x1"],
    categoricalFeatures: [false, true],
    trees: [
      { feature: 0, threshold: 0.5, left: { leaf: 1 }, right: { leaf: 2 } },
      { feature: 1, categories: [2], left: { leaf: 3 }, right: { leaf: 4 } },
    ],
  });

/** `valid()` with one typed-array entry changed. */
function edited(field: keyof TreeEnsemble, index: number, value: number): TreeEnsemble {
  const e = valid();
  const array = (e[field] as Float64Array).slice();
  array[index] = value;
  return { ...e, [field]: array };
}

const rejects = (e: TreeEnsemble, field: string) =>
  throwsWithCode(() => validateTreeEnsemble(e), "MODELS_INVALID_PACKAGE", field);

describe("validateTreeEnsemble", () => {
  test("accepts hand-built and random ensembles", () => {
    validateTreeEnsemble(valid());
    const rng = createSeededRandom(3);
    validateTreeEnsemble(
      randomEnsemble(rng, {
        numFeatures: 3,
        numTrees: 10,
        maxDepth: 5,
        categorical: [true, false, true],
      }),
    );
  });

  test("array lengths must agree", () => {
    rejects({ ...valid(), threshold: new Float64Array(2) }, "ensemble.threshold");
    rejects({ ...valid(), gain: new Float64Array(7) }, "ensemble.gain");
    rejects({ ...valid(), baseScore: new Float64Array(2) }, "ensemble.baseScore");
    rejects({ ...valid(), treeOutput: new Int32Array(1) }, "ensemble.treeOutput");
    rejects({ ...valid(), categoricalFeatures: [false] }, "ensemble.categoricalFeatures");
  });

  test("arrays must have their declared types", () => {
    const e = valid();
    rejects(
      { ...e, threshold: Float32Array.from(e.threshold) as unknown as Float64Array },
      "ensemble.threshold",
    );
    rejects({ ...e, left: Array.from(e.left) as unknown as Int32Array }, "ensemble.left");
  });

  test("child, root, output and feature indices must be in range", () => {
    rejects(edited("left", 0, 6), "ensemble.left[0]");
    rejects(edited("right", 3, -1), "ensemble.right[3]");
    rejects(edited("treeRoot", 1, 9), "ensemble.treeRoot[1]");
    rejects(edited("treeOutput", 0, 1), "ensemble.treeOutput[0]");
    rejects(edited("feature", 0, 2), "ensemble.feature[0]");
    rejects(edited("feature", 0, -2), "ensemble.feature[0]");
  });

  test("a leaf must not have children", () => {
    rejects(edited("left", 1, 2), "ensemble.left[1]");
  });

  test("cycles and shared subtrees are refused", () => {
    rejects(edited("left", 0, 0), "ensemble.treeRoot[0]");
    rejects(edited("treeRoot", 1, 0), "ensemble.treeRoot[1]");
  });

  test("values: finite leaves, non-negative covers, non-NaN thresholds, 0/1 defaults", () => {
    rejects(edited("value", 1, Number.NaN), "ensemble.value[1]");
    rejects(edited("value", 2, Number.POSITIVE_INFINITY), "ensemble.value[2]");
    rejects(edited("cover", 0, -1), "ensemble.cover[0]");
    rejects(edited("cover", 0, Number.NaN), "ensemble.cover[0]");
    rejects(edited("threshold", 0, Number.NaN), "ensemble.threshold[0]");
    rejects(edited("defaultLeft", 0, 2), "ensemble.defaultLeft[0]");
    rejects(edited("baseScore", 0, Number.NaN), "ensemble.baseScore[0]");
    rejects(edited("gain", 0, Number.NaN), "ensemble.gain[0]");
  });

  test("categorical splits: bitset in range, feature marked categorical", () => {
    rejects(edited("categoryWords", 3, 2), "ensemble.categoryWords[3]");
    rejects(edited("categoryOffset", 0, -2), "ensemble.categoryOffset[0]");
    rejects({ ...valid(), categoricalFeatures: [false, false] }, "ensemble.categoryOffset[3]");
  });

  test("link and outputs must fit", () => {
    rejects({ ...valid(), link: "softmax" }, "ensemble.link");
    rejects({ ...valid(), link: "probit" as "identity" }, "ensemble.link");
    rejects({ ...valid(), numOutputs: 0 }, "ensemble.numOutputs");
  });

  test(`trees deeper than ${MAX_TREE_DEPTH} are refused`, () => {
    let chain: Parameters<typeof ensembleFromSpec>[0]["trees"][number] = { leaf: 0 };
    for (let d = 0; d <= MAX_TREE_DEPTH; d++) {
      chain = { feature: 0, threshold: d, left: { leaf: d }, right: chain };
    }
    rejects(ensembleFromSpec({ featureNames: ["x"], trees: [chain] }), "ensemble.treeRoot[0]");
  });
});
