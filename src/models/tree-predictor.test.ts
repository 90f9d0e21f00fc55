import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createSeededRandom } from "../core/seeded-random.ts";
import { ensembleFromSpec } from "./testing/ensemble-from-spec.ts";
import { randomEnsemble, randomRows } from "./testing/random-ensemble.ts";
import { throwsWithCode } from "./testing/throws-with-code.ts";
import { nextNode } from "./tree-decision.ts";
import type { TreeEnsemble } from "./tree-ensemble.ts";
import { predict, predictRaw, predictRow, predictRowRaw } from "./tree-predictor.ts";

/** The decision rule walked node by node, as the TreeEnsemble JSDoc states it. */
function referenceRaw(e: TreeEnsemble, rows: Float64Array, numRows: number): Float64Array {
  const F = e.featureNames.length;
  const out = new Float64Array(numRows * e.numOutputs);
  for (let r = 0; r < numRows; r++) {
    out.set(e.baseScore, r * e.numOutputs);
    for (let t = 0; t < e.treeRoot.length; t++) {
      let n = e.treeRoot[t] as number;
      while (e.feature[n] !== -1)
        n = nextNode(e, n, rows[r * F + (e.feature[n] as number)] as number);
      const at = r * e.numOutputs + (e.treeOutput[t] as number);
      out[at] = (out[at] as number) + (e.value[n] as number);
    }
  }
  return out;
}

const one = (e: TreeEnsemble, ...row: number[]): number => {
  const out = new Float64Array(e.numOutputs);
  predictRowRaw(e, Float64Array.from(row), out);
  return out[0] as number;
};

describe("decision rule on hand-built trees", () => {
  const numeric = (defaultLeft: boolean) =>
    ensembleFromSpec({
      featureNames: ["x"],
      trees: [{ feature: 0, threshold: 0.5, defaultLeft, left: { leaf: 1 }, right: { leaf: 2 } }],
    });

  test("numeric: x < threshold goes left, equality goes right", () => {
    const e = numeric(false);
    assert.equal(one(e, 0.49), 1);
    assert.equal(one(e, 0.5), 2);
    assert.equal(one(e, 0.51), 2);
    assert.equal(one(e, Number.NEGATIVE_INFINITY), 1);
    assert.equal(one(e, Number.POSITIVE_INFINITY), 2);
  });

  test("numeric: NaN takes the default direction", () => {
    assert.equal(one(numeric(false), Number.NaN), 2);
    assert.equal(one(numeric(true), Number.NaN), 1);
  });

  test("infinite thresholds", () => {
    const e = ensembleFromSpec({
      featureNames: ["x"],
      trees: [
        { feature: 0, threshold: Number.POSITIVE_INFINITY, left: { leaf: 1 }, right: { leaf: 2 } },
        {
          feature: 0,
          threshold: Number.NEGATIVE_INFINITY,
          left: { leaf: 10 },
          right: { leaf: 20 },
        },
      ],
    });
    assert.equal(one(e, 1e308), 21);
    assert.equal(one(e, Number.POSITIVE_INFINITY), 22);
  });

  const categorical = (defaultLeft: boolean) =>
    ensembleFromSpec({
      featureNames: ["colour"],
      categoricalFeatures: [true],
      trees: [
        {
          feature: 0,
          categories: [1, 3, 33],
          categoryWords: 2,
          defaultLeft,
          left: { leaf: 1 },
          right: { leaf: 2 },
        },
      ],
    });

  test("categorical: codes in the set go left, other valid codes right", () => {
    const e = categorical(false);
    for (const code of [1, 3, 33]) assert.equal(one(e, code), 1, `code ${code}`);
    for (const code of [0, 2, 4, 31, 32, 63]) assert.equal(one(e, code), 2, `code ${code}`);
  });

  test("categorical: NaN, negative, non-integer and beyond-the-bitset codes take the default", () => {
    for (const defaultLeft of [false, true]) {
      const e = categorical(defaultLeft);
      const expected = defaultLeft ? 1 : 2;
      for (const code of [Number.NaN, -1, -0.5, 1.5, 64, 1e9, Number.POSITIVE_INFINITY]) {
        assert.equal(one(e, code), expected, `code ${code}, defaultLeft ${defaultLeft}`);
      }
    }
  });

  test("-0 is code 0", () => {
    assert.equal(one(categorical(true), -0), 2);
  });

  test("a single-leaf tree and an empty ensemble", () => {
    const e = ensembleFromSpec({ featureNames: ["x"], trees: [{ leaf: 3 }], baseScore: [0.5] });
    assert.equal(one(e, 7), 3.5);
    const empty = ensembleFromSpec({ featureNames: ["x"], trees: [], baseScore: [0.25] });
    assert.deepEqual([...predictRaw(empty, Float64Array.of(1, 2), 2)], [0.25, 0.25]);
  });
});

describe("links", () => {
  const rows = Float64Array.of(0, 1);
  const twoTrees = (link: "identity" | "logistic" | "exp") =>
    ensembleFromSpec({
      featureNames: ["x"],
      trees: [{ feature: 0, threshold: 0.5, left: { leaf: -1 }, right: { leaf: 2 } }],
      baseScore: [0.5],
      link,
    });

  test("identity, logistic and exp apply to every raw score", () => {
    assert.deepEqual([...predict(twoTrees("identity"), rows, 2)], [-0.5, 2.5]);
    const logistic = predict(twoTrees("logistic"), rows, 2);
    assert.ok(Math.abs((logistic[0] as number) - 1 / (1 + Math.exp(0.5))) < 1e-15);
    assert.ok(Math.abs((logistic[1] as number) - 1 / (1 + Math.exp(-2.5))) < 1e-15);
    const exp = predict(twoTrees("exp"), rows, 2);
    assert.ok(Math.abs((exp[1] as number) - Math.exp(2.5)) < 1e-12);
  });

  test("softmax normalises each row over the outputs, stably for large scores", () => {
    const e = ensembleFromSpec({
      featureNames: ["x"],
      numOutputs: 3,
      treeOutput: [0, 1, 2],
      trees: [
        { leaf: 1000 },
        { leaf: 1001 },
        { feature: 0, threshold: 0.5, left: { leaf: 999 }, right: { leaf: 1002 } },
      ],
      link: "softmax",
    });
    const p = predict(e, rows, 2);
    const z = [Math.exp(-1), 1, Math.exp(-2)];
    const sum = z.reduce((a, b) => a + b);
    for (let k = 0; k < 3; k++)
      assert.ok(Math.abs((p[k] as number) - (z[k] as number) / sum) < 1e-15);
    assert.ok(Math.abs((p[3] as number) + (p[4] as number) + (p[5] as number) - 1) < 1e-15);
    const row = new Float64Array(3);
    predictRow(e, Float64Array.of(1), row);
    assert.deepEqual([...row], [...p.subarray(3)]);
  });
});

describe("batch and single-row paths agree with the reference walk", () => {
  const categorical = [false, true, false, true];
  for (const [seed, numOutputs] of [
    [1, 1],
    [2, 3],
  ] as const) {
    test(`random ensembles, ${numOutputs} output(s), several row blocks`, () => {
      const rng = createSeededRandom(seed);
      const e = randomEnsemble(rng, {
        numFeatures: 4,
        numTrees: 25,
        maxDepth: 6,
        numOutputs,
        categorical,
      });
      const numRows = 2500;
      const rows = randomRows(rng, numRows, categorical);
      const expected = referenceRaw(e, rows, numRows);
      assert.deepEqual(predictRaw(e, rows, numRows), expected);
      const out = new Float64Array(numOutputs);
      for (let r = 0; r < numRows; r += 7) {
        predictRowRaw(e, rows.subarray(r * 4, r * 4 + 4), out);
        assert.deepEqual([...out], [...expected.subarray(r * numOutputs, (r + 1) * numOutputs)]);
      }
    });
  }
});

describe("input checks", () => {
  const e = ensembleFromSpec({ featureNames: ["a", "b"], trees: [{ leaf: 1 }] });

  test("batch input of the wrong size, count or type", () => {
    throwsWithCode(() => predictRaw(e, new Float64Array(3), 2), "MODELS_INVALID_INPUT", "rows");
    throwsWithCode(
      () => predictRaw(e, new Float64Array(4), 1.5),
      "MODELS_INVALID_INPUT",
      "numRows",
    );
    throwsWithCode(() => predictRaw(e, new Float64Array(4), -2), "MODELS_INVALID_INPUT", "numRows");
    const plain = [1, 2] as unknown as Float64Array;
    throwsWithCode(() => predict(e, plain, 1), "MODELS_INVALID_INPUT", "rows");
  });

  test("single row of the wrong width, or an output buffer of the wrong size", () => {
    throwsWithCode(
      () => predictRowRaw(e, new Float64Array(3), new Float64Array(1)),
      "MODELS_INVALID_INPUT",
      "row",
    );
    throwsWithCode(
      () => predictRowRaw(e, new Float64Array(2), new Float64Array(2)),
      "MODELS_INVALID_INPUT",
      "out",
    );
  });

  test("an invalid ensemble is refused before scoring", () => {
    const cyclic = {
      ...e,
      left: Int32Array.of(0),
      right: Int32Array.of(0),
      feature: Int32Array.of(0),
    };
    throwsWithCode(() => predictRaw(cyclic, new Float64Array(2), 1), "MODELS_INVALID_PACKAGE");
  });
});
