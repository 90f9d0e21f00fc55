import type { Kysely } from "kysely";
import type { MetadataDialect } from "../metadata-store.ts";

/**
 * Monitoring's closed loop. Alert rules keep their state (consecutive breached windows, the
 * last window evaluated, whether they fire) and an event history of their transitions;
 * webhook deliveries record every attempt. A server's evaluation tick is claimed by an
 * insert into `monitoring_ticks`, whose primary key lets one server through, as pipeline
 * schedule fires do. Retraining decisions are keyed by policy and window, so one window
 * triggers at most one retraining however many evaluators see it.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists
export async function up(db: Kysely<any>, _dialect: MetadataDialect): Promise<void> {
  await db.schema
    .createTable("monitoring_alert_states")
    .addColumn("rule_name", "text", (c) => c.primaryKey())
    .addColumn("deployment", "text", (c) => c.notNull())
    .addColumn("metric", "text", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("consecutive", "integer", (c) => c.notNull())
    .addColumn("firing_since", "bigint")
    .addColumn("last_window_end", "bigint", (c) => c.notNull())
    .addColumn("last_value", "double precision")
    .addColumn("message", "text")
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("monitoring_alert_events")
    .addColumn("event_id", "text", (c) => c.primaryKey())
    .addColumn("rule_name", "text", (c) => c.notNull())
    .addColumn("deployment", "text", (c) => c.notNull())
    .addColumn("metric", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("window_start", "bigint", (c) => c.notNull())
    .addColumn("window_end", "bigint", (c) => c.notNull())
    .addColumn("value", "double precision")
    .addColumn("op", "text", (c) => c.notNull())
    .addColumn("threshold", "double precision", (c) => c.notNull())
    .addColumn("consecutive", "integer", (c) => c.notNull())
    .addColumn("message", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("monitoring_alert_events_by_deployment")
    .on("monitoring_alert_events")
    .columns(["deployment", "created_at"])
    .execute();

  await db.schema
    .createTable("monitoring_alert_deliveries")
    .addColumn("event_id", "text", (c) => c.notNull())
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("http_status", "integer")
    .addColumn("error", "text")
    .addColumn("at", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("monitoring_alert_deliveries_pk", ["event_id", "attempt"])
    .execute();

  await db.schema
    .createTable("monitoring_ticks")
    .addColumn("tick_time", "bigint", (c) => c.primaryKey())
    .addColumn("claimed_by", "text", (c) => c.notNull())
    .addColumn("claimed_at", "bigint", (c) => c.notNull())
    .addColumn("error", "text")
    .execute();

  await db.schema
    .createTable("monitoring_retraining_decisions")
    .addColumn("decision_id", "text", (c) => c.primaryKey())
    .addColumn("policy_name", "text", (c) => c.notNull())
    .addColumn("deployment", "text", (c) => c.notNull())
    .addColumn("window_end", "bigint", (c) => c.notNull())
    .addColumn("trigger", "text", (c) => c.notNull())
    .addColumn("triggered", "integer", (c) => c.notNull())
    .addColumn("outcome", "text", (c) => c.notNull())
    .addColumn("evidence", "text", (c) => c.notNull())
    .addColumn("pipeline_run_id", "text")
    .addColumn("model_name", "text")
    .addColumn("model_version", "text")
    .addColumn("gates", "text")
    .addColumn("variants", "text")
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .addUniqueConstraint("monitoring_retraining_decisions_window", ["policy_name", "window_end"])
    .execute();
  await db.schema
    .createIndex("monitoring_retraining_decisions_by_deployment")
    .on("monitoring_retraining_decisions")
    .columns(["deployment", "created_at"])
    .execute();
}
