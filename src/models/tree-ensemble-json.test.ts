import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createSeededRandom } from "../core/seeded-random.ts";
import { ensembleFromSpec } from "./testing/ensemble-from-spec.ts";
import { randomEnsemble } from "./testing/random-ensemble.ts";
import { throwsWithCode } from "./testing/throws-with-code.ts";
import type { TreeEnsemble } from "./tree-ensemble.ts";
import { treeEnsembleFromJson, treeEnsembleToJson } from "./tree-ensemble-json.ts";

/** Through JSON text and back, as a stored model travels. */
const roundTrip = (e: TreeEnsemble): TreeEnsemble =>
  treeEnsembleFromJson(JSON.parse(JSON.stringify(treeEnsembleToJson(e))));

/** Byte-for-byte equality of every member (Object.is-exact for -0 and NaN payload-free). */
function assertSameEnsemble(actual: TreeEnsemble, expected: TreeEnsemble): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const key of Object.keys(expected) as (keyof TreeEnsemble)[]) {
    const a = actual[key];
    const b = expected[key];
    if (ArrayBuffer.isView(b)) {
      assert.equal(a?.constructor, b.constructor, key);
      const bytes = (v: ArrayBufferView) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      assert.ok(bytes(a as ArrayBufferView).equals(bytes(b)), `${key} differs`);
    } else {
      assert.deepEqual(a, b, key);
    }
  }
}

const awkward = (): TreeEnsemble =>
  ensembleFromSpec({
    featureNames: ["a", 'naïve "quoted" name', ""],
    categoricalFeatures: [false, false, true],
    numOutputs: 2,
    treeOutput: [0, 1, 1],
    baseScore: [-0, 1e-310],
    link: "softmax",
    trees: [
      { feature: 0, threshold: -0, left: { leaf: 1e308, cover: 5e-324 }, right: { leaf: -1e308 } },
      { feature: 1, threshold: Number.POSITIVE_INFINITY, left: { leaf: 0.1 }, right: { leaf: -0 } },
      {
        feature: 2,
        categories: [0, 31, 95],
        defaultLeft: true,
        gain: 1 / 3,
        left: { leaf: Number.MIN_VALUE },
        right: {
          feature: 1,
          threshold: Number.NEGATIVE_INFINITY,
          left: { leaf: 2 },
          right: { leaf: 3 },
        },
      },
    ],
  });

describe("TreeEnsemble JSON", () => {
  test("round-trips every value exactly: -0, subnormals, 1e308, infinities, bitsets", () => {
    const e = awkward();
    const back = roundTrip(e);
    assertSameEnsemble(back, e);
    assert.ok(Object.is(back.threshold[0], -0));
    assert.ok(Object.is(back.baseScore[0], -0));
  });

  test("round-trips random ensembles, with and without gain", () => {
    const rng = createSeededRandom(11);
    const e = randomEnsemble(rng, {
      numFeatures: 4,
      numTrees: 30,
      maxDepth: 6,
      numOutputs: 3,
      categorical: [true, false, false, true],
    });
    assertSameEnsemble(roundTrip(e), e);
    const { gain: _, ...withoutGain } = e;
    const back = roundTrip(withoutGain);
    assert.equal(back.gain, undefined);
    assertSameEnsemble(back, withoutGain);
  });

  test("the document is compact: base64 arrays, no per-node objects", () => {
    const json = treeEnsembleToJson(awkward());
    assert.equal(json.format, "plinth.tree-ensemble");
    assert.equal(typeof json.arrays.threshold, "string");
    assert.equal(json.numNodes, 11);
  });

  describe("rejects malformed documents, naming the field", () => {
    type Doc = { [key: string]: unknown; arrays: Record<string, unknown> };
    const doc = (): Doc => JSON.parse(JSON.stringify(treeEnsembleToJson(awkward())));
    const rejects = (edit: (d: Doc) => void, field: string) => {
      const d = doc();
      edit(d);
      throwsWithCode(() => treeEnsembleFromJson(d), "MODELS_INVALID_PACKAGE", field);
    };

    test("not an object, wrong format or version", () => {
      throwsWithCode(() => treeEnsembleFromJson([]), "MODELS_INVALID_PACKAGE", "$");
      rejects((d) => {
        d.format = "xgboost";
      }, "format");
      rejects((d) => {
        d.version = 2;
      }, "version");
    });

    test("missing or mistyped fields", () => {
      rejects((d) => {
        delete d.arrays.left;
      }, "arrays.left");
      rejects((d) => {
        d.featureNames = "a,b";
      }, "featureNames");
      rejects((d) => {
        d.categoricalFeatures = [0, 1, 0];
      }, "categoricalFeatures[0]");
      rejects((d) => {
        d.numNodes = "11";
      }, "numNodes");
      rejects((d) => {
        d.link = "softplus";
      }, "ensemble.link");
    });

    test("arrays that are not base64 or have the wrong length", () => {
      rejects((d) => {
        d.arrays.value = "not base64!";
      }, "arrays.value");
      rejects((d) => {
        d.arrays.feature = Buffer.alloc(4 * 10).toString("base64");
      }, "arrays.feature");
      rejects((d) => {
        d.arrays.categoryBits = Buffer.alloc(6).toString("base64");
      }, "arrays.categoryBits");
    });

    test("a hostile node count is refused without allocating it", () => {
      rejects((d) => {
        d.numNodes = 1_000_000_000;
      }, "arrays.feature");
    });

    test("inconsistent content is caught by validation", () => {
      rejects((d) => {
        d.arrays.left = Buffer.from(Int32Array.from({ length: 11 }, () => 99).buffer).toString(
          "base64",
        );
      }, "ensemble.left[0]");
    });
  });
});
