import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";

/** A feature repository on disk for serving tests: data files and its `features.ts`. */
export interface ServingRepo {
  readonly dir: string;
  readonly modulePath: string;
  /** When the data's latest rows happened: an hour before the repository was written. */
  readonly latestEvent: Date;
}

/**
 * Writes a small repository to `dir`: `driver_stats` (Parquet, ttl one day, drivers 1001
 * and 1002, with 1002's city null), the push source `live_trips` (writeOffline into
 * `live/*.parquet`) feeding `trips_live`, the on-demand view `conv_plus` (conv_rate +
 * request field `bonus`) and the service `driver_v1`. Times are relative to now, so the
 * rows are inside their ttl for a day.
 */
export async function writeServingRepo(dir: string): Promise<ServingRepo> {
  const hour = 3_600_000;
  const latest = new Date(Math.floor(Date.now() / 1000) * 1000 - hour);
  const ts = (d: Date) => `TIMESTAMPTZ '${d.toISOString()}'`;
  const earlier = new Date(latest.getTime() - 2 * hour);
  mkdirSync(join(dir, "live"), { recursive: true });
  const instance = await DuckDBInstance.create(":memory:");
  const c = await instance.connect();
  await c.run(`COPY (SELECT * FROM (VALUES
      (1001, ${ts(earlier)}, 0.1, 3, 'Paris'),
      (1001, ${ts(latest)}, 0.25, 5, 'Paris'),
      (1002, ${ts(latest)}, 0.5, 9007199254740993, NULL)
    ) t(driver_id, event_ts, conv_rate, trips, city)) TO '${join(dir, "driver_stats.parquet")}' (FORMAT parquet)`);
  c.closeSync();
  instance.closeSync();
  const api = fileURLToPath(new URL("../index.ts", import.meta.url));
  const modulePath = join(dir, "features.ts");
  // An ES module, as in a plinth project: outside one, tsx would load it as CommonJS and
  // give it a second copy of plinth whose errors are not this copy's PlinthError.
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    modulePath,
    `import { entity, featureService, featureView, onDemandFeatureView, parquetSource, pushSource, requestSource } from ${JSON.stringify(api)};

export const driver = entity({ name: "driver", joinKeys: [{ name: "driver_id", type: "int64" }] });
export const driverStats = featureView({
  name: "driver_stats",
  entities: [driver],
  schema: [
    { name: "conv_rate", type: "float64" },
    { name: "trips", type: "int64" },
    { name: "city", type: "string" },
  ],
  source: parquetSource({ name: "driver_stats_src", path: "driver_stats.parquet", timestampField: "event_ts" }),
  ttlSeconds: 86400,
});
export const liveTrips = pushSource({
  name: "live_trips",
  schema: [
    { name: "driver_id", type: "int64" },
    { name: "event_ts", type: "timestamp" },
    { name: "trips_today", type: "int64" },
  ],
  batchSource: parquetSource({ name: "live_batch", path: "live/*.parquet", timestampField: "event_ts" }),
  writeOffline: true,
});
export const tripsLive = featureView({
  name: "trips_live",
  entities: [driver],
  schema: [{ name: "trips_today", type: "int64" }],
  source: liveTrips,
});
export const bonus = requestSource({ name: "bonus_req", schema: [{ name: "bonus", type: "float64" }] });
export const convPlus = onDemandFeatureView({
  name: "conv_plus",
  sources: [driverStats.select(["conv_rate"]), bonus],
  schema: [{ name: "conv_plus_bonus", type: "float64" }],
  transform: ({ conv_rate, bonus }) => {
    const c = conv_rate as Float64Array;
    const b = bonus as Float64Array;
    return { conv_plus_bonus: c.map((x, i) => x + b[i]!) };
  },
});
export const driverV1 = featureService({
  name: "driver_v1",
  features: [driverStats.select(["conv_rate", "trips", "city"]), tripsLive, convPlus],
});
`,
  );
  return { dir, modulePath, latestEvent: latest };
}
