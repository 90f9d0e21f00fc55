import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { isPlinthError } from "../../core/errors.ts";
import { loadFeatureDefinitions } from "../../features/definitions/load-feature-definitions.ts";
import { createFeatureStore, type FeatureStore } from "../../features/feature-store.ts";
import { createSqliteOnlineStore } from "../../features/online/sqlite/create-sqlite-online-store.ts";
import type { MetadataStore } from "../../metadata/metadata-store.ts";
import { createSqliteMetadataStore } from "../../metadata/sqlite/create-sqlite-metadata-store.ts";
import type {
  LoggedFeatureValue,
  PredictionRecord,
} from "../../serving/prediction-log/prediction-record.ts";
import { checkSkew } from "./check-skew.ts";

// A real repository: a Parquet view, a push source whose online view can be pushed without
// writing offline (so online and offline can disagree), and an on-demand view with a
// request field. Records are made through the real online read, as serving makes them.

const hour = 3_600_000;
let dir = "";
let metadata: MetadataStore;
let store: FeatureStore;
const now = Math.floor(Date.now() / 1000) * 1000;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "plinth-skew-"));
  const ts = (ms: number) => `TIMESTAMPTZ '${new Date(ms).toISOString()}'`;
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  await c.run(`COPY (SELECT * FROM (VALUES
      (1001, ${ts(now - 3 * hour)}, 0.1, 'Paris'),
      (1001, ${ts(now - hour)}, 0.25, 'Paris'),
      (1002, ${ts(now - hour)}, 0.5, 'Lyon')
    ) t(driver_id, event_ts, conv_rate, city)) TO '${join(dir, "stats.parquet")}' (FORMAT parquet)`);
  await c.run(`COPY (SELECT * FROM (VALUES
      (1001, ${ts(now - hour)}, 7),
      (1002, ${ts(now - hour)}, 4)
    ) t(driver_id, event_ts, trips_today)) TO '${join(dir, "live.parquet")}' (FORMAT parquet)`);
  c.closeSync();
  db.closeSync();
  const api = fileURLToPath(new URL("../../index.ts", import.meta.url));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    join(dir, "features.ts"),
    `import { entity, featureService, featureView, onDemandFeatureView, parquetSource, pushSource, requestSource } from ${JSON.stringify(api)};
export const driver = entity({ name: "driver", joinKeys: [{ name: "driver_id", type: "int64" }] });
export const stats = featureView({
  name: "stats", entities: [driver],
  schema: [{ name: "conv_rate", type: "float64" }, { name: "city", type: "string" }],
  source: parquetSource({ name: "stats_src", path: "stats.parquet", timestampField: "event_ts" }),
  ttlSeconds: 86400,
});
export const live = pushSource({
  name: "live", writeOffline: false,
  schema: [{ name: "driver_id", type: "int64" }, { name: "event_ts", type: "timestamp" }, { name: "trips_today", type: "int64" }],
  batchSource: parquetSource({ name: "live_batch", path: "live.parquet", timestampField: "event_ts" }),
});
export const trips = featureView({ name: "trips", entities: [driver], schema: [{ name: "trips_today", type: "int64" }], source: live, ttlSeconds: 86400 });
export const bonus = requestSource({ name: "bonus_req", schema: [{ name: "bonus", type: "float64" }] });
export const convPlus = onDemandFeatureView({
  name: "conv_plus", sources: [stats.select(["conv_rate"]), bonus],
  schema: [{ name: "conv_plus_bonus", type: "float64" }],
  transform: ({ conv_rate, bonus }) => ({ conv_plus_bonus: (conv_rate as Float64Array).map((x, i) => x + (bonus as Float64Array)[i]) }),
});
export const driverV1 = featureService({ name: "driver_v1", features: [stats, trips, convPlus] });
`,
  );
  metadata = await createSqliteMetadataStore({ path: join(dir, "metadata.sqlite") });
  store = createFeatureStore({
    definitions: await loadFeatureDefinitions(join(dir, "features.ts")),
    online: createSqliteOnlineStore({ path: join(dir, "online.sqlite") }),
    metadata,
  });
  await store.materialize({ start: new Date(now - 20 * hour), end: new Date(now) });
});
after(async () => {
  await store.close();
  await metadata.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Serves drivers through the online store, as the model server does, and logs the vectors. */
async function serve(drivers: number[], at: number): Promise<PredictionRecord[]> {
  const online = await store.getOnlineFeatures({
    features: "driver_v1",
    entityRows: drivers.map((d) => ({ driver_id: d })),
    requestData: drivers.map(() => ({ bonus: 1 })),
  });
  return online.rows.map((row, i) => {
    const features: Record<string, LoggedFeatureValue> = { bonus: 1 };
    online.featureNames.forEach((name, c) => {
      if (name === "driver_id") return;
      const v = row.values[c];
      features[name] = typeof v === "bigint" ? Number(v) : (v as LoggedFeatureValue);
    });
    return {
      requestId: `r${i}-${drivers[i]}`,
      at,
      deployment: "drivers",
      variant: "champion",
      shadow: false,
      modelName: "eta",
      modelVersion: "1",
      entities: { driver_id: drivers[i] as number },
      features,
      outputs: { score: 0.5 },
      latencyMs: 1,
    };
  });
}

const byName = (report: Awaited<ReturnType<typeof checkSkew>>) =>
  Object.fromEntries(report.features.map((f) => [f.feature, f]));

test("online and offline agree: every feature compared, no mismatch; an unknown entity is reported", async () => {
  const records = await serve([1001, 1002, 1001, 9999], now - 60_000);
  const report = await checkSkew({ featureStore: store, records, featureService: "driver_v1" });
  assert.equal(report.sampled, 4);
  assert.deepEqual(report.skippedRecords, []);
  assert.deepEqual(report.skippedFeatures, []);
  assert.equal(report.entitiesMissingOffline, 1);
  const f = byName(report);
  assert.deepEqual(Object.keys(f).sort(), ["city", "conv_plus_bonus", "conv_rate", "trips_today"]);
  for (const name of ["conv_rate", "trips_today", "conv_plus_bonus", "city"]) {
    assert.equal(f[name]?.compared, 3, name);
    assert.equal(f[name]?.mismatches, 0, name);
    assert.equal(f[name]?.mismatchRate, 0, name);
    assert.deepEqual(f[name]?.examples, []);
  }
  assert.equal(f.conv_rate?.maxAbsDiff, 0);
  assert.equal(f.city?.kind, "categorical");
  assert.equal(f.city?.meanAbsDiff, null);
});

test("a value pushed online only is found exactly: one mismatch, its size and an example", async () => {
  await store.push("live", [
    { driver_id: 1001, event_ts: new Date(now - 30 * 60_000), trips_today: 99 },
  ]);
  const records = await serve([1001, 1002, 1002], now - 60_000);
  const f = byName(await checkSkew({ featureStore: store, records, featureService: "driver_v1" }));
  const trips = f.trips_today!;
  assert.equal(trips.compared, 3);
  assert.equal(trips.mismatches, 1);
  assert.equal(trips.mismatchRate, 1 / 3);
  assert.equal(trips.maxAbsDiff, 92);
  assert.equal(trips.meanAbsDiff, 92 / 3);
  assert.deepEqual(trips.examples, [
    {
      requestId: "r0-1001",
      at: now - 60_000,
      entities: { driver_id: 1001 },
      logged: 99,
      offline: 7,
      absDiff: 92,
    },
  ]);
  for (const name of ["conv_rate", "city", "conv_plus_bonus"]) assert.equal(f[name]?.mismatches, 0);
});

test("a categorical mismatch, a tolerance, features missing from the log, bad records: reported, not fatal", async () => {
  const [a, b, c, d] = await serve([1001, 1002, 1002, 1002], now - 60_000);
  const records: PredictionRecord[] = [
    { ...a!, features: { ...a!.features, city: "Berlin", conv_rate: 0.25 + 1e-12 } },
    { ...b!, features: { bonus: 1, conv_rate: 0.5 } },
    { ...c!, entities: {} },
    {
      ...d!,
      requestId: "ghost",
      entities: { driver_id: 4242 },
      features: { ...d!.features, conv_rate: 3 },
    },
  ];
  const report = await checkSkew({ featureStore: store, records, featureService: "driver_v1" });
  assert.deepEqual(report.skippedRecords, [
    { requestId: c!.requestId, reason: "entity key 'driver_id' is missing" },
  ]);
  const f = byName(report);
  assert.equal(f.city?.mismatches, 1);
  assert.equal(f.city?.examples[0]?.logged, "Berlin");
  assert.equal(f.city?.examples[0]?.offline, "Paris");
  assert.equal(f.city?.notLogged, 1);
  assert.equal(f.city?.missingOffline, 1);
  assert.equal(f.conv_rate?.mismatches, 0, "within the default tolerance");
  assert.equal(f.conv_rate?.compared, 2);
  assert.equal(f.conv_rate?.missingOffline, 1);
  assert.equal(f.trips_today?.notLogged, 1);
  assert.equal(report.entitiesMissingOffline, 1);
  const strict = byName(
    await checkSkew({ featureStore: store, records, featureService: "driver_v1", tolerance: 0 }),
  );
  assert.equal(strict.conv_rate?.mismatches, 1);
});

test("an on-demand feature whose request field was not logged is skipped, the rest compared", async () => {
  const records = (await serve([1001, 1002], now - 60_000)).map((r) => {
    const { bonus: _, ...features } = r.features;
    return { ...r, features };
  });
  const report = await checkSkew({ featureStore: store, records, featureService: "driver_v1" });
  assert.equal(report.skippedFeatures.length, 1);
  assert.equal(report.skippedFeatures[0]?.feature, "conv_plus");
  assert.match(report.skippedFeatures[0]?.reason ?? "", /request field 'bonus'/);
  assert.equal(byName(report).conv_rate?.compared, 2);
  assert.equal(byName(report).conv_plus_bonus, undefined);
});

test("sampling draws the asked number of records; no records is an empty report", async () => {
  const records = await serve(
    Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 1001 : 1002)),
    now - 60_000,
  );
  const report = await checkSkew({
    featureStore: store,
    records,
    featureService: "driver_v1",
    sample: 7,
    seed: 3,
  });
  assert.equal(report.records, 40);
  assert.equal(report.sampled, 7);
  assert.equal(byName(report).conv_rate?.compared, 7);
  const empty = await checkSkew({ featureStore: store, records: [], featureService: "driver_v1" });
  assert.deepEqual(empty.features, []);
  assert.equal(empty.sampled, 0);
});

test("bad options are typed errors naming the option", async () => {
  const records = await serve([1001], now);
  const bad: Array<[Record<string, unknown>, string]> = [
    [{ sample: 0 }, "sample"],
    [{ sample: 1.5 }, "sample"],
    [{ sample: "10" }, "sample"],
    [{ tolerance: -1 }, "tolerance"],
    [{ tolerance: Number.NaN }, "tolerance"],
    [{ records: "nope" }, "records"],
  ];
  for (const [options, field] of bad) {
    await assert.rejects(
      checkSkew({ featureStore: store, records, featureService: "driver_v1", ...options } as never),
      (e: unknown) => isPlinthError(e, "MONITORING_INVALID_INPUT") && e.field === field,
      field,
    );
  }
  await assert.rejects(
    checkSkew({ featureStore: store, records, featureService: "nope" }),
    (e: unknown) => isPlinthError(e, "FEATURES_UNKNOWN_SERVICE"),
  );
});
