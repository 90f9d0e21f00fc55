import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { rejectsWithCode } from "../../../core/testing/rejects-with-code.ts";
import { entity } from "../../definitions/entity.ts";
import { featureView } from "../../definitions/feature-view.ts";
import { csvSource, parquetSource, sqlSource } from "../../definitions/sources.ts";
import type { Field } from "../../definitions/value-type.ts";
import type { ViewRowBatch } from "../latest-rows.ts";
import { pullLatestRows } from "./pull-latest-rows.ts";

let dir = "";
const T = Date.UTC(2024, 4, 1) * 1000;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "plinth-pull-"));
  const instance = await DuckDBInstance.create(":memory:");
  const c = await instance.connect();
  // Key 1: a tie on event time broken by created time; key 2: a tie on both, broken by
  // source order; key 3: only a row outside the window; a null key and a null time.
  await c.run(`COPY (SELECT * FROM (VALUES
      (1, TIMESTAMPTZ '2024-05-01 00:00:10+00', TIMESTAMPTZ '2024-05-01 00:00:11+00', 1.5),
      (1, TIMESTAMPTZ '2024-05-01 00:00:10+00', TIMESTAMPTZ '2024-05-01 00:00:12+00', 2.5),
      (1, TIMESTAMPTZ '2024-05-01 00:00:10+00', NULL, 9.5),
      (2, TIMESTAMPTZ '2024-05-01 00:00:05+00', TIMESTAMPTZ '2024-05-01 00:00:05+00', 3.5),
      (2, TIMESTAMPTZ '2024-05-01 00:00:05+00', TIMESTAMPTZ '2024-05-01 00:00:05+00', 4.5),
      (3, TIMESTAMPTZ '2024-05-01 00:01:00+00', NULL, 5.5),
      (NULL, TIMESTAMPTZ '2024-05-01 00:00:01+00', NULL, 6.5),
      (4, NULL, NULL, 7.5)
    ) t(driver_id, event_ts, created_ts, rate)) TO '${dir}/zoned.parquet' (FORMAT parquet)`);
  c.closeSync();
  instance.closeSync();
  writeFileSync(join(dir, "text.csv"), "driver_id,ts,rate\n1,2024-05-01 00:00:00,abc\n");
});
after(() => rmSync(dir, { recursive: true, force: true }));

const driver = entity({ name: "driver", joinKeys: [{ name: "driver_id", type: "int64" }] });
const viewOver = (
  source: Parameters<typeof featureView>[0]["source"],
  schema: Field[] = [{ name: "rate", type: "float64" }],
) => featureView({ name: "v", entities: [driver], schema, source });
const zoned = parquetSource({
  name: "z",
  path: "zoned.parquet",
  timestampField: "event_ts",
  createdTimestampField: "created_ts",
});

async function pull(
  view: ReturnType<typeof viewOver>,
  startMicros: number | null,
  endMicros: number,
) {
  const latest = await pullLatestRows(view, { startMicros, endMicros }, dir);
  const batches: ViewRowBatch[] = [];
  for await (const b of latest.batches(2)) batches.push(b);
  await latest.close();
  const rows = batches.flatMap((b) =>
    Array.from({ length: b.numRows }, (_, i) => ({
      key: (b.columns.driver_id as bigint[])[i],
      rate: (b.columns.rate as Float64Array)[i],
      event: b.eventMicros[i],
      created: b.createdMicros[i],
    })),
  );
  return { numRows: latest.numRows, rows: rows.sort((a, b) => Number(a.key! - b.key!)) };
}

test("the latest row per entity in the window, ties broken as offline", async () => {
  const got = await pull(viewOver(zoned), T, T + 30_000_000);
  assert.equal(got.numRows, 2);
  assert.deepEqual(got.rows, [
    { key: 1n, rate: 2.5, event: T + 10_000_000, created: T + 12_000_000 },
    { key: 2n, rate: 4.5, event: T + 5_000_000, created: T + 5_000_000 },
  ]);
  // Both ends are inclusive; a window after every row is empty.
  assert.deepEqual(
    (await pull(viewOver(zoned), T + 60_000_000, T + 60_000_000)).rows.map((r) => r.key),
    [3n],
  );
  assert.equal((await pull(viewOver(zoned), T + 61_000_000, T + 99_000_000)).numRows, 0);
  assert.equal((await pull(viewOver(zoned), null, T + 5_000_000)).numRows, 1);
});

test("source problems are the offline join's typed errors, naming the column", async () => {
  await rejectsWithCode(
    pull(viewOver(zoned, [{ name: "speed", type: "float64" }]), null, T),
    "FEATURES_SOURCE_SCHEMA",
    "speed",
  );
  await rejectsWithCode(
    pull(viewOver(zoned, [{ name: "rate", type: "string" }]), null, T),
    "FEATURES_SOURCE_SCHEMA",
    "rate",
  );
  await rejectsWithCode(
    pull(
      viewOver(parquetSource({ name: "z2", path: "zoned.parquet", timestampField: "driver_id" })),
      null,
      T,
    ),
    "FEATURES_TIMESTAMP_MISMATCH",
    "driver_id",
  );
  await rejectsWithCode(
    pull(
      viewOver(parquetSource({ name: "z3", path: "zoned.parquet", timestampField: "when" })),
      null,
      T,
    ),
    "FEATURES_MISSING_TIMESTAMP",
    "when",
  );
  await rejectsWithCode(
    pull(
      viewOver(parquetSource({ name: "gone", path: "gone/*.parquet", timestampField: "t" })),
      null,
      T,
    ),
    "FEATURES_SOURCE_NOT_FOUND",
    "gone",
  );
  await rejectsWithCode(
    pull(
      viewOver(sqlSource({ name: "bad_sql", query: "SELECT * FROM nowhere", timestampField: "t" })),
      null,
      T,
    ),
    "FEATURES_SOURCE_NOT_FOUND",
    "bad_sql",
  );
  // A CSV column DuckDB reads as text where the view declares a float.
  await rejectsWithCode(
    pull(
      viewOver(csvSource({ name: "text", path: "text.csv", timestampField: "ts" })),
      null,
      T * 2,
    ),
    "FEATURES_SOURCE_SCHEMA",
    "rate",
  );
  const other = entity({ name: "o", joinKeys: [{ name: "driver_id", type: "string" }] });
  await rejectsWithCode(
    pull(
      featureView({
        name: "k",
        entities: [other],
        schema: [{ name: "rate", type: "float64" }],
        source: zoned,
      }),
      null,
      T,
    ),
    "FEATURES_KEY_TYPE_MISMATCH",
    "driver_id",
  );
});
