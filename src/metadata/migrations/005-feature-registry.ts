import { type Kysely, sql } from "kysely";
import type { MetadataDialect } from "../metadata-store.ts";

/**
 * The feature registry and saved training datasets.
 *
 * - `feature_registry_objects`: one row per version of each applied entity, feature view,
 *   on-demand view, feature service and push source; `spec` is its JSON description. A
 *   forced breaking change supersedes the row and adds version + 1, so the definition an
 *   old training set was built from stays readable. A partial unique index allows at most
 *   one active version per name and kind.
 * - `feature_registry_applies`: one row per apply, numbered by `revision` (its primary key,
 *   so two applies computed against the same revision cannot both commit): who, when, from
 *   which module, forced or not, and the changes.
 * - `feature_datasets`: training sets saved to the artifact store, by the sha256 of their
 *   Parquet bytes, with their lineage and per-feature statistics for monitoring.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>, _dialect: MetadataDialect): Promise<void> {
  await db.schema
    .createTable("feature_registry_objects")
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("spec", "text", (c) => c.notNull())
    .addColumn("spec_hash", "text", (c) => c.notNull())
    .addColumn("created_revision", "integer", (c) => c.notNull())
    .addColumn("updated_revision", "integer", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("feature_registry_objects_pk", ["kind", "name", "version"])
    .execute();
  await db.schema
    .createIndex("feature_registry_objects_one_active")
    .on("feature_registry_objects")
    .columns(["kind", "name"])
    .unique()
    .where(sql.ref("status"), "=", "active")
    .execute();

  await db.schema
    .createTable("feature_registry_applies")
    .addColumn("revision", "integer", (c) => c.primaryKey())
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("module", "text", (c) => c.notNull())
    .addColumn("forced", "integer", (c) => c.notNull())
    .addColumn("changes", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("feature_datasets")
    .addColumn("dataset_hash", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("feature_service", "text", (c) => c.notNull())
    .addColumn("num_rows", "bigint", (c) => c.notNull())
    .addColumn("size_bytes", "bigint", (c) => c.notNull())
    .addColumn("artifact_key", "text", (c) => c.notNull())
    .addColumn("lineage_hash", "text", (c) => c.notNull())
    .addColumn("lineage", "text", (c) => c.notNull())
    .addColumn("statistics", "text", (c) => c.notNull())
    .addColumn("registry_versions", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("created_by", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("feature_datasets_by_name")
    .on("feature_datasets")
    .columns(["name", "created_at"])
    .execute();
  await db.schema
    .createIndex("feature_datasets_by_lineage")
    .on("feature_datasets")
    .column("lineage_hash")
    .execute();
}
