/**
 * bench/features-online: the serving hot path and materialization of the online feature
 * store, in-process, on SQLite and on Redis.
 *
 * - getOnlineFeatures p50/p99 for 1 entity x 50 features across 3 views (the compiled
 *   reader a model server holds), and for 100 entities per call;
 * - the raw floor in the same run, for the same keys, timed call by call in between
 *   plinth's calls: a bare prepared-statement lookup per view (SQLite) and a bare HGETALL
 *   pipeline (Redis), so plinth's overhead (key encoding, JSON decoding, typing, statuses,
 *   ttl) is measured, not guessed;
 * - materialization: entities written per second, DuckDB pull included.
 *
 * There is no named peer for these; the floor is the reference. Redis is the one at
 * PLINTH_BENCH_REDIS_URL (default redis://127.0.0.1:6379), under a unique key prefix that
 * is deleted afterwards.
 *
 *   npm run bench:features-online               # 100,000 entities per view
 *   npm run bench:features-online -- --quick    # 5,000 entities, fewer calls
 *
 * Prints a table and writes bench/results/features-online-<time>.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Redis } from "ioredis";
import { createSeededRandom } from "../../src/core/seeded-random.ts";
import { createFeatureStore } from "../../src/features/feature-store.ts";
import type { OnlineStore } from "../../src/features/online/online-store.ts";
import { createRedisOnlineStore } from "../../src/features/online/redis/create-redis-online-store.ts";
import { createSqliteOnlineStore } from "../../src/features/online/sqlite/create-sqlite-online-store.ts";
import {
  deleteKeysWithPrefix,
  uniqueKeyPrefix,
} from "../../src/features/online/testing/redis-test-url.ts";
import { createSqliteMetadataStore } from "../../src/metadata/sqlite/create-sqlite-metadata-store.ts";
import { writeBenchRepo } from "./bench-repo.ts";

const quick = process.argv.includes("--quick");
const SIZES = quick
  ? { entities: 5_000, versions: 2, singleCalls: 3_000, batchCalls: 200, warmup: 500 }
  : { entities: 100_000, versions: 3, singleCalls: 20_000, batchCalls: 1_000, warmup: 2_000 };
const redisUrl = process.env.PLINTH_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";

interface Row {
  backend: string;
  measure: string;
  p50: number;
  p99: number;
  unit: string;
  detail: string;
}

const percentile = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
};

/**
 * Times `calls` sequential awaits of `a(i)` and of `b(i)`, interleaved call by call so both
 * see the same load on a shared machine, after `warmup` untimed rounds; microseconds each.
 */
async function timePair(
  calls: number,
  warmup: number,
  a: (i: number) => unknown,
  b: (i: number) => unknown,
): Promise<[number[], number[]]> {
  for (let i = 0; i < warmup; i++) {
    await a(i);
    await b(i);
  }
  const ta = new Array<number>(calls);
  const tb = new Array<number>(calls);
  for (let i = 0; i < calls; i++) {
    let t0 = process.hrtime.bigint();
    await a(i);
    ta[i] = Number(process.hrtime.bigint() - t0) / 1000;
    t0 = process.hrtime.bigint();
    await b(i);
    tb[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  return [ta, tb];
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "plinth-bench-online-"));
  const rows: Row[] = [];
  try {
    const t0 = performance.now();
    const repo = await writeBenchRepo(dir, SIZES.entities, SIZES.versions);
    console.error(
      `data: 3 views, ${SIZES.entities} entities x ${SIZES.versions} versions (${repo.sourceRows} source rows) in ${Math.round(performance.now() - t0)} ms`,
    );
    const metadata = await createSqliteMetadataStore({ path: join(dir, "metadata.sqlite") });
    const rng = createSeededRandom(1);
    const singleKeys = Array.from({ length: SIZES.singleCalls + SIZES.warmup }, () =>
      rng.nextInt(SIZES.entities),
    );
    const batchKeys = Array.from({ length: SIZES.batchCalls + 50 }, () =>
      Array.from({ length: 100 }, () => rng.nextInt(SIZES.entities)),
    );
    const viewNames = repo.views.map((v) => v.name);

    const backends: {
      name: string;
      open: () => Promise<{ store: OnlineStore; floor: Floor; cleanup: () => Promise<void> }>;
    }[] = [
      {
        name: "sqlite",
        async open() {
          const path = join(dir, "online.sqlite");
          const store = createSqliteOnlineStore({ path });
          const db = new Database(path, { readonly: true });
          // The same read settings as the store's own connection, so the floor is a fair one.
          db.pragma("mmap_size = 1073741824");
          db.pragma("cache_size = -65536");
          const get = db
            .prepare(
              "SELECT event_us, created_us, payload FROM online_features WHERE view = ? AND entity_key = ?",
            )
            .raw(true);
          const floor: Floor = async (keys) => {
            for (const view of viewNames) for (const k of keys) get.get(view, String(k));
          };
          return {
            store,
            floor,
            cleanup: async () => {
              db.close();
              await store.close();
            },
          };
        },
      },
    ];
    if (await redisReachable(redisUrl)) {
      backends.push({
        name: "redis",
        async open() {
          const keyPrefix = uniqueKeyPrefix();
          const store = createRedisOnlineStore({ url: redisUrl, keyPrefix });
          const raw = new Redis(redisUrl);
          const floor: Floor = async (keys) => {
            const p = raw.pipeline();
            for (const view of viewNames)
              for (const k of keys) p.hgetall(`${keyPrefix}${view}:${k}`);
            await p.exec();
          };
          return {
            store,
            floor,
            cleanup: async () => {
              raw.disconnect();
              await store.close();
              await deleteKeysWithPrefix(redisUrl, keyPrefix);
            },
          };
        },
      });
    } else {
      console.error(`redis: ${redisUrl} is not reachable; skipping the Redis rows`);
    }

    for (const backend of backends) {
      const { store: online, floor, cleanup } = await backend.open();
      try {
        const features = createFeatureStore({ definitions: repo.definitions, online, metadata });
        const m0 = performance.now();
        const result = await features.materialize({ start: new Date(0), end: new Date() });
        const seconds = (performance.now() - m0) / 1000;
        const entities = result.reduce((s, v) => s + v.rowsRead, 0);
        rows.push({
          backend: backend.name,
          measure: "materialize",
          p50: entities / seconds,
          p99: Number.NaN,
          unit: "entities/s",
          detail: `${entities} entity rows (3 views, from ${repo.sourceRows} source rows) in ${seconds.toFixed(2)} s`,
        });
        const reader = features.onlineReader(repo.service);
        assert50(reader.featureNames.length);
        const [one, oneFloor] = await timePair(
          SIZES.singleCalls,
          SIZES.warmup,
          (i) => reader.get({ user_id: singleKeys[i]! }),
          (i) => floor([singleKeys[i]!]),
        );
        const [batch, batchFloor] = await timePair(
          SIZES.batchCalls,
          50,
          (i) => reader.getMany(batchKeys[i % batchKeys.length]!.map((user_id) => ({ user_id }))),
          (i) => floor(batchKeys[i % batchKeys.length]!),
        );
        const add = (measure: string, xs: number[], detail: string) =>
          rows.push({
            backend: backend.name,
            measure,
            p50: percentile(xs, 0.5),
            p99: percentile(xs, 0.99),
            unit: "µs",
            detail,
          });
        add("get 1 entity x 50 features", one, `${SIZES.singleCalls} calls, compiled reader`);
        add(
          "  raw floor, same keys",
          oneFloor,
          backend.name === "sqlite" ? "3 prepared-statement gets" : "HGETALL x 3, one pipeline",
        );
        add("get 100 entities x 50 features", batch, `${SIZES.batchCalls} calls`);
        add(
          "  raw floor, same keys",
          batchFloor,
          backend.name === "sqlite" ? "300 prepared-statement gets" : "HGETALL x 300, one pipeline",
        );
      } finally {
        await cleanup();
      }
    }
    await metadata.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  print(rows);
  mkdirSync("bench/results", { recursive: true });
  const file = `bench/results/features-online-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
  writeFileSync(
    file,
    JSON.stringify(
      {
        quick,
        sizes: SIZES,
        redisUrl,
        rows,
        note: "2-core machine shared with other engineers while measured",
      },
      null,
      2,
    ),
  );
  console.error(`wrote ${file}`);
}

type Floor = (keys: readonly number[]) => Promise<void>;

function assert50(n: number): void {
  // 50 features plus the join key.
  if (n !== 51) throw new Error(`expected 51 output columns, got ${n}`);
}

async function redisReachable(url: string): Promise<boolean> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 1000 });
  r.on("error", () => {});
  try {
    await r.connect();
    await r.ping();
    return true;
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

function print(rows: readonly Row[]): void {
  const fmt = (x: number) => (Number.isNaN(x) ? "" : x >= 1000 ? x.toFixed(0) : x.toFixed(1));
  const lines = [
    ["backend", "measure", "p50", "p99", "unit", "overhead p50/p99", "detail"],
    ...rows.map((r, i) => {
      const floor = rows[i + 1]?.measure.startsWith("  raw floor") ? rows[i + 1] : undefined;
      const over =
        floor === undefined
          ? ""
          : `${(r.p50 / floor.p50).toFixed(2)}x / ${(r.p99 / floor.p99).toFixed(2)}x`;
      return [r.backend, r.measure, fmt(r.p50), fmt(r.p99), r.unit, over, r.detail];
    }),
  ];
  const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  for (const l of lines)
    console.log(
      l
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join("  ")
        .trimEnd(),
    );
}

await main();
