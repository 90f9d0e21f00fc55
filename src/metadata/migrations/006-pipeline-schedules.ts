import type { Kysely } from "kysely";
import type { MetadataDialect } from "../metadata-store.ts";

/**
 * What a server needs to run pipelines for others: registered pipelines (a name and the
 * module that defines it), cron schedules, and one claim row per schedule tick. The claim's
 * primary key `(schedule_id, fire_time)` is the lock: of two servers firing the same tick,
 * exactly one insert succeeds, on SQLite and PostgreSQL alike.
 *
 * Runs gain a cancel request and a heartbeat, so `plinth pipeline cancel` reaches a run
 * driven by another process and can tell a live run from one whose driver was killed;
 * steps gain their log.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>, _dialect: MetadataDialect): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  await db.schema.alterTable("pipeline_runs").addColumn("triggered_by", "text").execute();
  await db.schema.alterTable("pipeline_runs").addColumn("cancel_requested_at", "bigint").execute();
  await db.schema.alterTable("pipeline_runs").addColumn("heartbeat_at", "bigint").execute();
  await db.schema.alterTable("pipeline_step_runs").addColumn("logs", "text").execute();

  await db.schema
    .createTable("pipeline_definitions")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("module", "text", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("params", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("pipeline_schedules")
    .addColumn("schedule_id", "text", (c) => c.primaryKey())
    .addColumn("pipeline_name", "text", (c) => c.notNull())
    .addColumn("cron", "text", (c) => c.notNull())
    .addColumn("timezone", "text")
    .addColumn("params", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("pipeline_schedule_fires")
    .addColumn("schedule_id", "text", (c) => c.notNull())
    .addColumn("fire_time", "bigint", (c) => c.notNull())
    .addColumn("claimed_by", "text", (c) => c.notNull())
    .addColumn("claimed_at", "bigint", (c) => c.notNull())
    .addColumn("run_id", "text")
    .addColumn("error", "text")
    .addPrimaryKeyConstraint("pipeline_schedule_fires_pk", ["schedule_id", "fire_time"])
    .execute();
}
