import assert from "node:assert/strict";
import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { createLocalArtifactStore } from "../../artifacts/local/local-artifact-store.ts";
import { sha256OfStream } from "../../core/hash.ts";
import { rejectsWithCode } from "../../core/testing/rejects-with-code.ts";
import { metadataBackends } from "../../metadata/testing/metadata-backends.ts";
import { entity } from "../definitions/entity.ts";
import { defineFeatures } from "../definitions/feature-definitions.ts";
import { featureService } from "../definitions/feature-service.ts";
import { featureView } from "../definitions/feature-view.ts";
import { parquetSource } from "../definitions/sources.ts";
import type { ValueType } from "../definitions/value-type.ts";
import { createDuckDbOfflineStore } from "../offline/duckdb/create-duckdb-offline-store.ts";
import { runDuckDb } from "../offline/testing/point-in-time-oracle.ts";
import { createMetadataFeatureRegistry } from "../registry/metadata/create-metadata-feature-registry.ts";
import { createSavedDatasetStore } from "./create-saved-dataset-store.ts";

const dir = mkdtempSync(join(tmpdir(), "plinth-datasets-"));
after(() => rmSync(dir, { recursive: true, force: true }));
before(async () => {
  await runDuckDb(`COPY (SELECT * FROM (VALUES
    (1, TIMESTAMP '2024-01-01 10:00', 4.0, 'a'), (1, TIMESTAMP '2024-01-01 11:00', 5.0, 'b'),
    (2, TIMESTAMP '2024-01-01 09:00', 3.0, 'a')
  ) t(driver_id, event_ts, rating, city)) TO '${dir}/stats.parquet' (FORMAT parquet)`);
});

function definitions(ratingType: ValueType = "float64", description = "") {
  const driver = entity({ name: "driver", joinKeys: [{ name: "driver_id", type: "int64" }] });
  const stats = featureView({
    name: "stats",
    entities: [driver],
    schema: [
      { name: "rating", type: ratingType },
      { name: "city", type: "string" },
    ],
    source: parquetSource({ name: "stats_src", path: "stats.parquet", timestampField: "event_ts" }),
    description,
  });
  return defineFeatures([driver, stats, featureService({ name: "svc", features: [stats] })], {
    baseDir: dir,
  });
}

const at = (hhmm: string) => `2024-01-01 ${hhmm}:00`;
const ROWS = [
  { driver_id: 1, event_timestamp: at("10:30"), label: 1 },
  { driver_id: 2, event_timestamp: at("12:00"), label: 0 },
  { driver_id: 3, event_timestamp: at("12:00"), label: 1 },
];

for (const backend of metadataBackends()) {
  describe(`saved datasets: ${backend.name}`, () => {
    let opened: Awaited<ReturnType<typeof backend.open>>;
    let root = "";
    before(async () => {
      opened = await backend.open();
      root = mkdtempSync(join(tmpdir(), "plinth-dataset-artifacts-"));
    });
    after(async () => {
      await opened.cleanup();
      rmSync(root, { recursive: true, force: true });
    });
    const stores = () => {
      const registry = createMetadataFeatureRegistry(opened.store);
      const artifacts = createLocalArtifactStore({ root });
      return {
        registry,
        datasets: createSavedDatasetStore({ metadata: opened.store, artifacts, registry }),
      };
    };

    test("a saved dataset keeps its bytes, statistics, lineage and registry versions by content hash", async () => {
      const { registry, datasets } = stores();
      await registry.apply(definitions());
      const offline = createDuckDbOfflineStore(definitions());
      const job = offline.getHistoricalFeatures(ROWS, "svc");
      const saved = await datasets.save(job, { name: "fraud-train", actor: "ana" });
      const expectedStatistics = await job.statistics();
      const frame = await job.toFrame();
      await job.close();

      assert.match(saved.hash, /^[0-9a-f]{64}$/);
      assert.equal(saved.name, "fraud-train");
      assert.equal(saved.featureService, "svc");
      assert.equal(saved.numRows, 3);
      assert.equal(saved.createdBy, "ana");
      assert.deepEqual(saved.registryVersions, { stats: 1 });
      assert.deepEqual(await datasets.statistics(saved.hash), expectedStatistics);
      assert.deepEqual((await datasets.get(saved.hash)).lineage, saved.lineage);
      assert.equal(saved.statistics.features.find((f) => f.name === "rating")?.mean, 3.5);

      const copy = join(dir, "copy.parquet");
      await datasets.download(saved.hash, copy);
      assert.equal(
        await sha256OfStream(createReadStream(copy)),
        saved.hash,
        "the hash is of the bytes",
      );
      const instance = await DuckDBInstance.create(":memory:");
      const connection = await instance.connect();
      const back = await connection.runAndReadAll(
        `SELECT driver_id, rating, city FROM read_parquet('${copy}')`,
      );
      connection.closeSync();
      instance.closeSync();
      assert.deepEqual(back.getRowsJS(), [
        [1n, 4, "a"],
        [2n, 3, "a"],
        [3n, null, null],
      ]);
      assert.deepEqual(frame.columns.city, ["a", "a", null]);

      // The same rows saved again are the same dataset.
      const again = offline.getHistoricalFeatures(ROWS, "svc");
      const second = await datasets.save(again, { name: "other-name" });
      await again.close();
      assert.equal(second.hash, saved.hash);
      assert.equal(second.name, "fraud-train", "the first record stands");
      assert.equal((await datasets.list()).length, 1);
    });

    test("after a forced change a new dataset names view@v2 and the old one still names v1", async () => {
      const { registry, datasets } = stores();
      const [old] = await datasets.list({ name: "fraud-train" });
      await registry.apply(definitions("int64"), { force: true });
      const offline = createDuckDbOfflineStore(definitions("float64", "edited, not applied"));
      const job = offline.getHistoricalFeatures(ROWS.slice(0, 2), "svc");
      const unapplied = await datasets.save(job);
      await job.close();
      assert.equal(unapplied.name, "svc", "the name defaults to the feature service");
      assert.deepEqual(unapplied.registryVersions, { stats: null });
      assert.deepEqual((await datasets.get(old!.hash)).registryVersions, { stats: 1 });
      const [v1] = await registry.lookup("stats", { version: 1 });
      assert.equal((v1!.spec as { features: Record<string, string> }).features.rating, "float64");
      assert.deepEqual((await datasets.list({ limit: 10 })).map((d) => d.name).sort(), [
        "fraud-train",
        "svc",
      ]);
    });

    test("bad hashes, paths and failing jobs get typed errors and leave nothing behind", async () => {
      const { datasets } = stores();
      await rejectsWithCode(datasets.get("abc"), "INVALID_ARGUMENT", "hash");
      await rejectsWithCode(datasets.get("0".repeat(64)), "FEATURES_DATASET_NOT_FOUND", "hash");
      await rejectsWithCode(
        datasets.statistics("0".repeat(64)),
        "FEATURES_DATASET_NOT_FOUND",
        "hash",
      );
      await rejectsWithCode(datasets.list({ limit: 0 }), "INVALID_ARGUMENT", "limit");
      const [one] = await datasets.list();
      await rejectsWithCode(
        datasets.download(one!.hash, join(dir, "missing", "x.parquet")),
        "INVALID_ARGUMENT",
        "path",
      );
      assert.equal(existsSync(join(dir, "missing")), false);
      const before = await datasets.list();
      const broken = featureView({
        name: "broken",
        entities: [entity({ name: "driver", joinKeys: [{ name: "driver_id", type: "int64" }] })],
        schema: [{ name: "rating", type: "float64" }],
        source: parquetSource({ name: "gone", path: "gone.parquet", timestampField: "event_ts" }),
      });
      const offline = createDuckDbOfflineStore(
        defineFeatures([broken.entities[0]!, broken], { baseDir: dir }),
      );
      const job = offline.getHistoricalFeatures(ROWS, ["broken"]);
      await rejectsWithCode(datasets.save(job), "FEATURES_SOURCE_NOT_FOUND", "gone");
      await job.close();
      assert.deepEqual(await datasets.list(), before);
      assert.deepEqual(
        readdirSync(root).includes("staging") ? readdirSync(join(root, "staging")) : [],
        [],
      );
      await rejectsWithCode(datasets.save(job, { actor: 7 as never }), "INVALID_ARGUMENT", "actor");
    });
  });
}
