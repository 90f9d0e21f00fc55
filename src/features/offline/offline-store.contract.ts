import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createSeededRandom, type SeededRandom } from "../../core/seeded-random.ts";
import { entity } from "../definitions/entity.ts";
import { defineFeatures, type FeatureDefinitions } from "../definitions/feature-definitions.ts";
import { featureService } from "../definitions/feature-service.ts";
import { featureView } from "../definitions/feature-view.ts";
import { csvSource, parquetSource, sqlSource } from "../definitions/sources.ts";
import type { OfflineStore } from "./offline-store.ts";
import {
  csv,
  type FeatureRow,
  maybe,
  type OracleView,
  oracle,
  runDuckDb,
} from "./testing/point-in-time-oracle.ts";
import { runZonedOracleContract } from "./testing/zoned-oracle-contract.ts";

// The contract every offline store backend runs: its point-in-time join must equal
//  - a brute-force oracle (for each entity row and view, scan every feature row) on
//    randomised data whose timestamps are whole seconds on a small grid, so equal event
//    times, equal created times, exact ttl boundaries, rows created after the entity row's
//    time, null keys, null timestamps and missing entities are all common; and
//  - pandas' merge_asof on a committed fixture (fixtures/pandas-asof/make-fixture.py).

const BASE = Date.UTC(2024, 0, 1);
const text = (s: number): string =>
  new Date(BASE + s * 1000).toISOString().slice(0, 19).replace("T", " ");

function driverRows(rng: SeededRandom, n: number): FeatureRow[] {
  return Array.from({ length: n }, () => {
    const event = rng.nextInt(100);
    return {
      keys: [rng.nextInt(6)],
      event: maybe(rng, 0.02, event),
      // Mostly written a little after the event, sometimes much later (late arrivals).
      created: maybe(rng, 0.1, event + (rng.next() < 0.2 ? rng.nextInt(60) : rng.nextInt(4))),
      values: [
        maybe(rng, 0.1, Math.round(rng.next() * 1000) / 8),
        maybe(rng, 0.1, rng.nextInt(50)),
        event,
      ],
    };
  });
}

function pairRows(rng: SeededRandom, n: number): FeatureRow[] {
  return Array.from({ length: n }, () => ({
    keys: [`u${rng.nextInt(5)}`, rng.nextInt(3)],
    event: rng.nextInt(100),
    created: null,
    values: [
      maybe(rng, 0.1, rng.nextInt(1000) / 4),
      maybe(rng, 0.1, ["a", "b", "c"][rng.nextInt(3)]!),
    ],
  }));
}

async function toParquet(csvPath: string, parquetPath: string): Promise<void> {
  await runDuckDb(
    `COPY (SELECT * FROM read_csv('${csvPath}')) TO '${parquetPath}' (FORMAT parquet)`,
  );
}

const FIXTURE = fileURLToPath(new URL("./fixtures/pandas-asof/", import.meta.url));

interface Expected {
  ttl_seconds: number;
  rows: { row_id: number; rate: number | null; trips: number | null }[];
}

/**
 * Registers the offline-store contract tests for one backend.
 *
 * @example
 * runOfflineStoreContract("duckdb", (defs) => createDuckDbOfflineStore(defs));
 */
export function runOfflineStoreContract(
  name: string,
  makeStore: (definitions: FeatureDefinitions) => OfflineStore,
): void {
  describe(`offline store contract: ${name}`, () => {
    let dir = "";
    before(() => {
      dir = mkdtempSync(join(tmpdir(), "plinth-pit-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    for (const seed of [1, 2, 3, 4]) {
      test(`point-in-time join equals the brute-force oracle (seed ${seed})`, async () => {
        const rng = createSeededRandom(seed);
        const drivers: OracleView = { rows: driverRows(rng, 400), ttl: 30, hasCreated: true };
        const pairs: OracleView = { rows: pairRows(rng, 300), ttl: 0, hasCreated: false };
        const dCsv = join(dir, `drivers-${seed}.csv`);
        const dParquet = join(dir, `drivers-${seed}.parquet`);
        writeFileSync(
          dCsv,
          csv(
            ["driver_id", "event_ts", "created_ts", "rate", "trips", "event_copy"],
            drivers.rows.map((r) => [
              r.keys[0]!,
              r.event === null ? null : text(r.event),
              r.created === null ? null : text(r.created),
              ...r.values,
            ]),
          ),
        );
        await toParquet(dCsv, dParquet);
        const pCsv = join(dir, `pairs-${seed}.csv`);
        writeFileSync(
          pCsv,
          csv(
            ["user_id", "item_id", "ts", "score", "cat"],
            pairs.rows.map((r) => [...r.keys, text(r.event!), ...r.values]),
          ),
        );

        const driver = entity({ name: "driver", joinKeys: [{ name: "driver_id", type: "int64" }] });
        const pair = entity({
          name: "pair",
          joinKeys: [
            { name: "user_id", type: "string" },
            { name: "item_id", type: "int64" },
          ],
        });
        const driverStats = featureView({
          name: "driver_stats",
          entities: [driver],
          schema: [
            { name: "rate", type: "float64" },
            { name: "trips", type: "int64" },
            { name: "event_copy", type: "float64" },
          ],
          source: parquetSource({
            name: "drivers",
            path: dParquet,
            timestampField: "event_ts",
            createdTimestampField: "created_ts",
          }),
          ttlSeconds: drivers.ttl,
        });
        const pairStats = featureView({
          name: "pair_stats",
          entities: [pair],
          schema: [
            { name: "score", type: "float64" },
            { name: "cat", type: "string" },
          ],
          source: csvSource({ name: "pairs", path: pCsv, timestampField: "ts" }),
        });
        // The same CSV through a SQL source, with a ttl, to cover the third source kind.
        const pairRecent = featureView({
          name: "pair_recent",
          entities: [pair],
          schema: [{ name: "score", type: "float64" }],
          source: sqlSource({
            name: "pairs_sql",
            query: `SELECT * FROM read_csv('${pCsv}')`,
            timestampField: "ts",
          }),
          ttlSeconds: 20,
        });
        const service = featureService({
          name: "svc",
          features: [driverStats, pairStats, pairRecent],
        });
        const store = makeStore(
          defineFeatures([driver, pair, driverStats, pairStats, pairRecent, service]),
        );

        const n = 500;
        const rows = Array.from({ length: n }, (_, i) => ({
          driver_id: maybe(rng, 0.05, rng.nextInt(8)),
          user_id: maybe(rng, 0.05, `u${rng.nextInt(6)}`),
          item_id: rng.nextInt(3),
          event_timestamp: maybe(rng, 0.03, rng.nextInt(130)),
          label: i,
        }));
        const input = rows.map((r) => ({
          ...r,
          event_timestamp: r.event_timestamp === null ? null : text(r.event_timestamp),
        }));

        for (const excludeLate of [false, true]) {
          const job = store.getHistoricalFeatures(input, service, {
            fullFeatureNames: true,
            excludeLateArrivals: excludeLate,
          });
          const frame = await job.toFrame();
          await job.close();
          assert.equal(frame.numRows, n);
          assert.deepEqual(
            Array.from(frame.columns.label as Float64Array),
            rows.map((r) => r.label),
            "input order kept",
          );
          const got = (name: string): unknown[] =>
            Array.from(frame.columns[name] as ArrayLike<unknown>, (v) =>
              Number.isNaN(v) ? null : v,
            );
          const expect = (
            view: OracleView,
            keys: (r: (typeof rows)[number]) => (string | number | null)[],
            k: number,
            asBig = false,
          ) =>
            rows.map((r) => {
              const v = oracle(view, keys(r), r.event_timestamp, excludeLate)?.values[k] ?? null;
              return asBig && v !== null ? BigInt(v as number) : v;
            });
          const dk = (r: (typeof rows)[number]) => [r.driver_id];
          const pk = (r: (typeof rows)[number]) => [r.user_id, r.item_id];
          const label = `excludeLateArrivals=${excludeLate}`;
          assert.deepEqual(got("driver_stats__rate"), expect(drivers, dk, 0), `rate, ${label}`);
          assert.deepEqual(
            got("driver_stats__trips"),
            expect(drivers, dk, 1, true),
            `trips, ${label}`,
          );
          assert.deepEqual(
            got("driver_stats__event_copy"),
            expect(drivers, dk, 2),
            `event_copy, ${label}`,
          );
          assert.deepEqual(got("pair_stats__score"), expect(pairs, pk, 0), `score, ${label}`);
          assert.deepEqual(got("pair_stats__cat"), expect(pairs, pk, 1), `cat, ${label}`);
          assert.deepEqual(
            got("pair_recent__score"),
            expect({ ...pairs, ttl: 20 }, pk, 0),
            `recent score, ${label}`,
          );

          // No future value leaks, and nothing older than the ttl: event_copy is the event time.
          const copies = got("driver_stats__event_copy");
          let matched = 0;
          rows.forEach((r, i) => {
            const c = copies[i] as number | null;
            if (c === null) return;
            matched++;
            assert.ok(
              r.event_timestamp !== null && c <= r.event_timestamp,
              `row ${i}: event ${c} after ${r.event_timestamp}`,
            );
            assert.ok(
              c >= r.event_timestamp - drivers.ttl,
              `row ${i}: event ${c} older than the ttl`,
            );
          });
          assert.ok(
            matched > n / 4 && matched < n,
            `a meaningful mix of matches (${matched}/${n})`,
          );
        }
      });
    }

    test("no value from after the row's time, from before its ttl, or created late leaks", async () => {
      // Per driver d, an entity row at T_d and feature rows around it, named for where they sit.
      const T = 1000;
      const rows: (string | number | null)[][] = [];
      const entities: Record<string, unknown>[] = [];
      for (let d = 0; d < 6; d++) {
        const t = T + d * 100;
        entities.push({ driver_id: d, event_timestamp: text(t) });
        const add = (event: number, created: number, value: string): void => {
          rows.push([d, text(event), text(created), value]);
        };
        if (d !== 1) add(t - 61, t - 61, "too_old");
        if (d !== 2) add(t - 60, t - 60, "at_ttl");
        if (d !== 3) add(t, t, "now");
        if (d === 4 || d === 5) add(t, t + 5, "backfilled");
        add(t + 1, t + 1, "future");
      }
      // Driver 6 has only a future row; driver 7 one a second too old, and a future one.
      entities.push(
        { driver_id: 6, event_timestamp: text(T) },
        { driver_id: 7, event_timestamp: text(T) },
      );
      rows.push(
        [6, text(T + 1), text(T + 1), "future"],
        [7, text(T - 61), text(T - 61), "too_old"],
      );
      rows.push([7, text(T + 1), text(T + 1), "future"]);
      const path = join(dir, "leak.csv");
      writeFileSync(path, csv(["driver_id", "event_ts", "created_ts", "tag"], rows));
      const driver = entity({ name: "driver", joinKeys: [{ name: "driver_id", type: "int64" }] });
      const view = featureView({
        name: "tags",
        entities: [driver],
        schema: [{ name: "tag", type: "string" }],
        source: csvSource({
          name: "tags_src",
          path,
          timestampField: "event_ts",
          createdTimestampField: "created_ts",
        }),
        ttlSeconds: 60,
      });
      const store = makeStore(defineFeatures([driver, view]));
      const read = async (excludeLateArrivals: boolean): Promise<unknown> => {
        const job = store.getHistoricalFeatures(entities, ["tags"], { excludeLateArrivals });
        const frame = await job.toFrame();
        await job.close();
        return frame.columns.tag;
      };
      assert.deepEqual(await read(false), [
        "now",
        "now",
        "now",
        "at_ttl",
        "backfilled",
        "backfilled",
        null,
        null,
      ]);
      assert.deepEqual(await read(true), ["now", "now", "now", "at_ttl", "now", "now", null, null]);
    });

    test("point-in-time join equals pandas merge_asof on the committed fixture", async () => {
      const expected = JSON.parse(readFileSync(`${FIXTURE}expected.json`, "utf8")) as Expected;
      const driver = entity({
        name: "driver_region",
        joinKeys: [
          { name: "driver_id", type: "int64" },
          { name: "region", type: "string" },
        ],
      });
      const stats = featureView({
        name: "stats",
        entities: [driver],
        schema: [
          { name: "rate", type: "float64" },
          { name: "trips", type: "int64" },
        ],
        source: csvSource({
          name: "stats_csv",
          path: "features.csv",
          timestampField: "event_ts",
          createdTimestampField: "created_ts",
        }),
        ttlSeconds: expected.ttl_seconds,
      });
      const service = featureService({ name: "pandas_oracle", features: [stats] });
      const store = makeStore(defineFeatures([driver, stats, service], { baseDir: FIXTURE }));
      const job = store.getHistoricalFeatures({ csv: `${FIXTURE}entities.csv` }, "pandas_oracle");
      const frame = await job.toFrame();
      const lineage = await job.lineage();
      await job.close();

      assert.equal(frame.numRows, expected.rows.length);
      assert.deepEqual(
        frame.columns.row_id,
        expected.rows.map((r) => BigInt(r.row_id)),
        "entity rows come back in input order",
      );
      assert.deepEqual(
        Array.from(frame.columns.rate as Float64Array, (v) => (Number.isNaN(v) ? null : v)),
        expected.rows.map((r) => r.rate),
      );
      assert.deepEqual(
        frame.columns.trips,
        expected.rows.map((r) => (r.trips === null ? null : BigInt(r.trips))),
      );
      assert.equal(lineage.entityInputKind, "csv");
      assert.equal(lineage.sources.stats_csv?.files[0], `${FIXTURE}features.csv`);
    });
  });
  runZonedOracleContract(name, makeStore);
}
