import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { entity } from "../definitions/entity.ts";
import { featureService } from "../definitions/feature-service.ts";
import { featureView } from "../definitions/feature-view.ts";
import { onDemandFeatureView, requestSource } from "../definitions/on-demand-feature-view.ts";
import { csvSource } from "../definitions/sources.ts";
import { buildOnlineRecords } from "./build-online-records.ts";
import { createOnlineFeatureReader } from "./create-online-feature-reader.ts";
import { NO_CREATED_TIME, type OnlineStore } from "./online-store.ts";
import { createSqliteOnlineStore } from "./sqlite/create-sqlite-online-store.ts";

const driver = entity({ name: "driver", joinKeys: [{ name: "driver_id", type: "int64" }] });
const pair = entity({
  name: "pair",
  joinKeys: [
    { name: "user_id", type: "string" },
    { name: "item_id", type: "int64" },
  ],
});
const src = csvSource({ name: "s", path: "unused.csv", timestampField: "ts" });
const driverStats = featureView({
  name: "driver_stats",
  entities: [driver],
  schema: [
    { name: "rate", type: "float64" },
    { name: "trips", type: "int64" },
    { name: "label", type: "string" },
    { name: "active", type: "bool" },
    { name: "seen", type: "timestamp" },
  ],
  source: src,
  ttlSeconds: 60,
});
const pairStats = featureView({
  name: "pair_stats",
  entities: [pair],
  schema: [{ name: "score", type: "float64" }],
  source: src,
});
const offlineOnly = featureView({
  name: "offline_only",
  entities: [driver],
  schema: [{ name: "x", type: "float64" }],
  source: src,
  online: false,
});
const txn = requestSource({ name: "txn", schema: [{ name: "amount", type: "float64" }] });
const scaled = onDemandFeatureView({
  name: "scaled",
  sources: [driverStats.select(["rate"]), txn],
  schema: [
    { name: "rate_x_amount", type: "float64" },
    { name: "big", type: "bool" },
  ],
  transform: ({ rate, amount }) => {
    const r = rate as Float64Array;
    const a = amount as Float64Array;
    return {
      rate_x_amount: r.map((x, i) => x * a[i]!),
      big: Array.from(a, (x) => (Number.isNaN(x) ? null : x > 100)),
    };
  },
});
const service = featureService({
  name: "svc",
  features: [driverStats.select(["trips", "label", "active", "seen"]), pairStats, scaled],
});

const NOW = new Date(Date.UTC(2024, 4, 1, 12, 0, 0));
const us = (d: Date) => d.getTime() * 1000;
let store: OnlineStore;

before(async () => {
  store = createSqliteOnlineStore({ path: ":memory:" });
  const at = (secondsAgo: number) => us(NOW) - secondsAgo * 1_000_000;
  await store.write(
    "driver_stats",
    buildOnlineRecords(
      driverStats,
      {
        numRows: 4,
        columns: {
          driver_id: [1n, 2n, 3n, 4n],
          rate: Float64Array.of(0.5, Number.NaN, 2, 3),
          trips: [10n, null, 9007199254740993n, 4n],
          label: ['a "quoted", label', null, "c", "d"],
          active: [true, null, false, true],
          seen: [new Date(Date.UTC(2024, 3, 1)), null, null, null],
        },
        // Driver 3 is exactly at the ttl boundary (still valid); driver 4 one microsecond past it.
        eventMicros: [at(5), at(10), at(60), at(60) - 1],
        createdMicros: [NO_CREATED_TIME, at(10), at(60), at(60)],
      },
      Number.POSITIVE_INFINITY,
    ),
  );
  await store.write(
    "pair_stats",
    buildOnlineRecords(pairStats, {
      numRows: 2,
      columns: { user_id: ["u,1", "u2"], item_id: [3n, 3n], score: Float64Array.of(7.5, 8) },
      eventMicros: [at(1000), at(1000)],
      createdMicros: [at(1000), at(1000)],
    }),
  );
});
after(() => store.close());

describe("online feature reader", () => {
  const reader = () => createOnlineFeatureReader(service, store);

  test("values come typed, with a status and event time per value; hidden inputs stay hidden", async () => {
    const r = reader();
    assert.deepEqual(r.featureNames, [
      "driver_id",
      "user_id",
      "item_id",
      "trips",
      "label",
      "active",
      "seen",
      "score",
      "rate_x_amount",
      "big",
    ]);
    const v = await r.get({ driver_id: 1, user_id: "u,1", item_id: 3, amount: 300 }, { now: NOW });
    assert.deepEqual(v.values, [
      1n,
      "u,1",
      3n,
      10n,
      'a "quoted", label',
      true,
      new Date(Date.UTC(2024, 3, 1)),
      7.5,
      150,
      true,
    ]);
    assert.deepEqual(v.statuses, [
      "PRESENT",
      "PRESENT",
      "PRESENT",
      "PRESENT",
      "PRESENT",
      "PRESENT",
      "PRESENT",
      "PRESENT",
      "PRESENT",
      "PRESENT",
    ]);
    const driverTime = new Date(NOW.getTime() - 5000);
    const pairTime = new Date(NOW.getTime() - 1_000_000);
    assert.deepEqual(v.eventTimestamps, [
      null,
      null,
      null,
      driverTime,
      driverTime,
      driverTime,
      driverTime,
      pairTime,
      null,
      null,
    ]);
  });

  test("NULL_VALUE, NOT_FOUND and OUTSIDE_MAX_AGE at the exact ttl boundary", async () => {
    const r = createOnlineFeatureReader(
      featureService({ name: "s2", features: [driverStats.select(["trips", "rate"])] }),
      store,
    );
    const { rows } = await r.getMany(
      [{ driver_id: 2 }, { driver_id: 99 }, { driver_id: 3 }, { driver_id: 4 }],
      { now: NOW },
    );
    assert.deepEqual(
      rows.map((row) => row.statuses),
      [
        ["PRESENT", "NULL_VALUE", "NULL_VALUE"],
        ["PRESENT", "NOT_FOUND", "NOT_FOUND"],
        ["PRESENT", "PRESENT", "PRESENT"],
        ["PRESENT", "OUTSIDE_MAX_AGE", "OUTSIDE_MAX_AGE"],
      ],
    );
    assert.deepEqual(
      rows.map((row) => row.values),
      [
        [2n, null, null],
        [99n, null, null],
        [3n, 9007199254740993n, 2],
        [4n, null, null],
      ],
    );
    // The expired value is reported with its (old) event time, so callers can see its age.
    assert.equal(rows[3]!.eventTimestamps[1]!.getTime(), NOW.getTime() - 60_001);
    assert.equal(rows[1]!.eventTimestamps[1], null);
    // A minute later driver 3 has aged out too.
    const later = await r.get({ driver_id: 3 }, { now: new Date(NOW.getTime() + 1) });
    assert.deepEqual(later.statuses, ["PRESENT", "OUTSIDE_MAX_AGE", "OUTSIDE_MAX_AGE"]);
  });

  test("on-demand features see missing inputs as missing; request data may come separately", async () => {
    const r = reader();
    const { rows } = await r.getMany(
      [
        { driver_id: 1, user_id: "u2", item_id: "3" },
        { driver_id: 4n, user_id: "nobody", item_id: 3 },
      ],
      { now: NOW, requestData: [{ amount: 2 }, { amount: null }] },
    );
    assert.deepEqual(
      rows.map((row) => row.values.slice(7)),
      [
        [8, 1, false],
        [null, null, null],
      ],
    );
    assert.deepEqual(
      rows.map((row) => row.statuses.slice(7)),
      [
        ["PRESENT", "PRESENT", "PRESENT"],
        ["NOT_FOUND", "NULL_VALUE", "NULL_VALUE"],
      ],
    );
    // getMany equals get, row by row.
    const single = await r.get(
      { driver_id: 1, user_id: "u2", item_id: "3" },
      { now: NOW, requestData: [{ amount: 2 }] },
    );
    assert.deepEqual(single, rows[0]);
    assert.deepEqual((await r.getMany([], { now: NOW })).rows, []);
  });

  test("fullFeatureNames prefixes features, not join keys", () => {
    const r = createOnlineFeatureReader(service, store, { fullFeatureNames: true });
    assert.deepEqual(r.featureNames.slice(0, 5), [
      "driver_id",
      "user_id",
      "item_id",
      "driver_stats__trips",
      "driver_stats__label",
    ]);
    assert.equal(r.featureNames.at(-1), "scaled__big");
  });

  test("bad entity rows and request data are typed errors naming the field", async () => {
    const r = reader();
    const cases: [unknown, string, string][] = [
      [{ user_id: "u", item_id: 1, amount: 1 }, "FEATURES_INVALID_ENTITY_INPUT", "driver_id"],
      [
        { driver_id: null, user_id: "u", item_id: 1, amount: 1 },
        "FEATURES_INVALID_ENTITY_INPUT",
        "driver_id",
      ],
      [
        { driver_id: "abc", user_id: "u", item_id: 1, amount: 1 },
        "FEATURES_KEY_TYPE_MISMATCH",
        "driver_id",
      ],
      [
        { driver_id: 1.5, user_id: "u", item_id: 1, amount: 1 },
        "FEATURES_KEY_TYPE_MISMATCH",
        "driver_id",
      ],
      [
        { driver_id: 2 ** 60, user_id: "u", item_id: 1, amount: 1 },
        "FEATURES_KEY_TYPE_MISMATCH",
        "driver_id",
      ],
      [
        { driver_id: "9".repeat(30), user_id: "u", item_id: 1, amount: 1 },
        "FEATURES_KEY_TYPE_MISMATCH",
        "driver_id",
      ],
      [
        { driver_id: 1, user_id: 5, item_id: 1, amount: 1 },
        "FEATURES_KEY_TYPE_MISMATCH",
        "user_id",
      ],
      [
        { driver_id: 1, user_id: "u", item_id: true, amount: 1 },
        "FEATURES_KEY_TYPE_MISMATCH",
        "item_id",
      ],
      [
        { driver_id: 1, user_id: "u", item_id: { $gt: 1 }, amount: 1 },
        "FEATURES_KEY_TYPE_MISMATCH",
        "item_id",
      ],
      [{ driver_id: 1, user_id: "u", item_id: 1 }, "FEATURES_INVALID_ENTITY_INPUT", "amount"],
      [
        { driver_id: 1, user_id: "u", item_id: 1, amount: "12" },
        "FEATURES_INVALID_ENTITY_INPUT",
        "amount",
      ],
      [[1, 2], "FEATURES_INVALID_ENTITY_INPUT", "entityRows[0]"],
      [null, "FEATURES_INVALID_ENTITY_INPUT", "entityRows[0]"],
      // Inherited properties are not keys.
      [Object.create({ driver_id: 1 }), "FEATURES_INVALID_ENTITY_INPUT", "driver_id"],
    ];
    for (const [row, code, field] of cases) {
      await assert.rejects(r.get(row as Record<string, unknown>, { now: NOW }), (e: unknown) => {
        assert.ok(isPlinthError(e), String(e));
        assert.equal(e.code, code, `${JSON.stringify(row)}: ${e.message}`);
        assert.equal(e.field, field, e.message);
        return true;
      });
    }
    const ok = { driver_id: 1, user_id: "u", item_id: 1, amount: 1 };
    await assert.rejects(
      r.getMany([ok], { requestData: [] }),
      (e: unknown) =>
        isPlinthError(e, "FEATURES_INVALID_ENTITY_INPUT") && e.field === "requestData",
    );
    await assert.rejects(
      r.getMany([{ driver_id: 1, user_id: "u", item_id: 1 }], { requestData: ["x" as never] }),
      (e: unknown) =>
        isPlinthError(e, "FEATURES_INVALID_ENTITY_INPUT") && e.field === "requestData[0]",
    );
    await assert.rejects(r.getMany("rows" as never), (e: unknown) =>
      isPlinthError(e, "FEATURES_INVALID_ENTITY_INPUT"),
    );
  });

  test("a view with online: false, or a throwing transform, is refused by name", async () => {
    assert.throws(
      () =>
        createOnlineFeatureReader(featureService({ name: "o", features: [offlineOnly] }), store),
      (e: unknown) => isPlinthError(e, "FEATURES_VIEW_NOT_ONLINE") && e.field === "offline_only",
    );
    const broken = onDemandFeatureView({
      name: "broken",
      sources: [driverStats.select(["rate"])],
      schema: [{ name: "y", type: "float64" }],
      transform: () => ({ y: new Float64Array(5) }),
    });
    const r = createOnlineFeatureReader(featureService({ name: "b", features: [broken] }), store);
    await assert.rejects(
      r.get({ driver_id: 1 }),
      (e: unknown) =>
        isPlinthError(e, "FEATURES_TRANSFORM_FAILED") && e.message.includes("'broken'"),
    );
  });
});
