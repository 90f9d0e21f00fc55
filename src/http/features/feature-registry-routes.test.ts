import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { entity } from "../../features/definitions/entity.ts";
import { defineFeatures } from "../../features/definitions/feature-definitions.ts";
import { featureView } from "../../features/definitions/feature-view.ts";
import { csvSource } from "../../features/definitions/sources.ts";
import { createDuckDbOfflineStore } from "../../features/offline/duckdb/create-duckdb-offline-store.ts";
import { fraudDefinitions } from "../../features/registry/testing/fraud-definitions.ts";
import { startTestServer, type TestServer } from "../testing/start-test-server.ts";

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const get = async (path: string) => {
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
};

test("GET /api/features/registry lists the applied objects by kind", async () => {
  const empty = await get("/api/features/registry");
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.json, {
    revision: 0,
    entities: [],
    feature_views: [],
    on_demand_feature_views: [],
    feature_services: [],
    push_sources: [],
  });
  await server.platform.featureRegistry.apply(fraudDefinitions(), { actor: "ana" });
  const { status, json } = await get("/api/features/registry");
  assert.equal(status, 200);
  assert.equal(json.revision, 1);
  const views = json.feature_views as {
    name: string;
    version: number;
    spec: { features: object };
  }[];
  assert.deepEqual(
    views.map((v) => [v.name, v.version, v.spec.features]),
    [["driver_stats", 1, { rating: "float64", trips: "int64" }]],
  );
  assert.deepEqual(
    (json.feature_services as { name: string }[]).map((s) => s.name),
    ["fraud_v1"],
  );
});

test("GET /api/features/datasets/:hash answers a saved dataset, and typed errors for bad and unknown hashes", async () => {
  writeFileSync(
    join(server.home, "rates.csv"),
    "id,ts,rate\n1,2024-01-01 00:00:00,0.5\n2,2024-01-01 00:00:00,1.5\n",
  );
  const item = entity({ name: "item", joinKeys: [{ name: "id", type: "int64" }] });
  const rates = featureView({
    name: "rates",
    entities: [item],
    schema: [{ name: "rate", type: "float64" }],
    source: csvSource({ name: "rates_src", path: "rates.csv", timestampField: "ts" }),
  });
  const offline = createDuckDbOfflineStore(defineFeatures([item, rates], { baseDir: server.home }));
  const job = offline.getHistoricalFeatures(
    [1, 2, 3].map((id) => ({ id, event_timestamp: "2024-01-02 00:00:00" })),
    ["rates"],
  );
  const saved = await server.platform.savedDatasets.save(job, { name: "rates-train" });
  await job.close();
  const found = await get(`/api/features/datasets/${saved.hash}`);
  assert.equal(found.status, 200);
  assert.equal(found.json.name, "rates-train");
  assert.equal(found.json.num_rows, 3);
  const statistics = found.json.statistics as {
    features: { name: string; count: number; mean: number }[];
  };
  assert.deepEqual(
    statistics.features.map((f) => [f.name, f.count, f.mean]),
    [["rate", 2, 1]],
  );

  const bad = await get("/api/features/datasets/not-a-hash");
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error_code, "INVALID_ARGUMENT");
  assert.equal(bad.json.field, "hash");
  const unknown = await get(`/api/features/datasets/${"a".repeat(64)}`);
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json.error_code, "FEATURES_DATASET_NOT_FOUND");
});
