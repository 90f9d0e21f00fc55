import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { isPlinthError } from "../../core/errors.ts";
import { entity } from "../definitions/entity.ts";
import { defineFeatures } from "../definitions/feature-definitions.ts";
import { featureService } from "../definitions/feature-service.ts";
import { featureView } from "../definitions/feature-view.ts";
import { pushSource } from "../definitions/push-source.ts";
import { csvSource, parquetSource } from "../definitions/sources.ts";
import { createDuckDbOfflineStore } from "../offline/duckdb/create-duckdb-offline-store.ts";
import { createOnlineFeatureReader } from "../online/create-online-feature-reader.ts";
import type { OnlineStore } from "../online/online-store.ts";
import { createSqliteOnlineStore } from "../online/sqlite/create-sqlite-online-store.ts";
import { pushRows } from "./push-rows.ts";

let dir = "";
let online: OnlineStore;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "plinth-push-"));
  mkdirSync(join(dir, "trips"));
  // An existing batch file, with a column the push source does not carry.
  const instance = await DuckDBInstance.create(":memory:");
  const c = await instance.connect();
  await c.run(`COPY (SELECT 7::BIGINT AS driver_id, TIMESTAMPTZ '2024-05-01 08:00:00+00' AS event_ts,
      3::INTEGER AS trips, 'from batch' AS note) TO '${dir}/trips/part-0.parquet' (FORMAT parquet)`);
  c.closeSync();
  instance.closeSync();
  online = createSqliteOnlineStore({ path: ":memory:" });
});
after(async () => {
  await online.close();
  rmSync(dir, { recursive: true, force: true });
});

const driver = entity({ name: "driver", joinKeys: [{ name: "driver_id", type: "int64" }] });
const live = pushSource({
  name: "live_trips",
  schema: [
    { name: "driver_id", type: "int64" },
    { name: "event_ts", type: "timestamp" },
    { name: "trips", type: "int64" },
  ],
  batchSource: parquetSource({
    name: "trips_batch",
    path: "trips/*.parquet",
    timestampField: "event_ts",
  }),
  writeOffline: true,
});
const tripsView = featureView({
  name: "trips_live",
  entities: [driver],
  schema: [{ name: "trips", type: "int64" }],
  source: live,
});
const service = featureService({ name: "svc", features: [tripsView] });
const defs = () => defineFeatures([driver, live, tripsView, service], { baseDir: dir });
const ctx = () => ({ definitions: defs(), online, expiredRetentionMs: Number.POSITIVE_INFINITY });

test("pushed rows reach the online store, and an older push does not undo a newer one", async () => {
  const result = await pushRows(ctx(), "live_trips", [
    { driver_id: 7, event_ts: "2024-05-01T09:00:00Z", trips: 4 },
    { driver_id: "8", event_ts: new Date(Date.UTC(2024, 4, 1, 9)), trips: null },
  ]);
  assert.equal(result.rows, 2);
  assert.deepEqual(result.written, { trips_live: 2 });
  assert.match(result.appendedTo ?? "", /trips\/push-\d+-[0-9a-f]{8}\.parquet$/);
  const late = await pushRows(ctx(), "live_trips", [
    { driver_id: 7, event_ts: "2024-05-01 08:30:00", trips: 99 },
  ]);
  assert.deepEqual(late.written, { trips_live: 0 });
  const reader = createOnlineFeatureReader(service, online);
  const { rows } = await reader.getMany([{ driver_id: 7 }, { driver_id: 8 }]);
  assert.deepEqual(
    rows.map((r) => [r.values[1], r.statuses[1]]),
    [
      [4n, "PRESENT"],
      [null, "NULL_VALUE"],
    ],
  );

  // Offline, the pushed rows (including the late one) are part of the batch source now.
  const job = createDuckDbOfflineStore(defs()).getHistoricalFeatures(
    [
      { driver_id: 7, event_timestamp: new Date(Date.UTC(2024, 4, 1, 8, 10)) },
      { driver_id: 7, event_timestamp: new Date(Date.UTC(2024, 4, 1, 8, 45)) },
      { driver_id: 7, event_timestamp: new Date(Date.UTC(2024, 4, 1, 9, 30)) },
    ],
    service,
  );
  const frame = await job.toFrame();
  await job.close();
  assert.deepEqual(frame.columns.trips, [3n, 99n, 4n]);
  assert.deepEqual(
    readdirSync(join(dir, "trips")).filter((f) => f.endsWith(".tmp")),
    [],
    "no temporary file left behind",
  );
});

test("a bad push is refused by name and writes nothing anywhere", async () => {
  const files = () => readdirSync(join(dir, "trips")).length;
  const before = files();
  const ok = { driver_id: 70, event_ts: "2024-05-01T10:00:00Z", trips: 1 };
  const cases: [unknown, string, string][] = [
    ["not rows", "FEATURES_INVALID_PUSH", "rows"],
    [[ok, 5], "FEATURES_INVALID_PUSH", "rows[1]"],
    [[ok, { driver_id: 71, event_ts: "2024-05-01T10:00:00Z" }], "FEATURES_INVALID_PUSH", "trips"],
    [[{ ...ok, speed: 3 }], "FEATURES_INVALID_PUSH", "speed"],
    [[{ ...ok, trips: "three" }], "FEATURES_INVALID_PUSH", "trips"],
    [[{ ...ok, trips: true }], "FEATURES_INVALID_PUSH", "trips"],
    [[{ ...ok, trips: 1.5 }], "FEATURES_INVALID_PUSH", "trips"],
    [[{ ...ok, driver_id: null }], "FEATURES_INVALID_PUSH", "driver_id"],
    [[{ ...ok, event_ts: null }], "FEATURES_INVALID_PUSH", "event_ts"],
    [[{ ...ok, event_ts: "yesterday" }], "FEATURES_INVALID_PUSH", "event_ts"],
    [[{ ...ok, event_ts: 1714557600000 }], "FEATURES_INVALID_PUSH", "event_ts"],
    [
      [ok, JSON.parse('{"__proto__": {"x": 1}, "driver_id": 1}')],
      "FEATURES_INVALID_PUSH",
      "__proto__",
    ],
  ];
  for (const [rows, code, field] of cases) {
    await assert.rejects(pushRows(ctx(), "live_trips", rows), (e: unknown) => {
      assert.ok(isPlinthError(e), String(e));
      assert.equal(e.code, code, e.message);
      assert.equal(e.field, field, e.message);
      return true;
    });
  }
  await assert.rejects(pushRows(ctx(), "nope", [ok]), (e: unknown) =>
    isPlinthError(e, "FEATURES_UNKNOWN_PUSH_SOURCE"),
  );
  assert.equal(files(), before);
  const [stored] = await online.read([{ view: "trips_live", entityKeys: ["70", "71", "1"] }]);
  assert.deepEqual(stored, [undefined, undefined, undefined]);
});

test("writeOffline needs a Parquet glob batch source", () => {
  for (const batchSource of [
    csvSource({ name: "c", path: "trips/*.csv", timestampField: "event_ts" }),
    parquetSource({ name: "p", path: "trips/all.parquet", timestampField: "event_ts" }),
    parquetSource({ name: "q", path: "trips/**/*.parquet", timestampField: "event_ts" }),
  ]) {
    assert.throws(
      () =>
        pushSource({
          name: "bad",
          schema: [{ name: "event_ts", type: "timestamp" }],
          batchSource,
          writeOffline: true,
        }),
      (e: unknown) => isPlinthError(e, "FEATURES_INVALID_DEFINITION") && e.field === "writeOffline",
    );
  }
});
