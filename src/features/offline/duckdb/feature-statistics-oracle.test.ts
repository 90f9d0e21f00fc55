import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { entity } from "../../definitions/entity.ts";
import { defineFeatures } from "../../definitions/feature-definitions.ts";
import { featureView } from "../../definitions/feature-view.ts";
import { csvSource } from "../../definitions/sources.ts";
import type { FeatureSummary } from "../feature-statistics.ts";
import { createDuckDbOfflineStore } from "./create-duckdb-offline-store.ts";

// Training-set statistics against numpy and pandas on a committed fixture
// (fixtures/numpy-stats/make-fixture.py): heavy-tailed floats with NaN, integers with
// nulls, Zipf-distributed strings with tied counts, bools and timestamps.

const FIXTURE = fileURLToPath(new URL("../fixtures/numpy-stats/", import.meta.url));

test("feature statistics equal numpy's and pandas' on the committed fixture", async () => {
  const expected = JSON.parse(readFileSync(`${FIXTURE}expected.json`, "utf8")) as {
    numRows: number;
    features: FeatureSummary[];
  };
  const row = entity({ name: "row", joinKeys: [{ name: "id", type: "int64" }] });
  const view = featureView({
    name: "fixture",
    entities: [row],
    schema: [
      { name: "x", type: "float64" },
      { name: "k", type: "int64" },
      { name: "c", type: "string" },
      { name: "b", type: "bool" },
      { name: "t", type: "timestamp" },
    ],
    source: csvSource({ name: "fixture_csv", path: "features.csv", timestampField: "ts" }),
  });
  const store = createDuckDbOfflineStore(defineFeatures([row, view], { baseDir: FIXTURE }));
  const job = store.getHistoricalFeatures(
    {
      sql: `SELECT id, TIMESTAMP '2024-01-02' AS event_timestamp FROM read_csv('${FIXTURE}features.csv')`,
    },
    ["fixture"],
  );
  const stats = await job.statistics();
  await job.close();
  assert.equal(stats.numRows, expected.numRows);
  assert.equal(stats.features.length, expected.features.length);
  for (const want of expected.features) {
    const got = stats.features.find((f) => f.name === want.name);
    assert.ok(got, `no summary of ${want.name}`);
    const close = (a: number | null | undefined, b: number | null | undefined, what: string) =>
      assert.ok(
        a !== null &&
          a !== undefined &&
          b !== null &&
          b !== undefined &&
          Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)),
        `${want.name} ${what}: ${a} vs numpy ${b}`,
      );
    assert.equal(got.count, want.count, `${want.name} count`);
    assert.equal(got.missing, want.missing, `${want.name} missing`);
    if (want.min !== undefined) {
      assert.equal(got.min, want.min, `${want.name} min`);
      assert.equal(got.max, want.max, `${want.name} max`);
    }
    if (want.mean !== undefined) close(got.mean, want.mean, "mean");
    if (want.std !== undefined) close(got.std, want.std, "std");
    if (want.quantiles !== undefined)
      assert.deepEqual(got.quantiles, want.quantiles, `${want.name} quantiles`);
    if (want.topCategories !== undefined) {
      assert.deepEqual(got.topCategories, want.topCategories, `${want.name} top categories`);
      assert.equal(got.distinct, want.distinct, `${want.name} distinct`);
    }
  }
});
