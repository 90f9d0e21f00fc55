import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { PlinthError } from "../../core/errors.ts";
import type { MetadataStore } from "../metadata-store.ts";
import { migrateToLatest } from "../migrate.ts";
import type { MetadataSchema } from "../schema.ts";
import { createStatementCachingDatabase } from "./statement-cache.ts";

/** Distinct query texts kept prepared: every query shape plinth runs, with room to spare. */
const STATEMENT_CACHE_SIZE = 200;

export interface SqliteMetadataConfig {
  /** A file path, or ":memory:". */
  readonly path: string;
}

/**
 * The embedded metadata store: one SQLite file in WAL mode. `synchronous=NORMAL` under WAL
 * keeps every committed transaction across a process crash (only a power loss can drop the
 * last ones), which is the durability an embedded tracking server needs.
 */
export async function createSqliteMetadataStore(
  config: SqliteMetadataConfig,
): Promise<MetadataStore> {
  const frozen = Object.freeze({ ...config });
  let database: Database.Database;
  try {
    if (frozen.path !== ":memory:") mkdirSync(dirname(frozen.path), { recursive: true });
    database = new Database(frozen.path);
    database.pragma("journal_mode = WAL");
    database.pragma("synchronous = NORMAL");
    database.pragma("foreign_keys = ON");
    database.pragma("busy_timeout = 10000");
    // MLflow's LIKE is case-sensitive; ILIKE is spelled lower(x) LIKE lower(y).
    database.pragma("case_sensitive_like = ON");
  } catch (cause) {
    throw new PlinthError(
      "METADATA_UNAVAILABLE",
      `Cannot open SQLite metadata store at ${frozen.path}: ${(cause as Error).message}`,
      { cause },
    );
  }
  const db = new Kysely<MetadataSchema>({
    dialect: new SqliteDialect({
      database: createStatementCachingDatabase(database, STATEMENT_CACHE_SIZE),
    }),
  });
  await migrateToLatest(db, "sqlite");
  return {
    dialect: "sqlite",
    db,
    transaction: (work) => db.transaction().execute(work),
    close: () => db.destroy(),
  };
}
