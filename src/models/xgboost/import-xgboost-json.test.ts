import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { throwsWithCode } from "../testing/throws-with-code.ts";
import { loadXgboostFixtures } from "../testing/xgboost-fixtures.ts";
import { nextNode } from "../tree-decision.ts";
import type { TreeEnsemble } from "../tree-ensemble.ts";
import { predict, predictRaw, predictRowRaw } from "../tree-predictor.ts";
import { importXgboostJson } from "./import-xgboost-json.ts";
import { parseXgboostJsonText } from "./parse-xgboost-json-text.ts";

const fixtures = loadXgboostFixtures();

/** The leaf each tree sends a row to. */
function leafValues(e: TreeEnsemble, row: Float64Array): number[] {
  return Array.from(e.treeRoot, (root) => {
    let n = root;
    while (e.feature[n] !== -1) n = nextNode(e, n, row[e.feature[n] as number] as number);
    return e.value[n] as number;
  });
}

describe("XGBoost fixtures: predictions", () => {
  test("every objective the importer supports has a fixture", () => {
    const objectives = new Set(fixtures.map((f) => f.objective));
    for (const name of [
      "binary:logistic",
      "reg:squarederror",
      "reg:absoluteerror",
      "reg:pseudohubererror",
      "count:poisson",
      "multi:softprob",
      "multi:softmax",
      "rank:pairwise",
      "rank:ndcg",
    ]) {
      assert.ok(objectives.has(name), name);
    }
  });

  for (const f of fixtures) {
    describe(f.name, () => {
      const e = f.ensemble;
      const K = e.numOutputs;

      // XGBoost adds float32 leaf values into a float32 sum, tree by tree; plinth sums in
      // float64. Redoing XGBoost's float32 sum from plinth's routing must give its margins
      // bit for bit: every branch taken and every leaf value is then the same as XGBoost's.
      test("routes every row to XGBoost's leaves (float32 sums are bit-identical)", () => {
        for (let r = 0; r < f.numRows; r++) {
          const sums = Array.from(e.baseScore, Math.fround);
          const leaves = leafValues(e, f.rows.subarray(r * f.numFeatures, (r + 1) * f.numFeatures));
          leaves.forEach((v, t) => {
            const k = e.treeOutput[t] as number;
            sums[k] = Math.fround((sums[k] as number) + v);
          });
          assert.deepEqual(sums, [...f.margin.subarray(r * K, (r + 1) * K)], `row ${r}`);
        }
      });

      // The float64 sum differs from XGBoost's float32 one by rounding only: a few float32
      // ulps, which is 1e-6 relative at most for these 20-40 tree models.
      test("raw margins within 1e-6 (relative beyond 1)", () => {
        const margin = predictRaw(e, f.rows, f.numRows);
        assert.equal(margin.length, f.margin.length);
        margin.forEach((m, i) => {
          const x = f.margin[i] as number;
          assert.ok(Math.abs(m - x) <= 1e-6 * Math.max(1, Math.abs(x)), `${i}: ${m} vs ${x}`);
        });
      });

      if (f.objective === "multi:softmax") {
        test("predict() probabilities: their argmax is XGBoost's class", () => {
          const p = predict(e, f.rows, f.numRows);
          for (let r = 0; r < f.numRows; r++) {
            const row = [...p.subarray(r * K, (r + 1) * K)];
            assert.equal(row.indexOf(Math.max(...row)), f.prediction[r], `row ${r}`);
          }
        });
      } else {
        // exp turns a margin difference d into a relative difference d, so Poisson rates
        // are compared relatively (1e-6 of max(1, rate)); other links are within 1e-6.
        test("predict() within 1e-6 of XGBoost's", () => {
          const p = predict(e, f.rows, f.numRows);
          const relative = e.link === "exp";
          p.forEach((v, i) => {
            const x = f.prediction[i] as number;
            const tolerance = 1e-6 * (relative ? Math.max(1, Math.abs(x)) : 1);
            assert.ok(Math.abs(v - x) <= tolerance, `${i}: ${v} vs ${x}`);
          });
        });
      }

      test("single-row path equals the batch path", () => {
        const batch = predictRaw(e, f.rows, f.numRows);
        const out = new Float64Array(K);
        for (let r = 0; r < f.numRows; r++) {
          predictRowRaw(e, f.rows.subarray(r * f.numFeatures, (r + 1) * f.numFeatures), out);
          assert.deepEqual([...out], [...batch.subarray(r * K, (r + 1) * K)]);
        }
      });
    });
  }
});

describe("XGBoost fixtures: model details", () => {
  const byName = (name: string) => {
    const f = fixtures.find((x) => x.name === name);
    assert.ok(f, name);
    return f;
  };

  test("links, outputs and base margins per objective", () => {
    const expected: Record<string, [string, number]> = {
      "binary-logistic": ["logistic", 1],
      "count-poisson": ["exp", 1],
      "multi-softprob": ["softmax", 3],
      "multi-softmax": ["softmax", 3],
      "rank-ndcg": ["identity", 1],
      "reg-absoluteerror": ["identity", 1],
    };
    for (const [name, [link, outputs]] of Object.entries(expected)) {
      const e = byName(name).ensemble;
      assert.equal(e.link, link, name);
      assert.equal(e.numOutputs, outputs, name);
    }
    // base_score 0.5 is margin 0 for logistic, log(0.5) for Poisson.
    assert.ok(byName("binary-logistic").ensemble.baseScore[0] === 0);
    assert.equal(byName("count-poisson").ensemble.baseScore[0], Math.fround(Math.log(0.5)));
  });

  test("feature names from feature_names, else f0..fN; categorical from feature_types", () => {
    assert.deepEqual(byName("binary-logistic").ensemble.featureNames, [
      "x0",
      "x1",
      "x2",
      "x3",
      "x4",
    ]);
    assert.deepEqual(byName("reg-squarederror").ensemble.featureNames, [
      "f0",
      "f1",
      "f2",
      "f3",
      "f4",
    ]);
    const categorical = byName("categorical").ensemble;
    assert.deepEqual(categorical.featureNames, ["a", "b", "c", "small", "large"]);
    assert.deepEqual(categorical.categoricalFeatures, [false, false, false, true, true]);
    assert.ok(categorical.categoryOffset.some((o) => o >= 0));
  });

  test("the categorical fixture needs no categoryCounts: every code appears in some split", () => {
    const f = byName("categorical");
    const plain = importXgboostJson(f.modelText);
    assert.deepEqual(
      predictRaw(plain, f.rows, f.numRows),
      predictRaw(f.ensemble, f.rows, f.numRows),
    );
  });

  test("float64 inputs beside split values: plain float32 thresholds would route them wrongly", () => {
    const f = byName("float64-inputs");
    const naive = { ...f.ensemble, threshold: f.ensemble.threshold.map(Math.fround) };
    const ours = predictRaw(f.ensemble, f.rows, f.numRows);
    const wrong = predictRaw(naive, f.rows, f.numRows);
    let differing = 0;
    ours.forEach((v, i) => {
      if (Math.abs(v - (wrong[i] as number)) > 1e-6) differing++;
    });
    assert.ok(differing > 20, `only ${differing} rows differ: the fixture does not probe ties`);
  });

  test("leaf values come from split_conditions, not base_weights", () => {
    const f = byName("reg-absoluteerror");
    const tree = (parseXgboostJsonText(f.modelText) as XgbModel).learner.gradient_booster.model
      .trees[0];
    assert.ok(tree !== undefined, "the model has a first tree");
    const leaves = tree.left_children.flatMap((l, i) => (l === -1 ? [i] : []));
    assert.ok(leaves.some((i) => tree.base_weights[i] !== tree.split_conditions[i]));
  });
});

type XgbTree = Record<string, unknown> & {
  left_children: number[];
  right_children: number[];
  split_conditions: (number | string)[];
  base_weights: number[];
  split_indices: number[];
  split_type: number[];
  default_left: number[];
  categories: number[];
  categories_nodes: number[];
  categories_segments: number[];
  categories_sizes: number[];
  tree_param: Record<string, string>;
};
type XgbModel = {
  learner: {
    [key: string]: unknown;
    learner_model_param: Record<string, string>;
    objective: { name: string };
    feature_names: string[];
    feature_types: string[];
    gradient_booster: {
      name: string;
      model: { gbtree_model_param: Record<string, string>; tree_info: number[]; trees: XgbTree[] };
    };
  };
};

/** One tree: node 0 splits feature `feature` (numeric at 0.1, or categorical), leaves -1 / +1. */
function tinyModel(
  split: { categorical?: number[]; defaultLeft?: 0 | 1; feature?: number } = {},
): XgbModel {
  const categorical = split.categorical !== undefined;
  return {
    learner: {
      attributes: {},
      feature_names: [],
      feature_types: ["float", categorical ? "c" : "float"],
      learner_model_param: {
        base_score: "5E-1",
        num_class: "0",
        num_feature: "2",
        num_target: "1",
      },
      objective: { name: "reg:squarederror" },
      gradient_booster: {
        name: "gbtree",
        model: {
          gbtree_model_param: { num_trees: "1", num_parallel_tree: "1" },
          tree_info: [0],
          trees: [
            {
              base_weights: [0, -1, 1],
              categories: split.categorical ?? [],
              categories_nodes: categorical ? [0] : [],
              categories_segments: categorical ? [0] : [],
              categories_sizes: categorical ? [split.categorical?.length ?? 0] : [],
              default_left: [split.defaultLeft ?? 0, 0, 0],
              id: 0,
              left_children: [1, -1, -1],
              loss_changes: [3, 0, 0],
              parents: [2147483647, 0, 0],
              right_children: [2, -1, -1],
              split_conditions: [categorical ? "NaN" : 0.1, -1, 1],
              split_indices: [split.feature ?? (categorical ? 1 : 0), 0, 0],
              split_type: [categorical ? 1 : 0, 0, 0],
              sum_hessian: [2, 1, 1],
              tree_param: {
                num_deleted: "0",
                num_feature: "2",
                num_nodes: "3",
                size_leaf_vector: "0",
              },
            },
          ],
        },
      },
    },
  };
}

const score = (e: TreeEnsemble, x0: number, x1: number): number =>
  (predictRaw(e, Float64Array.of(x0, x1), 1)[0] as number) - 0.5;

describe("XGBoost semantics on tiny models", () => {
  test("float32 comparison: a float64 input that rounds onto the threshold goes right", () => {
    const e = importXgboostJson(tinyModel());
    const t = Math.fround(0.1);
    assert.equal(score(e, t, 0), 1);
    assert.equal(score(e, 0.1, 0), 1, "0.1 < fround(0.1) in float64, but rounds to it");
    assert.equal(score(e, 0.09999999, 0), -1);
  });

  test("categorical, default_left=1: listed codes right, every other code left, as XGBoost", () => {
    const e = importXgboostJson(tinyModel({ categorical: [1, 3], defaultLeft: 1 }));
    assert.equal(score(e, 0, 1), 1);
    assert.equal(score(e, 0, 3), 1);
    for (const code of [0, 2, 4, 31, 32, 40, 1000, -1, Number.NaN]) {
      assert.equal(score(e, 0, code), -1, `code ${code}`);
    }
  });

  test("categorical, default_left=0: codes beyond the bitset follow the default unless categoryCounts covers them", () => {
    const model = tinyModel({ categorical: [1], defaultLeft: 0 });
    const e = importXgboostJson(model);
    assert.equal(score(e, 0, 1), 1);
    assert.equal(score(e, 0, 0), -1);
    assert.equal(score(e, 0, 31), -1, "inside the 32-code word: left, as XGBoost");
    assert.equal(score(e, 0, Number.NaN), 1, "missing: default_left=0 is right");
    assert.equal(score(e, 0, 40), 1, "beyond the bitset: plinth's default; XGBoost would go left");
    const counted = importXgboostJson(model, { categoryCounts: { f1: 41 } });
    assert.equal(score(counted, 0, 40), -1);
    assert.equal(score(counted, 0, 1), 1);
  });

  test("categoryCounts must name a feature and be a count", () => {
    throwsWithCode(
      () => importXgboostJson(tinyModel(), { categoryCounts: { nope: 3 } }),
      "INVALID_ARGUMENT",
      "categoryCounts.nope",
    );
    throwsWithCode(
      () => importXgboostJson(tinyModel(), { categoryCounts: { f1: -3 } }),
      "INVALID_ARGUMENT",
      "categoryCounts.f1",
    );
  });

  test("text with bare NaN / Infinity tokens parses; the same words inside strings stay text", () => {
    const model = tinyModel({ categorical: [2] });
    model.learner.feature_names = ['NaN "Infinity"', "-Infinity"];
    const tree = model.learner.gradient_booster.model.trees[0] as XgbTree;
    tree.split_conditions = ["NaN", "-Infinity", "Infinity"];
    const text = JSON.stringify(model).replace(
      '["NaN","-Infinity","Infinity"]',
      "[NaN,-Infinity,Infinity]",
    );
    assert.ok(text.includes("[NaN,-Infinity,Infinity]"));
    throwsWithCode(
      () => importXgboostJson(text),
      "MODELS_INVALID_PACKAGE",
      "learner.gradient_booster.model.trees[0].split_conditions[1]",
    );
    const fine = text.replace("[NaN,-Infinity,Infinity]", "[NaN,-1,1]");
    assert.deepEqual(importXgboostJson(fine).featureNames, ['NaN "Infinity"', "-Infinity"]);
  });

  test("pruned nodes not reachable from the root are dropped", () => {
    const model = tinyModel();
    const tree = model.learner.gradient_booster.model.trees[0] as XgbTree;
    tree.left_children.push(-1);
    tree.right_children.push(-1);
    for (const key of [
      "base_weights",
      "loss_changes",
      "sum_hessian",
      "split_conditions",
      "split_indices",
      "split_type",
      "default_left",
    ]) {
      (tree[key] as unknown[]).push(0);
    }
    (tree.parents as number[]).push(2147483647);
    tree.tree_param.num_nodes = "4";
    assert.equal(importXgboostJson(model).feature.length, 3);
  });
});

describe("malformed XGBoost models are refused, naming the JSON path", () => {
  const T = "learner.gradient_booster.model.trees[0]";
  const rejects = (edit: (m: XgbModel) => void, field: string, message?: RegExp) => {
    const model = tinyModel();
    edit(model);
    assert.throws(
      () => importXgboostJson(model),
      (e: unknown) => {
        assert.ok(isPlinthError(e, "MODELS_INVALID_PACKAGE"), String(e));
        assert.equal(e.field, field, e.message);
        if (message) assert.match(e.message, message);
        return true;
      },
    );
  };
  const tree = (m: XgbModel) => m.learner.gradient_booster.model.trees[0] as XgbTree;

  test("not JSON, not an object, missing sections", () => {
    throwsWithCode(() => importXgboostJson("{ not json"), "MODELS_INVALID_PACKAGE", "$");
    throwsWithCode(() => importXgboostJson(42), "MODELS_INVALID_PACKAGE", "$");
    throwsWithCode(() => importXgboostJson({}), "MODELS_INVALID_PACKAGE", "learner");
    rejects((m) => {
      delete (m.learner as Record<string, unknown>).learner_model_param;
    }, "learner.learner_model_param");
    rejects((m) => {
      delete (tree(m) as Record<string, unknown>).sum_hessian;
    }, `${T}.sum_hessian`);
  });

  test("unsupported objective or booster, named in the message", () => {
    rejects(
      (m) => {
        m.learner.objective.name = "reg:gamma";
      },
      "learner.objective.name",
      /reg:gamma/,
    );
    rejects(
      (m) => {
        m.learner.gradient_booster.name = "dart";
      },
      "learner.gradient_booster.name",
      /dart/,
    );
    rejects((m) => {
      m.learner.learner_model_param.num_class = "3";
    }, "learner.learner_model_param.num_class");
  });

  test("wrong types and bad scalar values", () => {
    rejects((m) => {
      tree(m).split_conditions[0] = "0.1";
    }, `${T}.split_conditions[0]`);
    rejects((m) => {
      tree(m).left_children[0] = 1.5;
    }, `${T}.left_children[0]`);
    rejects((m) => {
      tree(m).default_left[0] = 2;
    }, `${T}.default_left[0]`);
    rejects((m) => {
      m.learner.learner_model_param.base_score = "half";
    }, "learner.learner_model_param.base_score");
    rejects((m) => {
      m.learner.objective.name = "binary:logistic";
      m.learner.learner_model_param.base_score = "1.5";
    }, "learner.learner_model_param.base_score");
    rejects((m) => {
      m.learner.feature_names = ["only one"];
    }, "learner.feature_names");
  });

  test("hostile sizes are refused before allocation", () => {
    rejects(
      (m) => {
        tree(m).tree_param.num_nodes = "1000000000";
      },
      `${T}.split_type`,
      /1000000000/,
    );
    rejects((m) => {
      m.learner.learner_model_param.num_feature = "1000000000";
    }, "learner.learner_model_param.num_feature");
    rejects((m) => {
      m.learner.learner_model_param.num_class = "1000000000";
    }, "learner.learner_model_param.num_class");
    rejects((m) => {
      m.learner.gradient_booster.model.gbtree_model_param.num_trees = "1000000000";
    }, "learner.gradient_booster.model.gbtree_model_param.num_trees");
    rejects((m) => {
      const t = tree(m);
      t.split_type[0] = 1;
      t.categories = [2 ** 24];
      t.categories_nodes = [0];
      t.categories_segments = [0];
      t.categories_sizes = [1];
    }, `${T}.categories[0]`);
    rejects((m) => {
      const t = tree(m);
      t.split_type[0] = 1;
      t.categories = [1];
      t.categories_nodes = [0];
      t.categories_segments = [0];
      t.categories_sizes = [1_000_000];
    }, `${T}.categories_sizes[0]`);
    rejects(
      (m) => {
        // 20 trees each with a node naming category 2^24 - 1: 20 × 2^19 words of bitsets.
        const model = m.learner.gradient_booster.model;
        const t = tree(m);
        t.split_type[0] = 1;
        t.split_indices[0] = 1;
        t.categories = [2 ** 24 - 1];
        t.categories_nodes = [0];
        t.categories_segments = [0];
        t.categories_sizes = [1];
        model.trees = Array.from({ length: 20 }, () => t);
        model.tree_info = model.trees.map(() => 0);
        model.gbtree_model_param.num_trees = "20";
      },
      "learner.gradient_booster.model.trees",
      /words/,
    );
  });

  test("indices out of range, cycles, half-leaves", () => {
    rejects((m) => {
      tree(m).left_children[0] = 3;
    }, `${T}.left_children[0]`);
    rejects((m) => {
      tree(m).split_indices[0] = 2;
    }, `${T}.split_indices[0]`);
    rejects((m) => {
      m.learner.gradient_booster.model.tree_info[0] = 1;
    }, "learner.gradient_booster.model.tree_info[0]");
    rejects((m) => {
      m.learner.gradient_booster.model.tree_info.push(0);
    }, "learner.gradient_booster.model.tree_info");
    rejects(
      (m) => {
        tree(m).left_children[1] = 0;
        tree(m).right_children[1] = 2;
      },
      `${T}.left_children[1]`,
      /reached twice/,
    );
    rejects((m) => {
      tree(m).right_children[1] = 2;
    }, `${T}.right_children[1]`);
  });

  test("NaN where a number is needed, and a categorical node without categories", () => {
    rejects((m) => {
      tree(m).split_conditions[0] = "NaN";
    }, `${T}.split_conditions[0]`);
    rejects((m) => {
      tree(m).split_conditions[1] = "Infinity";
    }, `${T}.split_conditions[1]`);
    rejects((m) => {
      tree(m).split_type[0] = 1;
    }, `${T}.categories_nodes`);
  });
});
