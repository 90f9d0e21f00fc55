import { type Kysely, sql } from "kysely";
import type { MetadataDialect } from "../metadata-store.ts";

/**
 * Indexes that answer run searches from the index alone, and (SQLite) metric tables
 * clustered on their primary key.
 *
 * - `runs (experiment_id, lifecycle_stage, start_time desc, run_id)` is the default search
 *   order itself, so a page of runs is read in order and the scan stops at the page's end.
 * - Each key/value filter becomes one range scan of `(key, value, …, run_id)`; with `run_id`
 *   in the index, the scan never touches the table.
 * - SQLite: `metrics` and `latest_metrics` become WITHOUT ROWID tables. Their primary key
 *   holds every column (`metrics`) or the row's identity (`latest_metrics`); a rowid table
 *   stores each row twice, in the table and in the key's index, and ingestion pays for both.
 *   Params and tags stay rowid tables: their values run to thousands of characters.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>, dialect: MetadataDialect): Promise<void> {
  if (dialect === "sqlite") {
    await rebuildWithoutRowid(db, "metrics", [
      "run_id",
      "key",
      "step",
      "timestamp",
      "value",
      "is_nan",
    ]);
    await rebuildWithoutRowid(db, "latest_metrics", ["run_id", "key"]);
  } else {
    await db.schema.dropIndex("latest_metrics_by_key").execute();
  }
  await db.schema
    .createIndex("latest_metrics_by_key")
    .on("latest_metrics")
    .columns(["key", "value", "is_nan", "run_id"])
    .execute();

  for (const table of ["params", "tags"]) {
    await db.schema.dropIndex(`${table}_by_key`).execute();
    await db.schema
      .createIndex(`${table}_by_key`)
      .on(table)
      .columns(["key", "value", "run_id"])
      .execute();
  }

  await db.schema.dropIndex("runs_by_experiment").execute();
  await db.schema
    .createIndex("runs_by_experiment")
    .on("runs")
    .columns(["experiment_id", "lifecycle_stage", "start_time desc", "run_id"])
    .execute();
}

/**
 * SQLite cannot change a table's storage in place: the table is copied into its new form
 * (inside the migration's transaction), and its indexes go with the old copy.
 */
async function rebuildWithoutRowid(
  // biome-ignore lint/suspicious/noExplicitAny: as above
  db: Kysely<any>,
  table: string,
  primaryKey: Array<"run_id" | "key" | "step" | "timestamp" | "value" | "is_nan">,
) {
  const staging = `${table}_rebuilt`;
  await db.schema
    .createTable(staging)
    .addColumn("run_id", "text", (c) => c.notNull().references("runs.run_id"))
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("step", "bigint", (c) => c.notNull())
    .addColumn("timestamp", "bigint", (c) => c.notNull())
    .addColumn("value", "double precision", (c) => c.notNull())
    .addColumn("is_nan", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint(`${table}_pk`, primaryKey)
    .modifyEnd(sql`without rowid`)
    .execute();
  await sql`insert into ${sql.table(staging)} (run_id, key, step, timestamp, value, is_nan)
    select run_id, key, step, timestamp, value, is_nan from ${sql.table(table)}`.execute(db);
  await db.schema.dropTable(table).execute();
  await db.schema.alterTable(staging).renameTo(table).execute();
}
