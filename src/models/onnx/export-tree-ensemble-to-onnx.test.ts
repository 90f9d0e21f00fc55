import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { ensembleFromSpec, type NodeSpec } from "../testing/ensemble-from-spec.ts";
import { randomEnsemble, randomRows } from "../testing/random-ensemble.ts";
import type { TreeEnsemble, TreeEnsembleLink } from "../tree-ensemble.ts";
import { predict, predictRaw } from "../tree-predictor.ts";
import { exportTreeEnsembleToOnnx } from "./export-tree-ensemble-to-onnx.ts";
import { loadOnnxModel } from "./load-onnx-model.ts";

/** Largest |a - b| (or relative difference when `relative`), over all entries. */
function maxDiff(a: Float64Array, b: Float64Array, relative = false): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    const d = Math.abs(x - y) / (relative ? Math.max(1, Math.abs(x)) : 1);
    max = Math.max(max, Number.isNaN(d) ? Number.POSITIVE_INFINITY : d);
  }
  return max;
}

/** Exports `e`, scores `rows` through onnxruntime and checks both outputs against the predictor. */
async function assertSamePredictions(e: TreeEnsemble, rows: Float64Array): Promise<void> {
  const F = e.featureNames.length;
  const numRows = rows.length / F;
  const model = await loadOnnxModel(exportTreeEnsembleToOnnx(e));
  try {
    const out = await model.run(rows, numRows, F);
    assert.deepEqual(out.raw?.dims, [numRows, e.numOutputs]);
    const raw = out.raw?.data as Float64Array;
    const prediction = out.prediction?.data as Float64Array;
    // Double all the way: only summation order can differ, far inside the 1e-5 promise.
    assert.ok(maxDiff(predictRaw(e, rows, numRows), raw) < 1e-9, "raw scores differ");
    const relative = e.link === "exp";
    assert.ok(
      maxDiff(predict(e, rows, numRows), prediction, relative) < 1e-9,
      "predictions differ",
    );
  } finally {
    await model.close();
  }
}

describe("exportTreeEnsembleToOnnx", () => {
  const categorical = [false, true, false, true, false];
  const cases: [TreeEnsembleLink, number][] = [
    ["identity", 1],
    ["logistic", 1],
    ["softmax", 3],
    ["exp", 1],
  ];
  for (const [link, numOutputs] of cases) {
    test(`random ensembles with the ${link} link match the predictor`, async () => {
      for (let seed = 1; seed <= 4; seed++) {
        const rng = createSeededRandom(seed * 31 + numOutputs);
        const e = randomEnsemble(rng, {
          numFeatures: categorical.length,
          numTrees: 24,
          maxDepth: 5,
          numOutputs,
          link,
          categorical,
        });
        // Grid values equal to thresholds, NaN, and negative, fractional, unseen codes.
        await assertSamePredictions(e, randomRows(rng, 400, categorical));
      }
    });
  }

  test("codes beyond a two-word bitset, infinities, -0 and numeric splits on a categorical column", async () => {
    const leaf = (v: number): NodeSpec => ({ leaf: v });
    const trees: NodeSpec[] = [true, false].flatMap((defaultLeft) => [
      {
        feature: 0,
        categories: [1, 33, 40],
        categoryWords: 2,
        defaultLeft,
        left: leaf(1),
        right: leaf(2),
      },
      // Most valid codes go left: the tested set is large or small depending on the default.
      {
        feature: 0,
        categories: Array.from({ length: 60 }, (_, c) => c),
        categoryWords: 2,
        defaultLeft,
        left: { feature: 1, threshold: 0.5, defaultLeft, left: leaf(4), right: leaf(8) },
        right: leaf(16),
      },
    ]);
    // A numeric split on the categorical column must still see -1 and 0.5 as numbers.
    trees.push({ feature: 0, threshold: 0.75, left: leaf(32), right: leaf(64) });
    const e = ensembleFromSpec({
      featureNames: ["cat", "num"],
      categoricalFeatures: [true, false],
      trees,
      baseScore: [0.25],
    });
    const codes = [
      0,
      1,
      2,
      33,
      40,
      59,
      60,
      63,
      64,
      1e9,
      -1,
      -0,
      0.5,
      33.5,
      Infinity,
      -Infinity,
      Number.NaN,
    ];
    const nums = [0, 0.5, 1, Number.NaN];
    const rows = Float64Array.from(codes.flatMap((c) => nums.flatMap((x) => [c, x])));
    await assertSamePredictions(e, rows);
  });

  test("single-leaf trees, always-default categorical splits and a root with equal true and false ids", async () => {
    const leaf = (v: number): NodeSpec => ({ leaf: v });
    const e = ensembleFromSpec({
      featureNames: ["x", "c"],
      categoricalFeatures: [false, true],
      numOutputs: 2,
      treeOutput: [0, 1, 0, 1, 0],
      link: "softmax",
      trees: [
        leaf(0.5),
        // Tree 1 has one node and two leaves, so tree 2's root (node 1) has its true leaf at
        // index 2 and its false node at index 2, which older onnxruntimes read as a leaf.
        { feature: 0, threshold: 0, left: leaf(-1), right: leaf(1) },
        {
          feature: 0,
          threshold: 0.5,
          left: leaf(3),
          right: { feature: 0, threshold: 1, left: leaf(5), right: leaf(7) },
        },
        // No codes on the non-default side: every input goes right.
        {
          feature: 1,
          categories: [],
          categoryWords: 1,
          defaultLeft: false,
          left: leaf(100),
          right: leaf(-2),
        },
        {
          feature: 1,
          categories: [0, 2],
          categoryWords: 0,
          defaultLeft: true,
          left: leaf(-3),
          right: leaf(200),
        },
      ],
    });
    const rows = Float64Array.from([0, 1, 0.5, 0, 1, 2, -1, 5, Number.NaN, Number.NaN, 2, -1]);
    await assertSamePredictions(e, rows);
  });

  test("an ensemble of only single-leaf trees scores its constant", async () => {
    const e = ensembleFromSpec({
      featureNames: ["x"],
      trees: [{ leaf: 0.5 }, { leaf: 0.25 }],
      baseScore: [1],
      link: "exp",
    });
    await assertSamePredictions(e, Float64Array.of(0, Number.NaN, 3));
  });
});
