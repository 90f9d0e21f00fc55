import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createLocalArtifactStore } from "../../artifacts/local/local-artifact-store.ts";
import type { MetadataStore } from "../../metadata/metadata-store.ts";
import { createSqliteMetadataStore } from "../../metadata/sqlite/create-sqlite-metadata-store.ts";
import { createPredictionLog } from "../../serving/prediction-log/create-prediction-log.ts";
import { createPredictionLogReader } from "../../serving/prediction-log/create-prediction-log-reader.ts";
import { createLabelStore } from "../labels/create-label-store.ts";
import { profileColumns } from "../profile/profile-columns.ts";
import { createMonitorWindowMetricSource } from "./create-monitor-window-metric-source.ts";
import { normalReference, windowRecords } from "./testing/drift-records.ts";

// Real prediction log, real label store, a stored-profile reference: the metrics alerts
// see are monitorWindow's, labels included.

const HOUR = 3_600_000;
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % HOUR);
const dir = mkdtempSync(join(tmpdir(), "plinth-window-source-"));
const artifacts = createLocalArtifactStore({ root: join(dir, "artifacts") });
const reader = createPredictionLogReader(artifacts);
let metadata: MetadataStore;
const calm = windowRecords({
  deployment: "fraud",
  from: T0,
  spanMs: HOUR,
  n: 200,
  shift: 0,
  seed: 3,
});
const drifted = windowRecords({
  deployment: "fraud",
  from: T0 + HOUR,
  spanMs: HOUR,
  n: 200,
  shift: 3,
  seed: 4,
});

before(async () => {
  metadata = await createSqliteMetadataStore({ path: join(dir, "metadata.sqlite") });
  const log = createPredictionLog({
    artifacts,
    maxQueue: 10_000,
    segmentMaxRows: 1000,
    segmentMaxAgeMs: 60_000,
    flushIntervalMs: 50,
  });
  // A quarter of the calm hour's amounts are missing.
  calm.forEach((r, i) => {
    assert.ok(log.append(i % 4 === 0 ? { ...r, features: { ...r.features, amount: null } } : r));
  });
  for (const r of drifted) log.append(r);
  await log.close();
  // Half of the calm hour is labelled, and the label is exactly "score > 0.5": AUC 1.
  await createLabelStore(metadata).ingest(
    "fraud",
    calm
      .filter((_, i) => i % 2 === 1)
      .map((r) => ({ requestId: r.requestId, label: (r.outputs.score as number) > 0.5 ? 1 : 0 })),
  );
});
after(async () => {
  await metadata.close();
  rmSync(dir, { recursive: true, force: true });
});

test("drift, missing rates, prediction, labels and performance of a window; empty windows are no data", async () => {
  const reference = { profile: profileColumns(normalReference().features) };
  const source = createMonitorWindowMetricSource({
    predictions: reader,
    labels: createLabelStore(metadata),
    reference: async (d) => (d === "fraud" ? reference : undefined),
  });
  const metrics = [
    "drift_share",
    "feature_drift:age",
    "missing_rate:amount",
    "missing_rate:nope",
    "prediction_count",
    "prediction_mean",
    "label_coverage",
    "auc",
    "logloss",
  ];
  const hour0 = await source.values({ deployment: "fraud", from: T0, to: T0 + HOUR, metrics });
  assert.equal(hour0.drift_share, 0);
  assert.ok((hour0["feature_drift:age"] as number) > 0.05);
  assert.equal(hour0["missing_rate:amount"], 0.25);
  assert.equal(hour0["missing_rate:nope"], null);
  assert.equal(hour0.prediction_count, 200);
  const mean = calm.reduce((s, r) => s + (r.outputs.score as number), 0) / calm.length;
  assert.ok(Math.abs((hour0.prediction_mean as number) - mean) < 1e-9);
  assert.equal(hour0.label_coverage, 0.5);
  assert.equal(hour0.auc, 1);
  assert.ok((hour0.logloss as number) > 0);

  const hour1 = await source.values({
    deployment: "fraud",
    from: T0 + HOUR,
    to: T0 + 2 * HOUR,
    metrics,
  });
  assert.equal(hour1.drift_share, 1);
  assert.equal(hour1.label_coverage, 0);
  assert.equal(hour1.auc, null);

  const empty = await source.values({
    deployment: "fraud",
    from: T0 + 5 * HOUR,
    to: T0 + 6 * HOUR,
    metrics,
  });
  assert.equal(empty.prediction_count, 0);
  for (const m of metrics.filter((m) => m !== "prediction_count")) assert.equal(empty[m], null, m);

  // No reference for a deployment: counts only (or the fallback's answers).
  const unknown = await source.values({
    deployment: "search",
    from: T0,
    to: T0 + HOUR,
    metrics: ["prediction_count", "drift_share"],
  });
  assert.deepEqual(unknown, { prediction_count: 0, drift_share: null });
});
