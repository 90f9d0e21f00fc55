import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { metadataBackends } from "../../metadata/testing/metadata-backends.ts";
import { entity } from "../definitions/entity.ts";
import { defineFeatures } from "../definitions/feature-definitions.ts";
import { featureView } from "../definitions/feature-view.ts";
import { csvSource } from "../definitions/sources.ts";
import { createDuckDbOfflineStore } from "../offline/duckdb/create-duckdb-offline-store.ts";
import { createRedisOnlineStore } from "../online/redis/create-redis-online-store.ts";
import { createSqliteOnlineStore } from "../online/sqlite/create-sqlite-online-store.ts";
import { type MaterializationProgress, materializeViews } from "./materialize-views.ts";
import { at, naive } from "./testing/random-feature-repo.ts";
import { advanceWatermark, readWatermarks } from "./watermarks.ts";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "plinth-materialize-"));
  // Driver 1 has rows at 0, 10 and 50 s; driver 2 at 5 s only; driver 3 only in the future.
  writeFileSync(
    join(dir, "stats.csv"),
    [
      "driver_id,ts,trips",
      `1,${naive(0)},1`,
      `1,${naive(10)},2`,
      `2,${naive(5)},3`,
      `1,${naive(50)},4`,
      `3,${naive(500)},5`,
    ].join("\n"),
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

function definitions() {
  const driver = entity({ name: "driver", joinKeys: [{ name: "driver_id", type: "int64" }] });
  const view = (name: string, path: string, ttlSeconds = 0, online = true) =>
    featureView({
      name,
      entities: [driver],
      schema: [{ name: "trips", type: "int64" }],
      source: csvSource({ name: `${name}_src`, path, timestampField: "ts" }),
      ttlSeconds,
      online,
    });
  return defineFeatures(
    [
      driver,
      view("stats", "stats.csv"),
      view("recent", "stats.csv", 20),
      view("missing", "no-such.csv"),
      view("archive", "stats.csv", 0, false),
    ],
    { baseDir: dir },
  );
}

for (const backend of metadataBackends()) {
  describe(`materialization (metadata on ${backend.name})`, () => {
    test("watermarks only move forward and are kept per online store", async () => {
      const { store: metadata, cleanup } = await backend.open();
      try {
        const run = { view: "v", onlineStore: "a", startMs: null, rowsWritten: 3 };
        await advanceWatermark(metadata, { ...run, endMs: 2000 });
        await advanceWatermark(metadata, { ...run, endMs: 1000, startMs: 500, rowsWritten: 1 });
        await advanceWatermark(metadata, { ...run, onlineStore: "b", endMs: 10 });
        const a = (await readWatermarks(metadata, "a", ["v", "w"])).get("v");
        assert.equal(a?.watermarkMs, 2000);
        assert.equal(a?.lastEndMs, 1000, "the last run is recorded as it was");
        assert.equal(a?.lastStartMs, 500);
        assert.equal((await readWatermarks(metadata, "b", ["v"])).get("v")?.watermarkMs, 10);
        assert.equal((await readWatermarks(metadata, "a", ["w"])).size, 0);
      } finally {
        await cleanup();
      }
    });

    test("windows, ttl, incremental runs and progress", async () => {
      const { store: metadata, cleanup } = await backend.open();
      const online = createSqliteOnlineStore({ path: ":memory:" });
      try {
        const defs = definitions();
        const ctx = {
          definitions: defs,
          offline: createDuckDbOfflineStore(defs),
          online,
          metadata,
          expiredRetentionMs: Number.POSITIVE_INFINITY,
        };
        const read = async (view: string) =>
          (await online.read([{ view, entityKeys: ["1", "2", "3"] }]))[0]!.map(
            (r) => r?.values.trips ?? null,
          );
        const progress: MaterializationProgress[] = [];
        const [stats, recent] = await materializeViews(
          ctx,
          { kind: "range", start: at(0), end: at(30) },
          { views: ["stats", "recent"], onProgress: (p) => progress.push(p), writeBatchSize: 1 },
        );
        assert.deepEqual(await read("stats"), ["2", "3", null]);
        // ttl 20 s at end 30 s: rows before 10 s are already expired and not copied.
        assert.deepEqual(await read("recent"), ["2", null, null]);
        assert.equal(stats?.rowsRead, 2);
        assert.equal(recent?.startMs, at(10).getTime());
        assert.deepEqual(
          progress.filter((p) => p.view === "stats").map((p) => [p.done, p.total]),
          [
            [0, 2],
            [1, 2],
            [2, 2],
          ],
        );
        // Incremental: from the watermark (30 s) to 60 s picks up driver 1's row at 50 s.
        const [inc] = await materializeViews(
          ctx,
          { kind: "incremental", end: at(60) },
          { views: ["stats"] },
        );
        assert.equal(inc?.startMs, at(30).getTime());
        assert.equal(inc?.rowsRead, 1);
        assert.deepEqual(await read("stats"), ["4", "3", null]);
        // Nothing new up to the watermark: no rows, watermark kept.
        const [none] = await materializeViews(
          ctx,
          { kind: "incremental", end: at(40) },
          { views: ["stats"] },
        );
        assert.equal(none?.rowsRead, 0);
        const marks = await readWatermarks(metadata, online.location, ["stats", "recent"]);
        assert.equal(marks.get("stats")?.watermarkMs, at(60).getTime());
        assert.equal(marks.get("recent")?.watermarkMs, at(30).getTime());
        // Without a view list every online view is materialized, and the offline-only one is not.
        await assert.rejects(
          materializeViews(ctx, { kind: "incremental", end: at(60) }),
          (e: unknown) =>
            isPlinthError(e, "FEATURES_SOURCE_NOT_FOUND") && e.message.includes("'missing'"),
        );
      } finally {
        await online.close();
        await cleanup();
      }
    });

    test("a failed materialization leaves the watermark where it was", async () => {
      const { store: metadata, cleanup } = await backend.open();
      const online = createSqliteOnlineStore({ path: ":memory:" });
      const unreachable = createRedisOnlineStore({ url: "redis://127.0.0.1:1", keyPrefix: "x:" });
      try {
        const defs = definitions();
        const offline = createDuckDbOfflineStore(defs);
        const ctx = { definitions: defs, offline, online, metadata, expiredRetentionMs: 0 };
        await materializeViews(ctx, { kind: "incremental", end: at(20) }, { views: ["stats"] });
        await assert.rejects(
          materializeViews(ctx, { kind: "incremental", end: at(60) }, { views: ["missing"] }),
          (e: unknown) =>
            isPlinthError(e, "FEATURES_SOURCE_NOT_FOUND") && e.field === "missing_src",
        );
        const broken = { ...ctx, online: { ...unreachable, location: online.location } };
        await assert.rejects(
          materializeViews(broken, { kind: "incremental", end: at(60) }, { views: ["stats"] }),
          (e: unknown) =>
            isPlinthError(e, "FEATURES_ONLINE_STORE_UNAVAILABLE") && e.message.includes("'stats'"),
        );
        const marks = await readWatermarks(metadata, online.location, ["stats", "missing"]);
        assert.equal(marks.get("stats")?.watermarkMs, at(20).getTime());
        assert.equal(marks.has("missing"), false);
      } finally {
        await unreachable.close();
        await online.close();
        await cleanup();
      }
    });
  });
}

test("bad materialization requests are typed errors naming the field", async () => {
  const defs = definitions();
  const online = createSqliteOnlineStore({ path: ":memory:" });
  const { store: metadata, cleanup } = await metadataBackends()[0]!.open();
  try {
    const ctx = {
      definitions: defs,
      offline: createDuckDbOfflineStore(defs),
      online,
      metadata,
      expiredRetentionMs: 0,
    };
    const cases: [Parameters<typeof materializeViews>[1], object, string, string][] = [
      [{ kind: "range", start: at(10), end: at(5) }, {}, "INVALID_ARGUMENT", "start"],
      [{ kind: "range", start: new Date(Number.NaN), end: at(5) }, {}, "INVALID_ARGUMENT", "start"],
      [{ kind: "incremental", end: "yesterday" as never }, {}, "INVALID_ARGUMENT", "end"],
      [{ kind: "incremental", end: at(5) }, { views: ["nope"] }, "FEATURES_UNKNOWN_VIEW", "nope"],
      [
        { kind: "incremental", end: at(5) },
        { views: ["archive"] },
        "FEATURES_VIEW_NOT_ONLINE",
        "archive",
      ],
      [{ kind: "incremental", end: at(5) }, { views: [] }, "INVALID_ARGUMENT", "views"],
      [
        { kind: "incremental", end: at(5) },
        { writeBatchSize: 0 },
        "INVALID_ARGUMENT",
        "writeBatchSize",
      ],
    ];
    for (const [window, options, code, field] of cases) {
      await assert.rejects(materializeViews(ctx, window, options), (e: unknown) => {
        assert.ok(isPlinthError(e), String(e));
        assert.equal(e.code, code, e.message);
        assert.equal(e.field, field, e.message);
        return true;
      });
    }
  } finally {
    await online.close();
    await cleanup();
  }
});
