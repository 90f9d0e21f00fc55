import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { expectedValue, treeShap } from "../explain/tree-shap.ts";
import { throwsWithCode } from "../testing/throws-with-code.ts";
import { nextNode } from "../tree-decision.ts";
import type { TreeEnsemble } from "../tree-ensemble.ts";
import { predict, predictRaw, predictRowRaw } from "../tree-predictor.ts";
import { LIGHTGBM_ZERO } from "./convert-lightgbm-trees.ts";
import { importLightgbmText } from "./import-lightgbm-text.ts";
import { nextDoubleUp } from "./next-double-up.ts";
import { parseLightgbmText } from "./parse-lightgbm-text.ts";
import { type LightgbmTree, readLightgbmTree } from "./read-lightgbm-tree.ts";
import { loadLightgbmFixtures, loadLightgbmLeafFixture } from "./testing/lightgbm-fixtures.ts";
import {
  type LightgbmTreeSpec,
  lightgbmModelText,
  lightgbmReferenceChild,
  lightgbmReferenceScore,
  lightgbmSpecCount,
  randomLightgbmTree,
} from "./testing/lightgbm-model-text.ts";

const fixtures = loadLightgbmFixtures();

describe("LightGBM fixtures: LightGBM's own outputs", () => {
  test("the fixtures cover regression, binary, random forest, multiclass, poisson and categorical splits", () => {
    const byName = new Map(fixtures.map((f) => [f.name, f.ensemble]));
    const get = (name: string): TreeEnsemble => {
      const e = byName.get(name);
      assert.ok(e, name);
      return e;
    };
    assert.deepEqual([...new Set(fixtures.map((f) => f.objective))].sort(), [
      "binary",
      "multiclass",
      "poisson",
      "regression",
    ]);
    assert.equal(get("multiclass").numOutputs, 5);
    assert.equal(get("multiclass-categorical").numOutputs, 13);
    assert.equal(get("poisson-categorical").link, "exp");
    assert.equal(get("binary-dart").link, "logistic");
    for (const name of [
      "regression-categorical",
      "multiclass-categorical",
      "poisson-categorical",
    ]) {
      assert.ok(
        get(name).categoryOffset.some((o) => o >= 0),
        `${name} has categorical splits`,
      );
      assert.ok(get(name).categoricalFeatures.includes(true), name);
    }
    assert.deepEqual(get("poisson-categorical").categoricalFeatures, [
      ...[true, true, true, true, true],
      ...[false, false, false, false],
    ]);
  });

  for (const f of fixtures) {
    describe(f.name, () => {
      // LightGBM sums float64 leaf values in tree order, as plinth does: scores agree to
      // the last bit or two (the random forest divides leaves, not the sum, by 30).
      test(`${f.kind === "raw" ? "raw scores" : "predictions"} within 1e-6 of LightGBM's`, () => {
        const ours =
          f.kind === "raw"
            ? predictRaw(f.ensemble, f.rows, f.numRows)
            : predict(f.ensemble, f.rows, f.numRows);
        assert.equal(ours.length, f.expected.length);
        let max = 0;
        ours.forEach((v, i) => {
          const x = f.expected[i] as number;
          const diff = Math.abs(v - x);
          max = Math.max(max, diff);
          assert.ok(diff <= 1e-6 * Math.max(1, Math.abs(x)), `${i}: ${v} vs ${x}`);
        });
        assert.ok(max <= 1e-12, `max difference ${max}: more than float64 rounding`);
      });

      test("single-row path equals the batch path", () => {
        const batch = predictRaw(f.ensemble, f.rows, f.numRows);
        const K = f.ensemble.numOutputs;
        const out = new Float64Array(K);
        for (let r = 0; r < f.numRows; r++) {
          predictRowRaw(
            f.ensemble,
            f.rows.subarray(r * f.numFeatures, (r + 1) * f.numFeatures),
            out,
          );
          assert.deepEqual([...out], [...batch.subarray(r * K, (r + 1) * K)]);
        }
      });
    });
  }
});

describe("LightGBM fixture with leaf indices: every row reaches LightGBM's leaf", () => {
  const f = loadLightgbmLeafFixture();
  const { header, trees: sections } = parseLightgbmText(f.modelText);
  const numFeatures = Number(header.fields.get("max_feature_idx")) + 1;
  const trees = sections.map((section) => readLightgbmTree(section, numFeatures));

  test("the leaf reached in each tree holds the value of LightGBM's leaf", () => {
    const e = f.ensemble;
    const T = trees.length;
    for (let r = 0; r < f.numRows; r++) {
      const row = f.rows.subarray(r * f.numFeatures, (r + 1) * f.numFeatures);
      let sum = 0;
      for (let t = 0; t < T; t++) {
        let n = e.treeRoot[t] as number;
        while (e.feature[n] !== -1) n = nextNode(e, n, row[e.feature[n] as number] as number);
        const leaf = f.leaves[r * T + t] as number;
        const expected = (trees[t] as LightgbmTree).leafValue[leaf] as number;
        // Leaf values differ within a tree, except by chance: compare them and the cover.
        assert.equal(e.value[n], expected, `row ${r}, tree ${t}`);
        assert.equal(e.cover[n], (trees[t] as LightgbmTree).leafCover[leaf], `row ${r}, tree ${t}`);
        sum += expected;
      }
      assert.equal(predictRaw(e, row, 1)[0], sum, `row ${r}`);
    }
  });
});

/** One numeric split of feature 0 with the given threshold and decision type, leaves -1 / +1. */
function stump(threshold: number, decisionType: number): string {
  return lightgbmModelText({
    numFeatures: 1,
    trees: [
      {
        splitFeature: [0],
        threshold: [threshold],
        decisionType: [decisionType],
        leftChild: [-1],
        rightChild: [-2],
        leafValue: [-1, 1],
      },
    ],
  });
}

const side = (e: TreeEnsemble, x: number): "left" | "right" =>
  (predictRaw(e, Float64Array.of(x), 1)[0] as number) < 0 ? "left" : "right";

describe("LightGBM decision semantics", () => {
  test("x <= threshold goes left, for the threshold itself and the doubles beside it", () => {
    const t = 0.1;
    const e = importLightgbmText(stump(t, 2));
    assert.equal(side(e, t), "left");
    assert.equal(side(e, nextDoubleUp(t)), "right");
    assert.equal(side(e, 0.09999999999999999), "left");
    assert.equal(e.threshold[0], nextDoubleUp(t));
  });

  test("missing type None: NaN is scored as 0", () => {
    assert.equal(side(importLightgbmText(stump(0.5, 0)), Number.NaN), "left");
    assert.equal(side(importLightgbmText(stump(-0.5, 2)), Number.NaN), "right");
    assert.equal(side(importLightgbmText(stump(0, 0)), Number.NaN), "left", "0 <= 0");
  });

  test("missing type NaN: NaN takes the default side; 0 is compared", () => {
    assert.equal(side(importLightgbmText(stump(0.5, 8)), Number.NaN), "right");
    assert.equal(side(importLightgbmText(stump(-0.5, 10)), Number.NaN), "left");
    assert.equal(side(importLightgbmText(stump(-0.5, 10)), 0), "right");
  });

  test("missing type Zero: NaN and |x| <= 1e-35f take the default side, in every threshold case", () => {
    const z = LIGHTGBM_ZERO;
    const below = (x: number) => -nextDoubleUp(-x);
    const inputs = [
      ...[Number.NaN, 0, -0, z, -z, nextDoubleUp(z), below(-z), z / 2, -z / 2],
      ...[-1, 1, 0.5, -0.5, 2, -2, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
    ];
    for (const t of [-1, below(-z), -z, -z / 2, 0, z / 2, z, nextDoubleUp(z), 1]) {
      for (const decisionType of [4, 6]) {
        const text = stump(t, decisionType);
        const e = importLightgbmText(text);
        const tree = {
          splitFeature: [0],
          threshold: [t],
          decisionType: [decisionType],
          leftChild: [-1],
          rightChild: [-2],
          leafValue: [-1, 1],
        };
        for (const x of [...inputs, t, nextDoubleUp(t), below(t)]) {
          const expected = lightgbmReferenceScore(tree, [x]) < 0 ? "left" : "right";
          assert.equal(side(e, x), expected, `t=${t} decision_type=${decisionType} x=${x}`);
        }
      }
    }
  });

  test("zero-as-missing against the threshold's side: extra nodes, same expected cover-weighted mean", () => {
    const e = importLightgbmText(stump(1, 4)); // band goes right, threshold sends it left
    assert.equal(e.feature.length, 7, "three splits, both leaves written twice");
    assert.equal(side(e, 0), "right");
    assert.equal(side(e, 0.5), "left");
    assert.equal(side(e, -0.5), "left");
    assert.equal(side(e, 1.5), "right");
    assert.equal(e.cover[0], 2);
    // TreeSHAP's bias stays LightGBM's cover-weighted mean of the leaves: the band has no cover.
    assert.deepEqual([...expectedValue(e)], [0]);
  });

  test("nested zero-as-missing copies that would explode are refused", () => {
    const n = 40; // each split copies the rest of the chain: 2^40 nodes
    const chain: LightgbmTreeSpec = {
      splitFeature: new Array<number>(n).fill(0),
      threshold: new Array<number>(n).fill(1),
      decisionType: new Array<number>(n).fill(4),
      leftChild: Array.from({ length: n }, (_, i) => (i + 1 < n ? i + 1 : ~n)),
      rightChild: Array.from({ length: n }, (_, i) => ~i),
      leafValue: new Array<number>(n + 1).fill(1),
    };
    throwsWithCode(
      () => importLightgbmText(lightgbmModelText({ numFeatures: 1, trees: [chain] })),
      "MODELS_INVALID_PACKAGE",
      "Tree=0",
    );
  });

  test("categorical: codes in the bitset go left; NaN, negative and unlisted codes go right", () => {
    const e = importLightgbmText(
      lightgbmModelText({
        numFeatures: 1,
        trees: [
          {
            splitFeature: [0],
            threshold: [0],
            decisionType: [1],
            leftChild: [-1],
            rightChild: [-2],
            leafValue: [-1, 1],
            catBoundaries: [0, 2],
            catThreshold: [0b1010, 1], // codes 1, 3 and 32
          },
        ],
      }),
    );
    assert.deepEqual(e.categoricalFeatures, [true]);
    for (const code of [1, 3, 32]) assert.equal(side(e, code), "left", `code ${code}`);
    for (const code of [0, 2, 31, 33, 64, 1000, -1, Number.NaN]) {
      assert.equal(side(e, code), "right", `code ${code}`);
    }
    // LightGBM truncates 3.5 to 3 (left); TreeEnsemble treats it as missing (right).
    assert.equal(side(e, 3.5), "right");
  });

  test("random trees of every decision type agree with LightGBM's rule on tricky inputs", () => {
    const z = LIGHTGBM_ZERO;
    const grid = [-1, -0.5, -z, -z / 2, 0, z / 2, z, nextDoubleUp(z), 0.5, 1];
    const values = [...grid, Number.NaN, -0, 2, -2, nextDoubleUp(0.5), 0.49999999999999994];
    const categorical = [false, true, false, false];
    for (let seed = 1; seed <= 25; seed++) {
      const rng = createSeededRandom(seed);
      const trees: LightgbmTreeSpec[] = Array.from({ length: 3 }, () =>
        randomLightgbmTree(rng, 2 + rng.nextInt(14), categorical, grid),
      );
      const e = importLightgbmText(lightgbmModelText({ numFeatures: 4, trees }));
      const numRows = 200;
      const rows = new Float64Array(numRows * 4);
      for (let i = 0; i < rows.length; i++) {
        rows[i] = categorical[i % 4]
          ? ([0, 1, 2, 5, 31, 32, 40, 63, 64, -1, Number.NaN][rng.nextInt(11)] as number)
          : (values[rng.nextInt(values.length)] as number);
      }
      const raw = predictRaw(e, rows, numRows);
      for (let r = 0; r < numRows; r++) {
        const row = rows.subarray(r * 4, r * 4 + 4);
        const expected = trees.reduce((sum, tree) => sum + lightgbmReferenceScore(tree, row), 0);
        assert.equal(raw[r], expected, `seed ${seed}, row ${[...row]}`);
      }
    }
  });
});

/**
 * Shapley values of LightGBM's own path-dependent expectation, by enumerating feature
 * subsets: known features follow LightGBM's decision rule, unknown ones split by data count
 * (what LightGBM's `pred_contrib` weighs by). Returns phi per feature, then the bias.
 */
function lightgbmBruteForceShap(
  trees: readonly LightgbmTreeSpec[],
  row: ArrayLike<number>,
  M: number,
): number[] {
  const expectation = (tree: LightgbmTreeSpec, ref: number, known: number): number => {
    if (ref < 0) return tree.leafValue[~ref] as number;
    const f = tree.splitFeature[ref] as number;
    if (known & (1 << f)) {
      return expectation(tree, lightgbmReferenceChild(tree, ref, row[f] as number), known);
    }
    const l = tree.leftChild[ref] as number;
    const r = tree.rightChild[ref] as number;
    const total = lightgbmSpecCount(tree, ref);
    return (
      (lightgbmSpecCount(tree, l) / total) * expectation(tree, l, known) +
      (lightgbmSpecCount(tree, r) / total) * expectation(tree, r, known)
    );
  };
  const value = (known: number) =>
    trees.reduce(
      (sum, tree) => sum + expectation(tree, tree.leafValue.length > 1 ? 0 : -1, known),
      0,
    );
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const popcount = (x: number): number => (x === 0 ? 0 : (x & 1) + popcount(x >>> 1));
  const phi = Array.from({ length: M }, (_, i) => {
    let sum = 0;
    for (let known = 0; known < 1 << M; known++) {
      if (known & (1 << i)) continue;
      const s = popcount(known);
      sum +=
        ((factorial(s) * factorial(M - s - 1)) / factorial(M)) *
        (value(known | (1 << i)) - value(known));
    }
    return sum;
  });
  return [...phi, value(0)];
}

describe("TreeSHAP on imported LightGBM models", () => {
  // Zero-as-missing expansion adds nodes and copies subtrees; with the covers it is given,
  // the Shapley values stay those of LightGBM's own tree.
  test("equals brute-force Shapley values of LightGBM's trees, zero-as-missing splits included", () => {
    const z = LIGHTGBM_ZERO;
    const grid = [-1, -z, 0, z, 0.5, 1];
    const values = [...grid, Number.NaN, -0.5, 2, z / 2];
    const categorical = [false, false, true, false];
    for (let seed = 1; seed <= 15; seed++) {
      const rng = createSeededRandom(100 + seed);
      const trees = Array.from({ length: 2 }, () =>
        randomLightgbmTree(rng, 2 + rng.nextInt(9), categorical, grid),
      );
      const e = importLightgbmText(lightgbmModelText({ numFeatures: 4, trees }));
      for (let r = 0; r < 10; r++) {
        const row = Float64Array.from(categorical, (c) =>
          c
            ? ([0, 3, 33, -1, Number.NaN][rng.nextInt(5)] as number)
            : (values[rng.nextInt(values.length)] as number),
        );
        const phi = treeShap(e, row, 1);
        const expected = lightgbmBruteForceShap(trees, row, 4);
        expected.forEach((v, i) => {
          assert.ok(
            Math.abs((phi[i] as number) - v) <= 1e-10,
            `seed ${seed}, row ${[...row]}, [${i}]: ${phi[i]} vs ${v}`,
          );
        });
      }
    }
  });
});

describe("LightGBM header semantics", () => {
  const twoLeaves: LightgbmTreeSpec = {
    splitFeature: [0],
    threshold: [0],
    decisionType: [2],
    leftChild: [-1],
    rightChild: [-2],
    leafValue: [-0.5, 1.5],
  };

  test("binary sigmoid:s scales leaves so probabilities are LightGBM's", () => {
    const e = importLightgbmText(
      lightgbmModelText({ objective: "binary sigmoid:2", numFeatures: 1, trees: [twoLeaves] }),
    );
    const p = predict(e, Float64Array.of(1), 1)[0] as number;
    assert.ok(Math.abs(p - 1 / (1 + Math.exp(-2 * 1.5))) < 1e-15);
  });

  test("average_output divides by the number of iterations", () => {
    const e = importLightgbmText(
      lightgbmModelText({
        numFeatures: 1,
        trees: [twoLeaves, { ...twoLeaves, leafValue: [0.5, 2.5] }],
        headerLines: ["average_output"],
      }),
    );
    assert.deepEqual([...predictRaw(e, Float64Array.of(-1, 1), 2)], [0, 2]);
  });

  test("multiclass trees cycle through the classes; multiclassova is per-class logistic", () => {
    const soft = importLightgbmText(
      lightgbmModelText({
        objective: "multiclass num_class:2",
        numClass: 2,
        numFeatures: 1,
        trees: [twoLeaves, { ...twoLeaves, leafValue: [3, 4] }, twoLeaves, twoLeaves],
      }),
    );
    assert.deepEqual([...soft.treeOutput], [0, 1, 0, 1]);
    assert.deepEqual([...predictRaw(soft, Float64Array.of(1), 1)], [3, 5.5]);
    const ova = importLightgbmText(
      lightgbmModelText({
        objective: "multiclassova num_class:2 sigmoid:1",
        numClass: 2,
        numFeatures: 1,
        trees: [twoLeaves, twoLeaves],
      }),
    );
    assert.equal(ova.link, "logistic");
    assert.equal(ova.numOutputs, 2);
  });

  test("a one-leaf tree is a constant", () => {
    const e = importLightgbmText(
      lightgbmModelText({
        numFeatures: 2,
        trees: [
          twoLeaves,
          {
            splitFeature: [],
            threshold: [],
            decisionType: [],
            leftChild: [],
            rightChild: [],
            leafValue: [0.25],
          },
        ],
      }),
    );
    assert.deepEqual([...predictRaw(e, Float64Array.of(1, 0), 1)], [1.75]);
  });

  test("CRLF line endings read the same", () => {
    const text = lightgbmModelText({ numFeatures: 1, trees: [twoLeaves] });
    const a = importLightgbmText(text);
    const b = importLightgbmText(text.replace(/\n/g, "\r\n"));
    assert.deepEqual(b, a);
  });
});

describe("malformed, truncated and hostile LightGBM text is refused, naming the field", () => {
  const base = lightgbmModelText({
    numFeatures: 2,
    trees: [
      {
        splitFeature: [0, 1],
        threshold: [0.5, 0],
        decisionType: [2, 9],
        leftChild: [1, -2],
        rightChild: [-1, -3],
        leafValue: [1, 2, 3],
        catBoundaries: [0, 1],
        catThreshold: [6],
      },
      {
        splitFeature: [1],
        threshold: [1.5],
        decisionType: [10],
        leftChild: [-1],
        rightChild: [-2],
        leafValue: [0.5, -0.5],
      },
    ],
  });
  const rejects = (text: unknown, field: string) =>
    throwsWithCode(() => importLightgbmText(text), "MODELS_INVALID_PACKAGE", field);
  const edit = (from: string | RegExp, to: string): string => {
    const out = base.replace(from, to);
    assert.notEqual(out, base, `edit ${from} applies`);
    return out;
  };

  test("the base model imports", () => {
    assert.equal(importLightgbmText(base).treeRoot.length, 2);
  });

  test("not text, not a LightGBM model", () => {
    rejects(42, "$");
    rejects("", "$");
    rejects('{"learner": {}}', "$");
    rejects(base.replace("tree\n", "forest\n"), "$");
  });

  test("every cut before the end of the last tree is refused", () => {
    const end = base.indexOf("shrinkage=1", base.indexOf("Tree=1")) + "shrinkage=1".length;
    for (let cut = 0; cut < end; cut++) {
      assert.throws(
        () => importLightgbmText(base.slice(0, cut)),
        (e: unknown) => (e as { code?: string }).code === "MODELS_INVALID_PACKAGE",
        `cut at ${cut}: ${JSON.stringify(base.slice(Math.max(0, cut - 20), cut))}`,
      );
    }
  });

  test("header fields", () => {
    rejects(edit("objective=regression", "objective=cross_entropy_lambda"), "header.objective");
    rejects(edit("objective=regression", "objective=regression sqrt"), "header.objective");
    rejects(edit("objective=regression", "objective=binary sigmoid:-1"), "header.objective");
    rejects(edit("objective=regression\n", ""), "header.objective");
    rejects(edit("max_feature_idx=1", "max_feature_idx=1000000000"), "header.max_feature_idx");
    rejects(edit("max_feature_idx=1", "max_feature_idx=2"), "header.feature_names");
    rejects(
      edit("num_tree_per_iteration=1", "num_tree_per_iteration=2"),
      "header.num_tree_per_iteration",
    );
    rejects(edit(/tree_sizes=\d+ \d+/, "tree_sizes=1 2 3"), "header.tree_sizes");
    rejects(edit("Tree=1", "Tree=2"), "Tree=2");
    rejects(edit("num_leaves=2", "num_leaves=2\nnum_leaves=2"), "Tree=1.num_leaves");
  });

  test("tree arrays: counts, types, ranges", () => {
    rejects(edit("num_leaves=3", "num_leaves=1000000000"), "Tree=0.leaf_value");
    rejects(edit("leaf_value=1 2 3", "leaf_value=1 nan 3"), "Tree=0.leaf_value[1]");
    rejects(edit("leaf_value=1 2 3", "leaf_value=1 inf 3"), "Tree=0.leaf_value[1]");
    rejects(edit("threshold=0.5 0", "threshold=0.5x 0"), "Tree=0.threshold[0]");
    rejects(edit("split_feature=0 1", "split_feature=0 2"), "Tree=0.split_feature[1]");
    rejects(edit("decision_type=2 9", "decision_type=2 16"), "Tree=0.decision_type[1]");
    rejects(edit("decision_type=2 9", "decision_type=14 9"), "Tree=0.decision_type[0]");
    rejects(edit("left_child=1 -2", "left_child=1 -4"), "Tree=0.left_child[1]");
    rejects(edit("leaf_count=1 1 1", "leaf_count=1 -1 1"), "Tree=0.leaf_count[1]");
    rejects(edit("threshold=0.5 0", "threshold=0.5 1"), "Tree=0.threshold[1]");
    rejects(edit("cat_boundaries=0 1", "cat_boundaries=0 1000000000"), "Tree=0.cat_threshold");
    rejects(edit("num_cat=1", "num_cat=0"), "Tree=0.num_cat");
    rejects(edit("shrinkage=1\n\nTree=1", "\nTree=1"), "Tree=0.shrinkage");
    rejects(edit("num_leaves=3", "num_leaves=3\nis_linear=1"), "Tree=0.is_linear");
  });

  test("cycles, shared nodes and unreachable leaves", () => {
    rejects(edit("left_child=1 -2", "left_child=0 -2"), "Tree=0.left_child[0]");
    rejects(edit("right_child=-1 -3", "right_child=-2 -3"), "Tree=0.left_child[1]");
    rejects(edit("right_child=-1 -3", "right_child=-1 -2"), "Tree=0.right_child[1]");
  });

  test("a tree deeper than TreeEnsemble allows is refused before it is walked", () => {
    const n = 1100;
    const chain: LightgbmTreeSpec = {
      splitFeature: new Array<number>(n).fill(0),
      threshold: Array.from({ length: n }, (_, i) => i),
      decisionType: new Array<number>(n).fill(2),
      leftChild: Array.from({ length: n }, (_, i) => ~i),
      rightChild: Array.from({ length: n }, (_, i) => (i + 1 < n ? i + 1 : ~n)),
      leafValue: new Array<number>(n + 1).fill(1),
    };
    rejects(lightgbmModelText({ numFeatures: 1, trees: [chain] }), "Tree=0");
  });
});
