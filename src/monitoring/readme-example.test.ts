import assert from "node:assert/strict";
import { test } from "node:test";
import {
  computeDrift,
  computePerformance,
  fitCbpe,
  generateFraudDataset,
  mergeProfiles,
  predict,
  profileColumns,
  profileFromJson,
  profileToJson,
  toRowMajor,
  trainGbdt,
} from "../index.ts";

// The README's "Monitoring" TypeScript example, at a small size: if this breaks, so does the README.
test("the README's monitoring example runs", async () => {
  const train = generateFraudDataset({ rows: 4000, seed: 1 });
  const today = generateFraudDataset({ rows: 2000, seed: 2 });
  const { ensemble } = await trainGbdt(train, { objective: "binary", numRounds: 20, maxDepth: 4 });

  const stored = JSON.stringify(profileToJson(profileColumns(train.features))); // keep with the model version
  const reference = profileFromJson(JSON.parse(stored));
  const hours = [0, 1].map(() => profileColumns(today.features, { edgesFrom: reference }));
  const day = hours.reduce(mergeProfiles);
  assert.equal(day.rows, 4000);

  const drift = computeDrift({ reference: train.features, current: today.features });
  assert.equal(drift.tested, 32);
  assert.equal(typeof drift.datasetDrift, "boolean");

  const score = predict(ensemble, toRowMajor(today), today.numRows);
  const label = today.label.map((y, i) => (i < 1000 ? y : Number.NaN)); // half the labels are in
  const hour = 3_600_000;
  const timestamp = Float64Array.from(score, (_, i) => Date.UTC(2024, 0, 1) + (i % 4) * hour);
  const cbpe = fitCbpe(predict(ensemble, toRowMajor(train), train.numRows), train.label);
  const performance = computePerformance({
    task: "binary",
    prediction: score,
    label,
    timestamp,
    windowMs: hour,
    cbpe,
  });
  const first = performance.overall[0]!;
  assert.equal(performance.overall.length, 4);
  assert.ok(first.labelCoverage! > 0.3 && first.labelCoverage! < 0.7);
  assert.ok(first.metrics.auc! > 0.6 && first.estimated!.auc! > 0.6);
});
