import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ensembleFromSpec } from "../testing/ensemble-from-spec.ts";
import { loadXgboostFixtures } from "../testing/xgboost-fixtures.ts";
import { featureImportance } from "./feature-importance.ts";

describe("featureImportance", () => {
  const e = ensembleFromSpec({
    featureNames: ["a", "b", "c"],
    trees: [
      {
        feature: 0,
        gain: 6,
        cover: 10,
        left: { feature: 1, gain: 2, cover: 4, left: { leaf: 1 }, right: { leaf: 2 } },
        right: { leaf: 3, cover: 6 },
      },
      { feature: 0, gain: 4, cover: 8, left: { leaf: 1 }, right: { leaf: 2 } },
    ],
  });

  test("split counts, total and average gain and cover per feature", () => {
    const importance = featureImportance(e);
    assert.deepEqual([...importance.split], [2, 1, 0]);
    assert.deepEqual([...(importance.totalGain ?? [])], [10, 2, 0]);
    assert.deepEqual([...(importance.averageGain ?? [])], [5, 2, 0]);
    assert.deepEqual([...importance.totalCover], [18, 4, 0]);
    assert.deepEqual([...importance.averageCover], [9, 4, 0]);
  });

  test("without per-node gain, the gain importances are null", () => {
    const { gain: _, ...noGain } = e;
    const importance = featureImportance(noGain);
    assert.equal(importance.totalGain, null);
    assert.equal(importance.averageGain, null);
    assert.deepEqual([...importance.split], [2, 1, 0]);
  });

  for (const f of loadXgboostFixtures()) {
    test(`${f.name}: matches XGBoost's get_score`, () => {
      const importance = featureImportance(f.ensemble);
      const ours: Record<string, Float64Array | null> = {
        weight: importance.split,
        gain: importance.averageGain,
        total_gain: importance.totalGain,
        cover: importance.averageCover,
        total_cover: importance.totalCover,
      };
      for (const [type, scores] of Object.entries(f.importance)) {
        const values = ours[type];
        assert.ok(values, type);
        f.ensemble.featureNames.forEach((name, i) => {
          const expected = scores[name] ?? 0;
          const actual = values[i] as number;
          assert.ok(
            Math.abs(actual - expected) <= 1e-5 * Math.max(1, Math.abs(expected)),
            `${type} of ${name}: ${actual} vs ${expected}`,
          );
        });
      }
    });
  }
});
