import { type Kysely, sql } from "kysely";
import type { MetadataDialect } from "../metadata-store.ts";

/** Tracking and registry tables, with the index each search path needs. */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>, dialect: MetadataDialect): Promise<void> {
  const id = (t: string) =>
    dialect === "sqlite"
      ? db.schema
          .createTable(t)
          .addColumn("experiment_id", "integer", (c) => c.primaryKey().autoIncrement())
      : db.schema
          .createTable(t)
          .addColumn("experiment_id", "bigint", (c) =>
            c.primaryKey().generatedByDefaultAsIdentity(),
          );

  await id("experiments")
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("artifact_location", "text", (c) => c.notNull())
    .addColumn("lifecycle_stage", "text", (c) => c.notNull())
    .addColumn("creation_time", "bigint", (c) => c.notNull())
    .addColumn("last_update_time", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("experiment_tags")
    .addColumn("experiment_id", "bigint", (c) =>
      c.notNull().references("experiments.experiment_id"),
    )
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("experiment_tags_pk", ["experiment_id", "key"])
    .execute();

  await db.schema
    .createTable("runs")
    .addColumn("run_id", "text", (c) => c.primaryKey())
    .addColumn("experiment_id", "bigint", (c) =>
      c.notNull().references("experiments.experiment_id"),
    )
    .addColumn("run_name", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("start_time", "bigint", (c) => c.notNull())
    .addColumn("end_time", "bigint")
    .addColumn("lifecycle_stage", "text", (c) => c.notNull())
    .addColumn("artifact_uri", "text", (c) => c.notNull())
    .addColumn("deleted_time", "bigint")
    .execute();
  await db.schema
    .createIndex("runs_by_experiment")
    .on("runs")
    .columns(["experiment_id", "lifecycle_stage", "start_time"])
    .execute();

  for (const table of ["params", "tags"]) {
    await db.schema
      .createTable(table)
      .addColumn("run_id", "text", (c) => c.notNull().references("runs.run_id"))
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("value", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ["run_id", "key"])
      .execute();
    await db.schema.createIndex(`${table}_by_key`).on(table).columns(["key", "value"]).execute();
  }

  // The full tuple is the key, as in MLflow: a retried batch inserts nothing twice.
  await db.schema
    .createTable("metrics")
    .addColumn("run_id", "text", (c) => c.notNull().references("runs.run_id"))
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("step", "bigint", (c) => c.notNull())
    .addColumn("timestamp", "bigint", (c) => c.notNull())
    .addColumn("value", "double precision", (c) => c.notNull())
    .addColumn("is_nan", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("metrics_pk", [
      "run_id",
      "key",
      "step",
      "timestamp",
      "value",
      "is_nan",
    ])
    .execute();

  // One row per (run, key): the value with the greatest (step, timestamp, value), for search.
  await db.schema
    .createTable("latest_metrics")
    .addColumn("run_id", "text", (c) => c.notNull().references("runs.run_id"))
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("step", "bigint", (c) => c.notNull())
    .addColumn("timestamp", "bigint", (c) => c.notNull())
    .addColumn("value", "double precision", (c) => c.notNull())
    .addColumn("is_nan", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("latest_metrics_pk", ["run_id", "key"])
    .execute();
  await db.schema
    .createIndex("latest_metrics_by_key")
    .on("latest_metrics")
    .columns(["key", "value"])
    .execute();

  await db.schema
    .createTable("registered_models")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("creation_timestamp", "bigint", (c) => c.notNull())
    .addColumn("last_updated_timestamp", "bigint", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("registered_model_tags")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("registered_model_tags_pk", ["name", "key"])
    .execute();

  await db.schema
    .createTable("model_versions")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("creation_timestamp", "bigint", (c) => c.notNull())
    .addColumn("last_updated_timestamp", "bigint", (c) => c.notNull())
    .addColumn("description", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("current_stage", "text", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("run_link", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("status_message", "text", (c) => c.notNull())
    .addColumn("signature", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("model_versions_pk", ["name", "version"])
    .execute();
  await db.schema
    .createIndex("model_versions_by_run")
    .on("model_versions")
    .column("run_id")
    .execute();

  await db.schema
    .createTable("model_version_tags")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("value", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("model_version_tags_pk", ["name", "version", "key"])
    .execute();

  await db.schema
    .createTable("registered_model_aliases")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("alias", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("registered_model_aliases_pk", ["name", "alias"])
    .execute();

  const auditId =
    dialect === "sqlite"
      ? db.schema
          .createTable("registry_audit")
          .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
      : db.schema
          .createTable("registry_audit")
          .addColumn("id", "bigint", (c) => c.primaryKey().generatedByDefaultAsIdentity());
  await auditId
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("model_name", "text", (c) => c.notNull())
    .addColumn("version", "integer")
    .addColumn("before", "text")
    .addColumn("after", "text")
    .execute();
  await db.schema
    .createIndex("registry_audit_by_model")
    .on("registry_audit")
    .columns(["model_name", "id"])
    .execute();

  // MLflow always has experiment 0, "Default".
  const now = Date.now();
  await sql`insert into experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
    values (0, 'Default', 'mlflow-artifacts:/0', 'active', ${now}, ${now})`.execute(db);
}
