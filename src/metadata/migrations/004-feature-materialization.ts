import type { Kysely } from "kysely";
import type { MetadataDialect } from "../metadata-store.ts";

/**
 * Materialization watermarks: per feature view and online store (by its location), the
 * event time up to which the store holds the view's rows. Keyed by store too, because a
 * watermark earned by one store says nothing about another (a new Redis, a fresh file).
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>, _dialect: MetadataDialect): Promise<void> {
  await db.schema
    .createTable("feature_materializations")
    .addColumn("view_name", "text", (c) => c.notNull())
    .addColumn("online_store", "text", (c) => c.notNull())
    .addColumn("watermark", "bigint", (c) => c.notNull())
    .addColumn("last_start", "bigint")
    .addColumn("last_end", "bigint", (c) => c.notNull())
    .addColumn("rows_written", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("feature_materializations_pk", ["view_name", "online_store"])
    .execute();
}
