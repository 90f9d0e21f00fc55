import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { isPlinthError } from "../../../core/errors.ts";
import { rejectsWithCode } from "../../../core/testing/rejects-with-code.ts";
import { entity } from "../../definitions/entity.ts";
import { defineFeatures } from "../../definitions/feature-definitions.ts";
import { featureService } from "../../definitions/feature-service.ts";
import { featureView } from "../../definitions/feature-view.ts";
import { onDemandFeatureView, requestSource } from "../../definitions/on-demand-feature-view.ts";
import { runOnDemandTransform } from "../../definitions/run-on-demand-transform.ts";
import { csvSource, parquetSource, sqlSource } from "../../definitions/sources.ts";
import { runOfflineStoreContract } from "../offline-store.contract.ts";
import { createDuckDbOfflineStore } from "./create-duckdb-offline-store.ts";

runOfflineStoreContract("duckdb", (definitions) => createDuckDbOfflineStore(definitions));

const dir = mkdtempSync(join(tmpdir(), "plinth-offline-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const STATS_SQL = `SELECT * FROM (VALUES
  (1, TIMESTAMP '2024-01-01 10:00', TIMESTAMP '2024-01-01 10:00', 4.0, 1, 'a'),
  (1, TIMESTAMP '2024-01-01 11:00', TIMESTAMP '2024-01-01 11:00', 4.5, 2, 'b'),
  (1, TIMESTAMP '2024-01-01 11:00', TIMESTAMP '2024-01-01 13:00', 3.5, 9, 'c'),
  (2, TIMESTAMP '2024-01-01 09:00', TIMESTAMP '2024-01-01 09:00', 5.0, 3, 'a')
) t(driver_id, event_ts, created_ts, rating, trips, city)`;

async function sql(statement: string): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run(statement);
  connection.closeSync();
  instance.closeSync();
}

before(async () => {
  await sql(`COPY (${STATS_SQL}) TO '${dir}/stats.parquet' (FORMAT parquet)`);
  await sql(
    `COPY (SELECT driver_id, CAST(event_ts AS TIMESTAMPTZ) AS event_ts, rating FROM (${STATS_SQL})) TO '${dir}/stats_tz.parquet' (FORMAT parquet)`,
  );
  await sql(
    `COPY (SELECT CAST(driver_id AS VARCHAR) AS driver_id, event_ts, rating FROM (${STATS_SQL})) TO '${dir}/string_keys.parquet' (FORMAT parquet)`,
  );
  await sql(
    `COPY (SELECT driver_id, event_ts, CAST(rating AS VARCHAR) AS rating FROM (${STATS_SQL})) TO '${dir}/text_rating.parquet' (FORMAT parquet)`,
  );
  writeFileSync(join(dir, "not-parquet.parquet"), "this is not parquet");
});

const driver = entity({ name: "driver", joinKeys: [{ name: "driver_id", type: "int64" }] });
const stats = featureView({
  name: "stats",
  entities: [driver],
  schema: [
    { name: "rating", type: "float64" },
    { name: "trips", type: "int64" },
    { name: "city", type: "string" },
  ],
  source: parquetSource({
    name: "stats_src",
    path: "stats.parquet",
    timestampField: "event_ts",
    createdTimestampField: "created_ts",
  }),
  ttlSeconds: 7200,
});
const txn = requestSource({ name: "txn", schema: [{ name: "amount", type: "float64" }] });
const scaled = onDemandFeatureView({
  name: "scaled",
  sources: [stats.select(["rating"]), txn],
  schema: [
    { name: "rating_x_amount", type: "float64" },
    { name: "grade", type: "string" },
  ],
  transform: ({ rating, amount }) => {
    const r = rating as Float64Array;
    const a = amount as Float64Array;
    return {
      rating_x_amount: r.map((x, i) => x * a[i]!),
      grade: Array.from(r, (x) => (Number.isNaN(x) ? null : x >= 4 ? "good" : "poor")),
    };
  },
});
const full = featureService({ name: "full", features: [stats, scaled] });
const onlyScaled = featureService({ name: "only_scaled", features: [scaled] });

const at = (hhmm: string): string => `2024-01-01 ${hhmm}:00`;
const ROWS = [
  { driver_id: 1, event_timestamp: at("11:30"), amount: 2, label: 1 },
  { driver_id: 1, event_timestamp: at("13:30"), amount: 3, label: 0 },
  { driver_id: 2, event_timestamp: at("10:00"), amount: 1, label: 1 },
  { driver_id: 3, event_timestamp: at("12:00"), amount: 1, label: 0 },
  { driver_id: 1, event_timestamp: at("09:59"), amount: 1, label: 1 },
];

function store(...extra: unknown[]) {
  return createDuckDbOfflineStore(
    defineFeatures([driver, stats, scaled, full, onlyScaled, ...extra], { baseDir: dir }),
  );
}

const nums = (c: unknown): (number | null)[] =>
  Array.from(c as Float64Array, (v) => (Number.isNaN(v) ? null : v));

test("features as of each row: ties by created time, ttl, misses, on-demand outputs", async () => {
  const job = store().getHistoricalFeatures(ROWS, full);
  const frame = await job.toFrame();
  await job.close();
  assert.deepEqual(
    frame.schema.map((f) => `${f.name}:${f.type}`),
    [
      "driver_id:int64",
      "event_timestamp:timestamp",
      "amount:float64",
      "label:float64",
      "rating:float64",
      "trips:int64",
      "city:string",
      "rating_x_amount:float64",
      "grade:string",
    ],
  );
  // Row 0: two rows at 11:00, the one created at 13:00 wins. Row 1: 11:00 is older than the 2 h ttl.
  assert.deepEqual(nums(frame.columns.rating), [3.5, null, 5, null, null]);
  assert.deepEqual(frame.columns.trips, [9n, null, 3n, null, null]);
  assert.deepEqual(frame.columns.city, ["c", null, "a", null, null]);
  assert.deepEqual(nums(frame.columns.rating_x_amount), [7, null, 5, null, null]);
  assert.deepEqual(frame.columns.grade, ["poor", null, "good", null, null]);
  // Online, the same transform runs on one row at a time: it must agree with the batch.
  const rating = frame.columns.rating as Float64Array;
  const amount = frame.columns.amount as Float64Array;
  for (let i = 0; i < frame.numRows; i++) {
    const one = runOnDemandTransform(
      scaled,
      { rating: rating.subarray(i, i + 1), amount: amount.subarray(i, i + 1) },
      1,
    );
    assert.deepEqual(nums(one.rating_x_amount), [nums(frame.columns.rating_x_amount)[i]]);
    assert.deepEqual(one.grade, [(frame.columns.grade as (string | null)[])[i]]);
  }
  assert.deepEqual(
    (frame.columns.event_timestamp as Date[]).map((d) => d.toISOString()),
    ROWS.map((r) => `${r.event_timestamp.replace(" ", "T")}.000Z`),
  );
});

test("excludeLateArrivals ignores a row created after the entity row's time", async () => {
  const job = store().getHistoricalFeatures(ROWS, "full", { excludeLateArrivals: true });
  const frame = await job.toFrame();
  await job.close();
  assert.deepEqual(nums(frame.columns.rating), [4.5, null, 5, null, null]);
  assert.deepEqual(frame.columns.city, ["b", null, "a", null, null]);
});

test("inputs an on-demand view needs are joined but not returned; full names prefix the view", async () => {
  const job = store().getHistoricalFeatures(ROWS, onlyScaled, {
    fullFeatureNames: true,
    onDemandBatchSize: 2,
  });
  const frame = await job.toFrame();
  await job.close();
  assert.deepEqual(
    frame.schema.map((f) => f.name),
    ["driver_id", "event_timestamp", "amount", "label", "scaled__rating_x_amount", "scaled__grade"],
  );
  assert.deepEqual(nums(frame.columns.scaled__rating_x_amount), [7, null, 5, null, null]);
});

test("Date timestamps join zoned sources; feature references resolve against the definitions", async () => {
  const zoned = featureView({
    name: "zoned",
    entities: [driver],
    schema: [{ name: "rating", type: "float64" }],
    source: parquetSource({ name: "tz_src", path: "stats_tz.parquet", timestampField: "event_ts" }),
  });
  const rows = [{ driver_id: 1n, event_timestamp: new Date("2024-01-01T10:30:00Z") }];
  const job = store(zoned).getHistoricalFeatures(rows, ["zoned:rating"]);
  const frame = await job.toFrame();
  await job.close();
  assert.deepEqual(nums(frame.columns.rating), [4]);
  assert.equal(
    (frame.columns.event_timestamp as Date[])[0]!.toISOString(),
    "2024-01-01T10:30:00.000Z",
  );
});

test("toParquet, toArrow and statistics agree with the frame; lineage follows content", async () => {
  const job = store().getHistoricalFeatures(ROWS, full);
  const frame = await job.toFrame();
  const path = join(dir, "train.parquet");
  const manifest = await job.toParquet(path);
  const table = await job.toArrow();
  const s = await job.statistics();
  await job.close();
  assert.equal(manifest.numRows, 5);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith(".tmp")),
    [],
    "no temporary file left",
  );
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const back = await connection.runAndReadAll(
    `SELECT label, rating, trips, grade FROM read_parquet('${path}')`,
  );
  connection.closeSync();
  instance.closeSync();
  assert.deepEqual(back.getRowsJS(), [
    [1, 3.5, 9n, "poor"],
    [0, null, null, null],
    [1, 5, 3n, "good"],
    [0, null, null, null],
    [1, null, null, null],
  ]);
  assert.deepEqual(
    table.schema.fields.map((f) => f.name),
    frame.schema.map((f) => f.name),
  );
  assert.deepEqual(table.getChild("trips")!.toArray().length, 5);
  assert.equal(table.getChild("city")!.get(0), "c");
  assert.equal(table.getChild("rating")!.get(1), null);

  assert.equal(s.numRows, 5);
  assert.deepEqual(
    s.features.map((f) => f.name),
    ["rating", "trips", "city", "rating_x_amount", "grade"],
  );
  const rating = s.features[0]!;
  assert.equal(rating.count, 2);
  assert.equal(rating.missing, 3);
  assert.equal(rating.min, 3.5);
  assert.equal(rating.max, 5);
  assert.equal(rating.mean, 4.25);
  assert.ok(Math.abs(rating.std! - Math.sqrt(((3.5 - 4.25) ** 2 + (5 - 4.25) ** 2) / 1)) < 1e-12);
  assert.deepEqual(s.features[2]!.topCategories, [
    { value: "a", count: 1 },
    { value: "c", count: 1 },
  ]);

  const lineage = manifest.lineage;
  assert.equal(lineage.entityInputKind, "rows");
  assert.match(lineage.sources.stats_src!.sha256, /^[0-9a-f]{64}$/);
  const again = store().getHistoricalFeatures(
    ROWS.map((r) => ({ ...r })),
    full,
  );
  assert.equal((await again.lineage()).hash, lineage.hash, "same inputs, same lineage hash");
  await again.close();
  const changed = store().getHistoricalFeatures([...ROWS.slice(1), ROWS[0]!], full);
  const other = await changed.lineage();
  await changed.close();
  assert.notEqual(other.entityInputHash, lineage.entityInputHash);
  assert.equal(other.definitionsHash, lineage.definitionsHash);
  assert.notEqual(other.hash, lineage.hash);
});

test("statistics match a JavaScript computation on random data", async () => {
  const values = Array.from({ length: 997 }, (_, i) => ((i * 7919) % 1013) / 10 - 20);
  const csv = [
    "id,ts,x,c",
    ...values.map((v, i) => `${i},2024-01-01 00:00:00,${i % 11 === 0 ? "" : v},${"pqr"[i % 3]}`),
  ];
  writeFileSync(join(dir, "random.csv"), csv.join("\n"));
  const item = entity({ name: "item", joinKeys: [{ name: "id", type: "int64" }] });
  const v = featureView({
    name: "rnd",
    entities: [item],
    schema: [
      { name: "x", type: "float64" },
      { name: "c", type: "string" },
    ],
    source: csvSource({ name: "rnd_src", path: "random.csv", timestampField: "ts" }),
  });
  const s = createDuckDbOfflineStore(defineFeatures([item, v], { baseDir: dir }));
  const job = s.getHistoricalFeatures(
    {
      sql: `SELECT id, TIMESTAMP '2024-01-02' AS event_timestamp FROM read_csv('${dir}/random.csv')`,
    },
    ["rnd"],
  );
  const stats = await job.statistics();
  const frame = await job.toFrame();
  await job.close();
  const x = Array.from(frame.columns.x as Float64Array).filter((z) => !Number.isNaN(z));
  const sorted = [...x].sort((a, b) => a - b);
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const std = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / (x.length - 1));
  const summary = stats.features[0]!;
  assert.equal(summary.count, x.length);
  assert.equal(summary.missing, 997 - x.length);
  assert.equal(summary.min, sorted[0]);
  assert.equal(summary.max, sorted.at(-1));
  assert.ok(Math.abs(summary.mean! - mean) < 1e-9);
  assert.ok(Math.abs(summary.std! - std) < 1e-9);
  for (const [q, got] of Object.entries(summary.quantiles!)) {
    // Nearest rank (numpy's "inverted_cdf"): the value at index ceil(n * q) - 1 of the sorted values.
    assert.equal(
      got,
      sorted[Math.max(0, Math.ceil(sorted.length * Number(q)) - 1)],
      `quantile ${q}`,
    );
  }
  assert.deepEqual(summary.topCategories, undefined);
  assert.deepEqual(stats.features[1]!.topCategories, [
    { value: "p", count: 333 },
    { value: "q", count: 332 },
    { value: "r", count: 332 },
  ]);
});

test("bad requests get typed errors naming the service, view, feature or column", async () => {
  const s = store();
  const throwsCode = (fn: () => unknown, code: string, field: string) =>
    assert.throws(fn, (e: unknown) => isPlinthError(e) && e.code === code && e.field === field);
  throwsCode(() => s.getHistoricalFeatures(ROWS, "nope"), "FEATURES_UNKNOWN_SERVICE", "nope");
  throwsCode(
    () => s.getHistoricalFeatures(ROWS, ["ghost:rating"]),
    "FEATURES_UNKNOWN_VIEW",
    "ghost:rating",
  );
  throwsCode(
    () => s.getHistoricalFeatures(ROWS, ["stats:speed"]),
    "FEATURES_UNKNOWN_FEATURE",
    "speed",
  );
  const twin = featureView({
    name: "twin",
    entities: [driver],
    schema: [{ name: "rating", type: "float64" }],
    source: parquetSource({ name: "stats_src", path: "stats.parquet", timestampField: "event_ts" }),
  });
  throwsCode(
    () => s.getHistoricalFeatures(ROWS, featureService({ name: "x", features: [stats, twin] })),
    "FEATURES_NAME_COLLISION",
    "rating",
  );
  const job = s.getHistoricalFeatures(
    ROWS.map((r) => ({ ...r, rating: 1 })),
    full,
  );
  await rejectsWithCode(job.toFrame(), "FEATURES_NAME_COLLISION", "rating");
  await job.close();
});

test("bad entity input gets typed errors", async () => {
  const s = store();
  const run = async (
    rows: Parameters<typeof s.getHistoricalFeatures>[0],
    code: Parameters<typeof rejectsWithCode>[1],
    field?: string,
    service = full,
  ) => {
    const job = s.getHistoricalFeatures(rows, service);
    await rejectsWithCode(job.toFrame(), code, field);
    await job.close();
  };
  await run(
    [{ driver_id: "1", event_timestamp: at("10:00"), amount: 1 }],
    "FEATURES_KEY_TYPE_MISMATCH",
    "driver_id",
  );
  await run(
    [{ driver_id: 1.5, event_timestamp: at("10:00"), amount: 1 }],
    "FEATURES_KEY_TYPE_MISMATCH",
    "driver_id",
  );
  await run(
    [{ driver_id: 1, when: at("10:00"), amount: 1 }],
    "FEATURES_MISSING_TIMESTAMP",
    "event_timestamp",
  );
  await run(
    [{ event_timestamp: at("10:00"), amount: 1 }],
    "FEATURES_INVALID_ENTITY_INPUT",
    "driver_id",
  );
  await run(
    [{ driver_id: 1, event_timestamp: at("10:00") }],
    "FEATURES_INVALID_ENTITY_INPUT",
    "amount",
  );
  await run(
    [
      { driver_id: 1, event_timestamp: "2024-01-01T10:00:00Z", amount: 1 },
      { driver_id: 1, event_timestamp: "2024-01-01 10:00:00", amount: 1 },
    ],
    "FEATURES_TIMESTAMP_MISMATCH",
    "event_timestamp",
  );
  // An instant (Date) against a source whose timestamps have no zone.
  await run(
    [{ driver_id: 1, event_timestamp: new Date(), amount: 1 }],
    "FEATURES_TIMESTAMP_MISMATCH",
    "event_ts",
  );
  await run(
    [{ driver_id: 1, event_timestamp: 1704103200000, amount: 1 }],
    "FEATURES_TIMESTAMP_MISMATCH",
    "event_timestamp",
  );
  await run(
    [{ driver_id: 1, event_timestamp: "not a time", amount: 1 }],
    "FEATURES_TIMESTAMP_MISMATCH",
    "event_timestamp",
  );
  await run(
    { parquet: join(dir, "missing-entities.parquet") },
    "FEATURES_INVALID_ENTITY_INPUT",
    "entities",
  );
  await run([], "FEATURES_INVALID_ENTITY_INPUT", "entities");
});

test("bad sources and transforms get typed errors naming them", async () => {
  const viewOver = (name: string, source: Parameters<typeof featureView>[0]["source"]) =>
    featureView({
      name,
      entities: [driver],
      schema: [{ name: "rating", type: "float64" }],
      source,
    });
  const cases: [ReturnType<typeof viewOver>, string, string][] = [
    [
      viewOver(
        "gone",
        parquetSource({ name: "gone_src", path: "nowhere/*.parquet", timestampField: "event_ts" }),
      ),
      "FEATURES_SOURCE_NOT_FOUND",
      "gone_src",
    ],
    [
      viewOver(
        "junk",
        parquetSource({
          name: "junk_src",
          path: "not-parquet.parquet",
          timestampField: "event_ts",
        }),
      ),
      "FEATURES_SOURCE_SCHEMA",
      "junk_src",
    ],
    [
      viewOver(
        "no_ts",
        parquetSource({ name: "no_ts_src", path: "stats.parquet", timestampField: "when" }),
      ),
      "FEATURES_MISSING_TIMESTAMP",
      "when",
    ],
    [
      viewOver(
        "str_keys",
        parquetSource({ name: "sk_src", path: "string_keys.parquet", timestampField: "event_ts" }),
      ),
      "FEATURES_KEY_TYPE_MISMATCH",
      "driver_id",
    ],
    [
      viewOver(
        "txt",
        parquetSource({ name: "txt_src", path: "text_rating.parquet", timestampField: "event_ts" }),
      ),
      "FEATURES_SOURCE_SCHEMA",
      "rating",
    ],
    [
      viewOver(
        "bad_sql",
        sqlSource({
          name: "bad_sql_src",
          query: "SELECT * FROM no_such_table",
          timestampField: "event_ts",
        }),
      ),
      "FEATURES_SOURCE_NOT_FOUND",
      "bad_sql_src",
    ],
    [
      viewOver(
        "tz",
        parquetSource({ name: "tz_src", path: "stats_tz.parquet", timestampField: "event_ts" }),
      ),
      "FEATURES_TIMESTAMP_MISMATCH",
      "event_ts",
    ],
  ];
  for (const [view, code, field] of cases) {
    const job = store(view).getHistoricalFeatures(ROWS, [view.name]);
    await rejectsWithCode(job.toFrame(), code as Parameters<typeof rejectsWithCode>[1], field);
    await job.close();
  }
  const missingFeature = featureView({
    name: "wide",
    entities: [driver],
    schema: [{ name: "speed", type: "float64" }],
    source: parquetSource({ name: "wide_src", path: "stats.parquet", timestampField: "event_ts" }),
  });
  const job = store(missingFeature).getHistoricalFeatures(ROWS, ["wide"]);
  await rejectsWithCode(job.toFrame(), "FEATURES_SOURCE_SCHEMA", "speed");
  await job.close();

  for (const [name, transform] of [
    [
      "throws",
      () => {
        throw new Error("division by zero");
      },
    ],
    ["short", () => ({ y: new Float64Array(1) })],
    [
      "wrong_type",
      ({ rating }: Record<string, unknown>) => ({
        y: Array.from(rating as Float64Array, () => "x"),
      }),
    ],
  ] as const) {
    const odfv = onDemandFeatureView({
      name,
      sources: [stats.select(["rating"])],
      schema: [{ name: "y", type: "float64" }],
      transform,
    });
    const j = store(odfv).getHistoricalFeatures(ROWS, [name]);
    await assert.rejects(
      j.toFrame(),
      (e: unknown) =>
        isPlinthError(e, "FEATURES_TRANSFORM_FAILED") && e.message.includes(`'${name}'`),
    );
    await j.close();
  }
  assert.ok(!existsSync(join(dir, "nowhere")));
});
