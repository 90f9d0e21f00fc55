import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import {
  createDuckDbOfflineStore,
  defineFeatures,
  entity,
  featureService,
  featureView,
  onDemandFeatureView,
  parquetSource,
  requestSource,
} from "./index.ts";

// The feature store example of the report's README snippet, at a small size.
const dir = mkdtempSync(join(tmpdir(), "plinth-readme-features-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("the README feature-store example builds a point-in-time training set", async () => {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run(`COPY (SELECT * FROM (VALUES
      (7, TIMESTAMP '2024-05-01 08:00', TIMESTAMP '2024-05-01 08:05', 120.0, 3),
      (7, TIMESTAMP '2024-05-02 08:00', TIMESTAMP '2024-05-02 08:05', 80.0, 5)
    ) t(card_id, event_ts, created_ts, avg_amount_7d, txn_count_7d)) TO '${dir}/card_stats.parquet' (FORMAT parquet)`);
  await connection.run(`COPY (SELECT * FROM (VALUES
      (7, TIMESTAMP '2024-05-01 12:00', 240.0, true),
      (7, TIMESTAMP '2024-05-03 09:00', 40.0, false),
      (9, TIMESTAMP '2024-05-03 09:00', 10.0, false)
    ) t(card_id, event_timestamp, amount, is_fraud)) TO '${dir}/labels.parquet' (FORMAT parquet)`);
  connection.closeSync();
  instance.closeSync();

  // --- features.ts
  const card = entity({ name: "card", joinKeys: [{ name: "card_id", type: "int64" }] });
  const cardStats = featureView({
    name: "card_stats",
    entities: [card],
    schema: [
      { name: "avg_amount_7d", type: "float64" },
      { name: "txn_count_7d", type: "int64" },
    ],
    source: parquetSource({
      name: "card_stats_src",
      path: "card_stats.parquet",
      timestampField: "event_ts",
      createdTimestampField: "created_ts",
    }),
    ttlSeconds: 7 * 86_400,
    owner: "risk@acme.test",
  });
  const txn = requestSource({ name: "txn", schema: [{ name: "amount", type: "float64" }] });
  const amountRatio = onDemandFeatureView({
    name: "amount_ratio",
    sources: [cardStats.select(["avg_amount_7d"]), txn],
    schema: [{ name: "ratio", type: "float64" }],
    transform: ({ amount, avg_amount_7d }) => {
      const a = amount as Float64Array;
      const avg = avg_amount_7d as Float64Array;
      return { ratio: a.map((x, i) => x / avg[i]!) };
    },
  });
  const fraudV1 = featureService({ name: "fraud_v1", features: [cardStats, amountRatio] });

  // --- train.ts (with a features.ts module: `await loadFeatureDefinitions("features.ts")`)
  const defs = defineFeatures([card, cardStats, amountRatio, fraudV1], { baseDir: dir });
  const store = createDuckDbOfflineStore(defs);
  const job = store.getHistoricalFeatures({ parquet: join(dir, "labels.parquet") }, "fraud_v1", {
    excludeLateArrivals: true,
  });
  const manifest = await job.toParquet(join(dir, "train.parquet"));
  const frame = await job.toFrame();
  const statistics = await job.statistics();
  await job.close();

  assert.equal(manifest.numRows, 3);
  assert.deepEqual(Array.from(frame.columns.ratio as Float64Array), [2, 0.5, Number.NaN]);
  assert.deepEqual(frame.columns.txn_count_7d, [3n, 5n, null]);
  assert.deepEqual(frame.columns.is_fraud, [true, false, false]);
  assert.equal(statistics.features.find((f) => f.name === "ratio")?.mean, 1.25);
  assert.equal(manifest.lineage.entityInputKind, "parquet");
});
