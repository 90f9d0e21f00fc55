import type { Kysely } from "kysely";
import type { MetadataDialect } from "../metadata-store.ts";

/**
 * Pipeline run state: one row per pipeline run and one per step of it. A step row is
 * written as the step changes state, so a killed run leaves every finished step recorded
 * and `resume` can start from them. `cache_key` is indexed because every step looks up
 * an earlier successful run with its key before running.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>, _dialect: MetadataDialect): Promise<void> {
  await db.schema
    .createTable("pipeline_runs")
    .addColumn("run_id", "text", (c) => c.primaryKey())
    .addColumn("pipeline_name", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("params", "text", (c) => c.notNull())
    .addColumn("dag", "text", (c) => c.notNull())
    .addColumn("tracking_run_id", "text")
    .addColumn("resumed_from", "text")
    .addColumn("error", "text")
    .addColumn("start_time", "bigint", (c) => c.notNull())
    .addColumn("end_time", "bigint")
    .execute();
  await db.schema
    .createIndex("pipeline_runs_by_name")
    .on("pipeline_runs")
    .columns(["pipeline_name", "start_time"])
    .execute();

  await db.schema
    .createTable("pipeline_step_runs")
    .addColumn("run_id", "text", (c) => c.notNull().references("pipeline_runs.run_id"))
    .addColumn("step_name", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("cache_key", "text")
    .addColumn("cached_from", "text")
    .addColumn("inputs", "text")
    .addColumn("outputs", "text")
    .addColumn("error", "text")
    .addColumn("tracking_run_id", "text")
    .addColumn("start_time", "bigint")
    .addColumn("end_time", "bigint")
    .addPrimaryKeyConstraint("pipeline_step_runs_pk", ["run_id", "step_name"])
    .execute();
  await db.schema
    .createIndex("pipeline_step_runs_by_cache_key")
    .on("pipeline_step_runs")
    .columns(["cache_key", "status"])
    .execute();
}
