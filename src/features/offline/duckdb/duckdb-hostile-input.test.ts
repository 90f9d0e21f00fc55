import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { isPlinthError } from "../../../core/errors.ts";
import { rejectsWithCode } from "../../../core/testing/rejects-with-code.ts";
import { entity } from "../../definitions/entity.ts";
import { defineFeatures } from "../../definitions/feature-definitions.ts";
import { featureView } from "../../definitions/feature-view.ts";
import { parquetSource } from "../../definitions/sources.ts";
import { runDuckDb } from "../testing/point-in-time-oracle.ts";
import { createDuckDbOfflineStore } from "./create-duckdb-offline-store.ts";

// Malformed and hostile requests the broader tests do not reach: each must be a typed
// error naming what is wrong, never a TypeError from deep inside, and leave no file behind.

const dir = mkdtempSync(join(tmpdir(), "plinth-offline-hostile-"));
after(() => rmSync(dir, { recursive: true, force: true }));

before(async () => {
  await runDuckDb(`COPY (SELECT * FROM (VALUES
    (1, TIMESTAMP '2024-01-01 10:00', 1.0), (NULL, TIMESTAMP '2024-01-01 10:00', 9.0)
  ) t(driver_id, event_ts, rating)) TO '${dir}/stats.parquet' (FORMAT parquet)`);
  // A UBIGINT key above the int64 range: its type passes the schema check, a value does not cast.
  await runDuckDb(`COPY (SELECT 18446744073709551615::UBIGINT AS driver_id,
    TIMESTAMP '2024-01-01 10:00' AS event_ts, 1.0 AS rating) TO '${dir}/huge-key.parquet' (FORMAT parquet)`);
  writeFileSync(
    join(dir, "zoned-entities.csv"),
    "driver_id,event_timestamp\n1,2024-01-01T11:00:00Z\n",
  );
});

const driver = entity({ name: "driver", joinKeys: [{ name: "driver_id", type: "int64" }] });
const source = parquetSource({
  name: "stats_src",
  path: "stats.parquet",
  timestampField: "event_ts",
});
const stats = featureView({
  name: "stats",
  entities: [driver],
  schema: [{ name: "rating", type: "float64" }],
  source,
});
const hidden = featureView({
  name: "hidden",
  entities: [driver],
  schema: [{ name: "rating", type: "float64" }],
  source,
  offline: false,
});
const store = createDuckDbOfflineStore(defineFeatures([driver, stats, hidden], { baseDir: dir }));
const ROWS = [{ driver_id: 1, event_timestamp: "2024-01-01 11:00:00" }];

function throwsCode(fn: () => unknown, code: string, field: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isPlinthError(e), `expected a PlinthError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.field, field, e.message);
    return true;
  });
}

async function rejects(input: unknown, code: Parameters<typeof rejectsWithCode>[1], field: string) {
  const job = store.getHistoricalFeatures(input as never, ["stats"]);
  await rejectsWithCode(job.toFrame(), code, field);
  await job.close();
}

test("a malformed feature selection is a typed error naming 'features'", () => {
  for (const selection of [{ kind: "x" }, 5, null, [], [7], ["stats", { view: "stats" }]]) {
    throwsCode(
      () => store.getHistoricalFeatures(ROWS, selection as never),
      "INVALID_ARGUMENT",
      "features",
    );
  }
  throwsCode(() => store.getHistoricalFeatures(ROWS, ["hidden"]), "INVALID_ARGUMENT", "hidden");
  throwsCode(
    () => store.getHistoricalFeatures(ROWS, ["stats"], { onDemandBatchSize: 0 }),
    "INVALID_ARGUMENT",
    "onDemandBatchSize",
  );
  throwsCode(
    () => store.getHistoricalFeatures(ROWS, ["stats"], { timestampColumn: "ts; DROP TABLE x" }),
    "INVALID_ARGUMENT",
    "timestampColumn",
  );
});

test("malformed entity rows are typed errors, not crashes", async () => {
  await rejects(null, "FEATURES_INVALID_ENTITY_INPUT", "entities");
  await rejects("rows.csv", "FEATURES_INVALID_ENTITY_INPUT", "entities");
  await rejects({ parquet: 5 }, "FEATURES_INVALID_ENTITY_INPUT", "entities");
  await rejects([null], "FEATURES_INVALID_ENTITY_INPUT", "entities");
  await rejects([ROWS[0], ["driver_id", 1]], "FEATURES_INVALID_ENTITY_INPUT", "entities");
  await rejects(
    [{ driver_id: 2n ** 70n, event_timestamp: "2024-01-01 11:00:00" }],
    "FEATURES_KEY_TYPE_MISMATCH",
    "driver_id",
  );
  await rejects(
    [{ driver_id: 1, event_timestamp: "2024-01-01 11:00:00", big: 2n ** 64n }],
    "FEATURES_INVALID_ENTITY_INPUT",
    "big",
  );
  await rejects(
    [{ driver_id: 1, event_timestamp: "2024-01-01 11:00:00", 'x"); DROP': 1 }],
    "FEATURES_INVALID_ENTITY_INPUT",
    'x"); DROP',
  );
  // A CSV whose timestamps carry a zone, against a source whose timestamps do not.
  await rejects(
    { csv: join(dir, "zoned-entities.csv") },
    "FEATURES_TIMESTAMP_MISMATCH",
    "event_ts",
  );
});

test("a null key in a feature row matches nothing; toParquet into a missing directory leaves nothing", async () => {
  const job = store.getHistoricalFeatures(
    [...ROWS, { driver_id: null, event_timestamp: "2024-01-01 11:00:00" }],
    ["stats"],
  );
  const frame = await job.toFrame();
  assert.deepEqual(
    Array.from(frame.columns.rating as Float64Array, (v) => (Number.isNaN(v) ? null : v)),
    [1, null],
  );
  await rejectsWithCode(
    job.toParquet(join(dir, "no-such-dir", "train.parquet")),
    "INVALID_ARGUMENT",
    "path",
  );
  await job.close();
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.includes(".tmp")),
    [],
  );
});

test("a Parquet value that does not cast is a typed error naming its source", async () => {
  const huge = featureView({
    name: "huge",
    entities: [driver],
    schema: [{ name: "rating", type: "float64" }],
    source: parquetSource({
      name: "huge_src",
      path: "huge-key.parquet",
      timestampField: "event_ts",
    }),
  });
  const s = createDuckDbOfflineStore(defineFeatures([driver, stats, huge], { baseDir: dir }));
  const job = s.getHistoricalFeatures(ROWS, ["stats", "huge"], { fullFeatureNames: true });
  await rejectsWithCode(job.toFrame(), "FEATURES_SOURCE_SCHEMA", "huge_src");
  await job.close();
  // The same key in an entity file, which is also read inside the join.
  await runDuckDb(`COPY (SELECT 18446744073709551615::UBIGINT AS driver_id,
    TIMESTAMP '2024-01-02' AS event_timestamp) TO '${dir}/huge-entities.parquet' (FORMAT parquet)`);
  const fromFile = store.getHistoricalFeatures({ parquet: join(dir, "huge-entities.parquet") }, [
    "stats",
  ]);
  await rejectsWithCode(fromFile.toFrame(), "FEATURES_INVALID_ENTITY_INPUT", "entities");
  await fromFile.close();
});
