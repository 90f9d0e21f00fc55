import assert from "node:assert/strict";
import { test } from "node:test";
import {
  expectedValue,
  featureImportance,
  generateFraudDataset,
  metrics,
  predict,
  predictRaw,
  toRowMajor,
  trainGbdt,
  treeShap,
} from "./index.ts";

// The README's TypeScript training example, at a small size: if this breaks, so does the README.
test("the public API trains, scores, evaluates and explains a model", async () => {
  const train = generateFraudDataset({ rows: 4000, seed: 1 });
  const test = generateFraudDataset({ rows: 2000, seed: 2 });
  const model = await trainGbdt(train, { objective: "binary", numRounds: 40, maxDepth: 4 });
  const rows = toRowMajor(test);
  const probability = predict(model.ensemble, rows, test.numRows);
  const auc = metrics.rocAuc(test.label, probability);
  assert.ok(auc > 0.75, `test AUC ${auc}`);

  const contributions = treeShap(model.ensemble, rows.subarray(0, 10 * 32), 10);
  const raw = predictRaw(model.ensemble, rows.subarray(0, 10 * 32), 10);
  // Each row's 32 contributions and its bias (the 33rd entry) add up to its raw score.
  for (let r = 0; r < 10; r++) {
    let sum = 0;
    for (let f = 0; f <= 32; f++) sum += contributions[r * 33 + f] as number;
    assert.ok(Math.abs(sum - (raw[r] as number)) < 1e-9);
    assert.equal(contributions[r * 33 + 32], expectedValue(model.ensemble)[0]);
  }
  const importance = featureImportance(model.ensemble);
  assert.equal(importance.totalGain?.length, 32);
});
