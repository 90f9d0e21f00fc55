import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { createSeededRandom, type SeededRandom } from "../../../core/seeded-random.ts";
import { entity } from "../../definitions/entity.ts";
import { defineFeatures, type FeatureDefinitions } from "../../definitions/feature-definitions.ts";
import { type FeatureService, featureService } from "../../definitions/feature-service.ts";
import { featureView } from "../../definitions/feature-view.ts";
import { onDemandFeatureView, requestSource } from "../../definitions/on-demand-feature-view.ts";
import { csvSource, parquetSource } from "../../definitions/sources.ts";

/** Whole seconds after this instant make every timestamp of the random data. */
export const BASE_MS = Date.UTC(2024, 0, 1);

/** Naive timestamp text of `s` seconds after BASE_MS (naive sources are read as UTC online). */
export const naive = (s: number): string =>
  new Date(BASE_MS + s * 1000).toISOString().slice(0, 19).replace("T", " ");

/** The instant of `s` seconds after BASE_MS. */
export const at = (s: number): Date => new Date(BASE_MS + s * 1000);

/** A random feature repository on disk, its definitions, and entity rows that probe it. */
export interface RandomFeatureRepo {
  readonly definitions: FeatureDefinitions;
  readonly service: FeatureService;
  /** Entity rows (every key combination, some never written) with a request field. */
  entityRows(rng: SeededRandom): Record<string, unknown>[];
}

const maybe = <T>(rng: SeededRandom, p: number, value: T): T | null =>
  rng.next() < p ? null : value;

/**
 * Writes two sources of randomised rows to `dir` — a Parquet driver source with a created
 * timestamp and a 30 s ttl, and a CSV source keyed by (user_id, item_id) without either —
 * on a grid of whole seconds, so equal event times, equal created times, missing created
 * times, null keys, null values and exact ttl boundaries are all common.
 */
export async function writeRandomFeatureRepo(
  dir: string,
  seed: number,
): Promise<RandomFeatureRepo> {
  const rng = createSeededRandom(seed);
  const driverCsv = join(dir, `drivers-${seed}.csv`);
  const header = "driver_id,event_ts,created_ts,rate,trips,tag,flag,seen";
  const tags = ["a", "b,c", 'q"uote', "ünï"];
  const lines = Array.from({ length: 400 }, () => {
    const event = rng.nextInt(140);
    const created = maybe(rng, 0.1, event + rng.nextInt(3));
    return [
      maybe(rng, 0.03, rng.nextInt(40)),
      maybe(rng, 0.02, naive(event)),
      created === null ? null : naive(created),
      maybe(rng, 0.15, Math.round(rng.next() * 1000) / 8),
      maybe(rng, 0.15, rng.nextInt(50) - 10),
      maybe(rng, 0.15, tags[rng.nextInt(tags.length)]!),
      maybe(rng, 0.15, rng.next() < 0.5),
      maybe(rng, 0.15, naive(rng.nextInt(1000))),
    ]
      .map((v) =>
        v === null ? "" : typeof v === "string" ? `"${v.replaceAll('"', '""')}"` : String(v),
      )
      .join(",");
  });
  writeFileSync(driverCsv, [header, ...lines].join("\n"));
  const driverParquet = join(dir, `drivers-${seed}.parquet`);
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  await connection.run(
    `COPY (SELECT * FROM read_csv('${driverCsv}', types = {'tag': 'VARCHAR', 'event_ts': 'TIMESTAMP', 'created_ts': 'TIMESTAMP', 'seen': 'TIMESTAMP', 'flag': 'BOOLEAN', 'rate': 'DOUBLE', 'trips': 'BIGINT'})) TO '${driverParquet}' (FORMAT parquet)`,
  );
  connection.closeSync();
  instance.closeSync();
  const pairCsv = join(dir, `pairs-${seed}.csv`);
  writeFileSync(
    pairCsv,
    [
      "user_id,item_id,ts,score",
      ...Array.from({ length: 200 }, () =>
        [
          `u${rng.nextInt(5)}`,
          rng.nextInt(3),
          naive(rng.nextInt(140)),
          maybe(rng, 0.1, rng.nextInt(1000) / 4),
        ]
          .map((v) => (v === null ? "" : String(v)))
          .join(","),
      ),
    ].join("\n"),
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
      { name: "tag", type: "string" },
      { name: "flag", type: "bool" },
      { name: "seen", type: "timestamp" },
    ],
    source: parquetSource({
      name: "drivers",
      path: driverParquet,
      timestampField: "event_ts",
      createdTimestampField: "created_ts",
    }),
    ttlSeconds: 30,
  });
  const pairStats = featureView({
    name: "pair_stats",
    entities: [pair],
    schema: [{ name: "score", type: "float64" }],
    source: csvSource({ name: "pairs", path: pairCsv, timestampField: "ts" }),
  });
  const txn = requestSource({ name: "txn", schema: [{ name: "amount", type: "float64" }] });
  const ratio = onDemandFeatureView({
    name: "ratio",
    sources: [driverStats.select(["rate"]), pairStats, txn],
    schema: [
      { name: "rate_x_amount", type: "float64" },
      { name: "score_band", type: "string" },
    ],
    transform: ({ rate, score, amount }) => {
      const r = rate as Float64Array;
      const s = score as Float64Array;
      const a = amount as Float64Array;
      return {
        rate_x_amount: r.map((x, i) => x * a[i]!),
        score_band: Array.from(s, (x) => (Number.isNaN(x) ? null : x > 125 ? "high" : "low")),
      };
    },
  });
  const service = featureService({
    name: "parity",
    features: [driverStats.select(["trips", "tag", "flag", "seen"]), pairStats, ratio],
  });
  return {
    definitions: defineFeatures([driver, pair, driverStats, pairStats, ratio, service], {
      baseDir: dir,
    }),
    service,
    entityRows(r: SeededRandom) {
      const rows: Record<string, unknown>[] = [];
      for (let d = 0; d < 42; d++) {
        for (let u = 0; u < 3; u++) {
          rows.push({
            driver_id: d,
            user_id: `u${u}`,
            item_id: r.nextInt(3),
            amount: maybe(r, 0.1, r.nextInt(100)),
          });
        }
      }
      return rows;
    },
  };
}
