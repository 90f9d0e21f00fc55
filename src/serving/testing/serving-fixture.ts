import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { resolveConfig } from "../../core/config.ts";
import { createLogger } from "../../core/logger.ts";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { writeServingRepo } from "../../features/testing/write-serving-repo.ts";
import { openPlatform, type Platform } from "../../platform.ts";
import { datasetFromColumns } from "../../training/dataset/dataset-from-columns.ts";
import { trainAndLog } from "../../training/train-and-log.ts";
import { createPredictionLog } from "../prediction-log/create-prediction-log.ts";
import { createPredictionLogReader } from "../prediction-log/create-prediction-log-reader.ts";
import type { PredictionLog } from "../prediction-log/prediction-log.ts";
import type { PredictionRecord } from "../prediction-log/prediction-record.ts";

/** Where the fixture's metadata and online values live. */
export interface ServingFixtureOptions {
  /** A PostgreSQL URL for the metadata store (a fresh schema is made and dropped). */
  readonly postgresUrl?: string;
  /** A Redis online store (a unique key prefix, deleted afterwards) instead of SQLite. */
  readonly redis?: { readonly url: string; readonly keyPrefix: string };
}

/** A platform with a feature repository, materialized online values and a registered model. */
export interface ServingFixture {
  readonly platform: Platform;
  /** The registered model: versions 1 and 2, trained differently; alias `champion` → 1. */
  readonly model: string;
  /** The real prediction log over the platform's artifact store, as configured. */
  readonly predictionLog: PredictionLog;
  /** Flushes the log and reads a deployment's records back, oldest first. */
  readLog(deployment: string): Promise<PredictionRecord[]>;
  /** Trains and registers another version; returns its number. */
  trainVersion(seed: number, options?: { withoutAmount?: boolean }): Promise<string>;
  close(): Promise<void>;
}

/** The model inputs: the service `driver_v1`'s features, and `amount` from the request. */
export const FIXTURE_INPUTS = [
  "conv_rate",
  "trips",
  "city",
  "trips_today",
  "conv_plus_bonus",
  "amount",
];

/**
 * A real serving setup for tests: `writeServingRepo`'s features (service `driver_v1`, drivers
 * 1001 and 1002 materialized online), and a plinth GBDT trained in the test on synthetic rows
 * of the service's features plus the request field `amount`, registered as model `drivers`.
 */
export async function createServingFixture(
  options: ServingFixtureOptions = {},
): Promise<ServingFixture> {
  const home = mkdtempSync(join(tmpdir(), "plinth-serving-"));
  const repo = await writeServingRepo(join(home, "repo"));
  const schema = `plinth_serving_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const base = resolveConfig({
    overrides: {
      home,
      featuresModule: repo.modulePath,
      ...(options.postgresUrl === undefined
        ? {}
        : { metadataUrl: `${options.postgresUrl}?schema=${schema}` }),
    },
    env: {},
  });
  const config =
    options.redis === undefined
      ? base
      : {
          ...base,
          online: {
            type: "redis" as const,
            url: options.redis.url,
            keyPrefix: options.redis.keyPrefix,
          },
        };
  const platform = await openPlatform(config, { logger: createLogger({ level: "silent" }) });
  await (await platform.features()).materializeIncremental(new Date());
  const model = "drivers";
  await platform.registry.models.create({ name: model });

  const trainVersion = async (
    seed: number,
    options: { withoutAmount?: boolean } = {},
  ): Promise<string> => {
    const random = createSeededRandom(seed);
    const n = 400;
    const conv = new Float64Array(n);
    const trips = new Float64Array(n);
    const today = new Float64Array(n);
    const plus = new Float64Array(n);
    const amount = new Float64Array(n);
    const city: (string | null)[] = [];
    const label: number[] = [];
    for (let i = 0; i < n; i++) {
      conv[i] = random.next();
      trips[i] = Math.floor(random.next() * 10);
      today[i] = random.next() < 0.3 ? Number.NaN : Math.floor(random.next() * 5);
      amount[i] = random.next() * 100;
      plus[i] = conv[i]! + random.next();
      city.push(random.next() < 0.5 ? "Paris" : random.next() < 0.5 ? "Lyon" : null);
      const score = 2 * conv[i]! + amount[i]! / 50 + (city[i] === "Paris" ? 0.5 : 0) + seed * 0.1;
      label.push(score + random.next() > 2 ? 1 : 0);
    }
    const train = datasetFromColumns({
      columns: {
        conv_rate: conv,
        trips,
        city,
        trips_today: today,
        conv_plus_bonus: plus,
        ...(options.withoutAmount === true ? {} : { amount }),
        label,
      },
      label: "label",
    });
    const result = await trainAndLog(platform, {
      params: { objective: "binary", numRounds: 8 + seed, maxDepth: 3, seed, numThreads: 1 },
      train,
      experiment: "serving-fixture",
      datasetHash: null,
      featureService: "driver_v1",
    });
    const v = await platform.registry.versions.create({
      name: model,
      source: result.artifactUri,
      runId: result.runId,
    });
    return v.version;
  };
  await trainVersion(1);
  await trainVersion(2);
  await platform.registry.aliases.set(model, "champion", "1");
  const predictionLog = createPredictionLog({
    artifacts: platform.artifacts,
    ...platform.config.predictionLog,
  });
  const reader = createPredictionLogReader(platform.artifacts);
  return {
    platform,
    model,
    predictionLog,
    async readLog(deployment) {
      await predictionLog.flush();
      return reader.read({ deployment });
    },
    trainVersion,
    async close() {
      await predictionLog.close();
      if (options.postgresUrl !== undefined) {
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(platform.metadata.db);
      }
      await platform.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
