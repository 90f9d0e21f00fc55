import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createSeededRandom, type SeededRandom } from "../../../core/seeded-random.ts";
import { entity } from "../../definitions/entity.ts";
import { defineFeatures, type FeatureDefinitions } from "../../definitions/feature-definitions.ts";
import { featureService } from "../../definitions/feature-service.ts";
import { featureView } from "../../definitions/feature-view.ts";
import { csvSource, parquetSource } from "../../definitions/sources.ts";
import type { FeatureFrame } from "../feature-frame.ts";
import type { OfflineStore } from "../offline-store.ts";
import {
  csv,
  type FeatureRow,
  maybe,
  type OracleView,
  oracle,
  runDuckDb,
} from "./point-in-time-oracle.ts";

// A second randomised oracle run, on what the first leaves out: timestamps with a time zone
// (TIMESTAMPTZ Parquet, CSV text with `Z`, Date entity rows), sub-second times (a 250 ms
// grid, a 7.5 s ttl), a composite key whose parts are null in some feature rows, every
// value type as a feature, duplicated entity rows, and the same entities from a Parquet file.

const BASE = Date.UTC(2024, 2, 31, 0, 59, 0);
const TICK_MS = 250;
const TTL_TICKS = 30;
const iso = (tick: number): string => new Date(BASE + tick * TICK_MS).toISOString();
const date = (tick: number | null): Date | null =>
  tick === null ? null : new Date(BASE + tick * TICK_MS);
const REGIONS = ["eu", "us", "ap"];

function accountRows(rng: SeededRandom, n: number): FeatureRow[] {
  return Array.from({ length: n }, () => {
    const event = rng.nextInt(200);
    const created = maybe(rng, 0.1, event + (rng.next() < 0.2 ? rng.nextInt(40) : rng.nextInt(3)));
    return {
      keys: [maybe(rng, 0.03, REGIONS[rng.nextInt(3)]!), maybe(rng, 0.03, rng.nextInt(6))],
      event: maybe(rng, 0.02, event),
      created,
      // balance, txns, tier, active, event_copy (ticks), created_copy (ticks)
      values: [
        maybe(rng, 0.1, rng.nextInt(100_000) / 100),
        maybe(rng, 0.1, rng.nextInt(30)),
        maybe(rng, 0.1, ["gold", "silver"][rng.nextInt(2)]!),
        maybe(rng, 0.1, rng.next() < 0.5),
        event,
        created,
      ],
    };
  });
}

function dailyRows(rng: SeededRandom, n: number): FeatureRow[] {
  return Array.from({ length: n }, () => ({
    keys: [rng.nextInt(7)],
    event: rng.nextInt(200),
    created: null,
    values: [maybe(rng, 0.1, rng.nextInt(1000) / 8)],
  }));
}

/** Registers the zoned, sub-second oracle tests for one offline store backend. */
export function runZonedOracleContract(
  name: string,
  makeStore: (definitions: FeatureDefinitions) => OfflineStore,
): void {
  describe(`offline store contract (time zones, sub-second): ${name}`, () => {
    let dir = "";
    before(() => {
      dir = mkdtempSync(join(tmpdir(), "plinth-pit-tz-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    for (const seed of [11, 12]) {
      test(`zoned point-in-time join equals the brute-force oracle (seed ${seed})`, async () => {
        const rng = createSeededRandom(seed);
        const accounts: OracleView = {
          rows: accountRows(rng, 500),
          ttl: TTL_TICKS,
          hasCreated: true,
        };
        const daily: OracleView = { rows: dailyRows(rng, 200), ttl: 0, hasCreated: false };
        const aCsv = join(dir, `accounts-${seed}.csv`);
        writeFileSync(
          aCsv,
          csv(
            ["region", "account_id", "event_ts", "created_ts", "balance", "txns", "tier", "active"],
            accounts.rows.map((r) => [
              ...r.keys,
              r.event === null ? null : iso(r.event),
              r.created === null ? null : iso(r.created),
              ...r.values.slice(0, 4),
              // event_copy and created_copy are written from the timestamps in SQL below.
            ]),
          ),
        );
        const aParquet = join(dir, `accounts-${seed}.parquet`);
        await runDuckDb(`COPY (
          SELECT *, event_ts AS event_copy, created_ts AS created_copy
          FROM read_csv('${aCsv}', header = true, columns = {
            'region': 'VARCHAR', 'account_id': 'BIGINT', 'event_ts': 'TIMESTAMPTZ',
            'created_ts': 'TIMESTAMPTZ', 'balance': 'DOUBLE', 'txns': 'BIGINT',
            'tier': 'VARCHAR', 'active': 'BOOLEAN'})
        ) TO '${aParquet}' (FORMAT parquet)`);
        const dCsv = join(dir, `daily-${seed}.csv`);
        writeFileSync(
          dCsv,
          csv(
            ["account_id", "day_ts", "score"],
            daily.rows.map((r) => [r.keys[0]!, iso(r.event!), r.values[0]!]),
          ),
        );

        const account = entity({
          name: "account",
          joinKeys: [
            { name: "region", type: "string" },
            { name: "account_id", type: "int64" },
          ],
        });
        const holder = entity({
          name: "holder",
          joinKeys: [{ name: "account_id", type: "int64" }],
        });
        const acct = featureView({
          name: "acct",
          entities: [account],
          schema: [
            { name: "balance", type: "float64" },
            { name: "txns", type: "int64" },
            { name: "tier", type: "string" },
            { name: "active", type: "bool" },
            { name: "event_copy", type: "timestamp" },
            { name: "created_copy", type: "timestamp" },
          ],
          source: parquetSource({
            name: "acct_src",
            path: aParquet,
            timestampField: "event_ts",
            createdTimestampField: "created_ts",
          }),
          ttlSeconds: (TTL_TICKS * TICK_MS) / 1000,
        });
        const scores = featureView({
          name: "scores",
          entities: [holder],
          schema: [{ name: "score", type: "float64" }],
          source: csvSource({ name: "scores_src", path: dCsv, timestampField: "day_ts" }),
        });
        const service = featureService({ name: "zoned", features: [acct, scores] });
        const store = makeStore(defineFeatures([account, holder, acct, scores, service]));

        const entities: { region: string | null; account_id: number | null; ts: number | null }[] =
          [];
        for (let i = 0; i < 400; i++) {
          const previous = entities[rng.nextInt(Math.max(1, entities.length))];
          entities.push(
            previous !== undefined && rng.next() < 0.1
              ? { ...previous }
              : {
                  region: maybe(rng, 0.04, REGIONS[rng.nextInt(3)]!),
                  account_id: maybe(rng, 0.04, rng.nextInt(8)),
                  ts: maybe(rng, 0.03, rng.nextInt(240)),
                },
          );
        }
        const rows = entities.map((e, i) => ({
          region: e.region,
          account_id: e.account_id,
          event_timestamp: date(e.ts),
          row_no: i,
        }));
        const eCsv = join(dir, `entities-${seed}.csv`);
        writeFileSync(
          eCsv,
          csv(
            ["region", "account_id", "event_timestamp", "row_no"],
            entities.map((e, i) => [e.region, e.account_id, e.ts === null ? null : iso(e.ts), i]),
          ),
        );
        const eParquet = join(dir, `entities-${seed}.parquet`);
        await runDuckDb(`COPY (SELECT * FROM read_csv('${eCsv}', header = true, columns = {
            'region': 'VARCHAR', 'account_id': 'BIGINT', 'event_timestamp': 'TIMESTAMPTZ',
            'row_no': 'BIGINT'})) TO '${eParquet}' (FORMAT parquet)`);

        for (const excludeLate of [false, true]) {
          const frames: FeatureFrame[] = [];
          for (const input of [rows, { parquet: eParquet }]) {
            const job = store.getHistoricalFeatures(input, service, {
              excludeLateArrivals: excludeLate,
            });
            frames.push(await job.toFrame());
            await job.close();
          }
          const [fromRows, fromFile] = frames as [FeatureFrame, FeatureFrame];
          const label = `excludeLateArrivals=${excludeLate}`;
          assert.equal(fromRows.numRows, entities.length);
          assert.deepEqual(
            fromFile.columns.row_no,
            entities.map((_, i) => BigInt(i)),
            "file input order kept",
          );
          const ms = (v: unknown): unknown => (v instanceof Date ? v.getTime() : v);
          for (const column of Object.keys(fromRows.columns)) {
            if (column === "row_no") continue;
            assert.deepEqual(
              Array.from(fromFile.columns[column] as ArrayLike<unknown>, ms),
              Array.from(fromRows.columns[column] as ArrayLike<unknown>, ms),
              `${column}: a Parquet entity file gives what rows give, ${label}`,
            );
          }
          const got = (c: string): unknown[] =>
            Array.from(fromRows.columns[c] as ArrayLike<unknown>, (v) =>
              typeof v === "number" && Number.isNaN(v) ? null : v instanceof Date ? v.getTime() : v,
            );
          const want = (
            view: OracleView,
            keys: (e: (typeof entities)[number]) => (string | number | null)[],
            k: number,
            as: (v: never) => unknown,
          ) =>
            entities.map((e) => {
              const v = oracle(view, keys(e), e.ts, excludeLate)?.values[k] ?? null;
              return v === null ? null : as(v as never);
            });
          const ak = (e: (typeof entities)[number]) => [e.region, e.account_id];
          const same = (v: unknown) => v;
          const toMs = (t: number) => BASE + t * TICK_MS;
          assert.deepEqual(got("balance"), want(accounts, ak, 0, same), `balance, ${label}`);
          assert.deepEqual(
            got("txns"),
            want(accounts, ak, 1, (v: number) => BigInt(v)),
            `txns, ${label}`,
          );
          assert.deepEqual(got("tier"), want(accounts, ak, 2, same), `tier, ${label}`);
          assert.deepEqual(got("active"), want(accounts, ak, 3, same), `active, ${label}`);
          assert.deepEqual(got("event_copy"), want(accounts, ak, 4, toMs), `event_copy, ${label}`);
          assert.deepEqual(
            got("created_copy"),
            want(accounts, ak, 5, toMs),
            `created_copy, ${label}`,
          );
          assert.deepEqual(
            got("score"),
            want(daily, (e) => [e.account_id], 0, same),
            `score, ${label}`,
          );

          // No value from the future, none older than the ttl, none written after the row's time.
          const events = got("event_copy") as (number | null)[];
          const created = got("created_copy") as (number | null)[];
          let matched = 0;
          entities.forEach((e, i) => {
            const event = events[i];
            if (event === null || event === undefined) return;
            matched++;
            const ts = toMs(e.ts!);
            assert.ok(event <= ts, `row ${i}: event after the row's time`);
            assert.ok(event >= ts - TTL_TICKS * TICK_MS, `row ${i}: event older than the ttl`);
            if (excludeLate) assert.ok(created[i] !== null && created[i]! <= ts, `row ${i}: late`);
          });
          assert.ok(matched > 40 && matched < entities.length, `a mix of matches (${matched})`);
        }
      });
    }
  });
}
