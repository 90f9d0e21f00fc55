import type { Selectable } from "kysely";
import type { AlertOp } from "../../../core/monitoring-config.ts";
import type { MetadataStore } from "../../../metadata/metadata-store.ts";
import type {
  MonitoringAlertDeliveriesTable,
  MonitoringAlertEventsTable,
  MonitoringAlertStatesTable,
} from "../../../metadata/schema.ts";
import { isUniqueViolation } from "../../../metadata/unique-violation.ts";
import type { AlertStore } from "../alert-store.ts";
import type {
  AlertDelivery,
  AlertEvent,
  AlertEventKind,
  AlertRuleState,
  AlertState,
} from "../alert-types.ts";

const MAX_LIMIT = 10_000;

/**
 * The alert store over the metadata tables of migration 009.
 *
 * @example
 * const alerts = createMetadataAlertStore(platform.metadata);
 * const history = await alerts.listEvents({ deployment: "fraud", limit: 20 });
 */
export function createMetadataAlertStore(metadata: MetadataStore): AlertStore {
  const { db } = metadata;
  const store: AlertStore = {
    async getState(rule) {
      const row = await db
        .selectFrom("monitoring_alert_states")
        .selectAll()
        .where("rule_name", "=", rule)
        .executeTakeFirst();
      return row === undefined ? undefined : toState(row);
    },

    async listStates(deployment) {
      let q = db.selectFrom("monitoring_alert_states").selectAll();
      if (deployment !== undefined) q = q.where("deployment", "=", deployment);
      return (await q.orderBy("rule_name").execute()).map(toState);
    },

    async applyWindow(next, event) {
      const row = {
        rule_name: next.rule,
        deployment: next.deployment,
        metric: next.metric,
        state: next.state,
        consecutive: next.consecutive,
        firing_since: next.firingSince,
        last_window_end: next.lastWindowEnd,
        last_value: finiteOrNull(next.lastValue),
        message: next.message,
        updated_at: next.updatedAt,
      };
      try {
        return await metadata.transaction(async (trx) => {
          const current = await trx
            .selectFrom("monitoring_alert_states")
            .select("last_window_end")
            .where("rule_name", "=", next.rule)
            .executeTakeFirst();
          if (current === undefined) {
            await trx.insertInto("monitoring_alert_states").values(row).execute();
          } else {
            // The guard is in the update itself, so a concurrent evaluator that read the
            // same state cannot also write this window.
            const updated = await trx
              .updateTable("monitoring_alert_states")
              .set(row)
              .where("rule_name", "=", next.rule)
              .where("last_window_end", "<", next.lastWindowEnd)
              .executeTakeFirst();
            if (Number(updated.numUpdatedRows) === 0) return false;
          }
          if (event !== undefined) {
            await trx
              .insertInto("monitoring_alert_events")
              .values({
                event_id: event.eventId,
                rule_name: event.rule,
                deployment: event.deployment,
                metric: event.metric,
                kind: event.kind,
                window_start: event.windowStart,
                window_end: event.windowEnd,
                value: finiteOrNull(event.value),
                op: event.op,
                threshold: event.threshold,
                consecutive: event.consecutive,
                message: event.message,
                created_at: event.createdAt,
              })
              .execute();
          }
          return true;
        });
      } catch (error) {
        // Two first windows inserted at once: the other evaluator's won.
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },

    async listEvents(query = {}) {
      const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? 100)), MAX_LIMIT);
      let q = db.selectFrom("monitoring_alert_events").selectAll();
      if (query.deployment !== undefined) q = q.where("deployment", "=", query.deployment);
      if (query.rule !== undefined) q = q.where("rule_name", "=", query.rule);
      const rows = await q
        .orderBy("created_at", "desc")
        .orderBy("window_end", "desc")
        .orderBy("event_id", "desc")
        .limit(limit)
        .execute();
      return rows.map(toEvent);
    },

    async recordDelivery(d) {
      await db
        .insertInto("monitoring_alert_deliveries")
        .values({
          event_id: d.eventId,
          attempt: d.attempt,
          url: d.url,
          status: d.status,
          http_status: d.httpStatus,
          error: d.error,
          at: d.at,
        })
        .execute();
    },

    async listDeliveries(eventId) {
      const rows = await db
        .selectFrom("monitoring_alert_deliveries")
        .selectAll()
        .where("event_id", "=", eventId)
        .orderBy("attempt")
        .execute();
      return rows.map(toDelivery);
    },

    async claimTick(tickTime, claimant) {
      try {
        await db
          .insertInto("monitoring_ticks")
          .values({
            tick_time: tickTime,
            claimed_by: claimant,
            claimed_at: Date.now(),
            error: null,
          })
          .execute();
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },

    async recordTick(tickTime, error) {
      await db
        .updateTable("monitoring_ticks")
        .set({ error })
        .where("tick_time", "=", tickTime)
        .execute();
    },
  };
  return Object.freeze(store);
}

function finiteOrNull(v: number | null): number | null {
  return v === null || !Number.isFinite(v) ? null : v;
}

function toState(row: Selectable<MonitoringAlertStatesTable>): AlertRuleState {
  return {
    rule: row.rule_name,
    deployment: row.deployment,
    metric: row.metric,
    state: row.state as AlertState,
    consecutive: Number(row.consecutive),
    firingSince: row.firing_since === null ? null : Number(row.firing_since),
    lastWindowEnd: Number(row.last_window_end),
    lastValue: row.last_value === null ? null : Number(row.last_value),
    message: row.message,
    updatedAt: Number(row.updated_at),
  };
}

function toEvent(row: Selectable<MonitoringAlertEventsTable>): AlertEvent {
  return {
    eventId: row.event_id,
    rule: row.rule_name,
    deployment: row.deployment,
    metric: row.metric,
    kind: row.kind as AlertEventKind,
    windowStart: Number(row.window_start),
    windowEnd: Number(row.window_end),
    value: row.value === null ? null : Number(row.value),
    op: row.op as AlertOp,
    threshold: Number(row.threshold),
    consecutive: Number(row.consecutive),
    message: row.message,
    createdAt: Number(row.created_at),
  };
}

function toDelivery(row: Selectable<MonitoringAlertDeliveriesTable>): AlertDelivery {
  return {
    eventId: row.event_id,
    attempt: Number(row.attempt),
    url: row.url,
    status: row.status as AlertDelivery["status"],
    httpStatus: row.http_status === null ? null : Number(row.http_status),
    error: row.error,
    at: Number(row.at),
  };
}
