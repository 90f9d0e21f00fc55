import type { Kysely } from "kysely";
import type { MetadataDialect } from "../metadata-store.ts";

/**
 * Model-serving deployments: one row per deployment, its variants, sticky key, threshold and
 * description kept as one JSON spec, so a change of the traffic split is one row update and a
 * reader never sees half a split.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>, _dialect: MetadataDialect): Promise<void> {
  await db.schema
    .createTable("deployments")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("spec", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();
}
