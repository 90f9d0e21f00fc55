import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { PlinthError } from "../../core/errors.ts";
import type { MetadataStore } from "../metadata-store.ts";
import { migrateToLatest } from "../migrate.ts";
import type { MetadataSchema } from "../schema.ts";
import { createStatisticsKeeper, type StatisticsKeeper } from "./statistics-keeper.ts";

export interface PostgresMetadataConfig {
  /** A postgres:// connection URL. */
  readonly url: string;
  /** The schema holding plinth's tables; created if missing. Default: the connection's search_path. */
  readonly schema?: string;
  /** Pool size (default 10). */
  readonly poolSize?: number;
  /**
   * How often to check that the searched tables have fresh planner statistics (default
   * 30 s; 0 checks only when the store opens). See `createStatisticsKeeper`.
   */
  readonly statisticsIntervalMs?: number;
}

/** The tables run search plans over; the keeper keeps their statistics. */
const SEARCHED_TABLES = ["runs", "params", "tags", "latest_metrics"];

// int8 (bigint) columns hold millisecond timestamps and ids, all far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/** The shared metadata store on PostgreSQL, for many servers and workers at once. */
export async function createPostgresMetadataStore(
  config: PostgresMetadataConfig,
): Promise<MetadataStore> {
  const frozen = Object.freeze({ ...config });
  // JIT compilation pays off for long analytical queries; every metadata query is short, and
  // loading a page of 1,000 runs crossed jit_above_cost and spent 40 ms compiling.
  const options = ["-c jit=off"];
  if (frozen.schema !== undefined) options.push(`-c search_path=${frozen.schema}`);
  const pool = new pg.Pool({
    connectionString: frozen.url,
    max: frozen.poolSize ?? 10,
    options: options.join(" "),
  });
  const db = new Kysely<MetadataSchema>({ dialect: new PostgresDialect({ pool }) });
  let keeper: StatisticsKeeper;
  try {
    if (frozen.schema !== undefined) {
      await sql`create schema if not exists ${sql.id(frozen.schema)}`.execute(db);
    }
    const schema =
      frozen.schema ??
      (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]
        ?.schema;
    await migrateToLatest(db, "postgres", schema);
    keeper = createStatisticsKeeper(db, {
      schema: schema ?? "public",
      tables: SEARCHED_TABLES,
      intervalMs: frozen.statisticsIntervalMs ?? 30_000,
    });
    // A store filled by another process (a bulk import, or a server that ran before
    // statistics were kept) must not serve its first searches from the planner's guesses.
    await keeper.analyzeMissing();
    void keeper.refresh();
  } catch (cause) {
    await db.destroy();
    if (cause instanceof PlinthError) throw cause;
    throw new PlinthError(
      "METADATA_UNAVAILABLE",
      `Cannot open PostgreSQL metadata store: ${(cause as Error).message}`,
      { cause },
    );
  }
  return {
    dialect: "postgres",
    db,
    transaction: (work) => db.transaction().execute(work),
    async close() {
      await keeper.stop();
      await db.destroy();
    },
  };
}
