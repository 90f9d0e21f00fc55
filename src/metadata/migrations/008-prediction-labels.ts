import type { Kysely } from "kysely";
import type { MetadataDialect } from "../metadata-store.ts";

/**
 * Delayed labels for logged predictions. A label names its prediction either by request id
 * or by entity and event time (resolved at join time to the entity's latest prediction at or
 * before that time). `label_key` is `id:<request id>` or `entity:<entity JSON>@<event ms>`, so
 * one primary key makes both kinds idempotent: a re-sent label replaces the stored one.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>, _dialect: MetadataDialect): Promise<void> {
  await db.schema
    .createTable("prediction_labels")
    .addColumn("deployment", "text", (c) => c.notNull())
    .addColumn("label_key", "text", (c) => c.notNull())
    .addColumn("request_id", "text")
    .addColumn("entity_key", "text")
    .addColumn("event_time", "bigint")
    .addColumn("label", "double precision", (c) => c.notNull())
    .addColumn("labelled_at", "bigint", (c) => c.notNull())
    .addColumn("ingested_at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("prediction_labels_pk", ["deployment", "label_key"])
    .execute();
  await db.schema
    .createIndex("prediction_labels_by_request")
    .on("prediction_labels")
    .columns(["deployment", "request_id"])
    .execute();
  await db.schema
    .createIndex("prediction_labels_by_event_time")
    .on("prediction_labels")
    .columns(["deployment", "event_time"])
    .execute();
}
