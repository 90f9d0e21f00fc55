import type { Selectable } from "kysely";
import type { MetadataStore } from "../../../metadata/metadata-store.ts";
import type { MonitoringRetrainingDecisionsTable } from "../../../metadata/schema.ts";
import { isUniqueViolation } from "../../../metadata/unique-violation.ts";
import type { RetrainingDecision, RetrainingOutcome } from "../retraining-decision.ts";
import type { RetrainingDecisionStore } from "../retraining-decision-store.ts";

/**
 * Retraining decisions in `monitoring_retraining_decisions` (migration 009); the unique
 * (policy, window) constraint is the claim.
 *
 * @example
 * const decisions = createMetadataRetrainingDecisionStore(platform.metadata);
 * await decisions.list({ deployment: "fraud" });
 */
export function createMetadataRetrainingDecisionStore(
  metadata: MetadataStore,
): RetrainingDecisionStore {
  const { db } = metadata;
  const get = async (id: string) =>
    toDecision(
      await db
        .selectFrom("monitoring_retraining_decisions")
        .selectAll()
        .where("decision_id", "=", id)
        .executeTakeFirstOrThrow(),
    );
  const store: RetrainingDecisionStore = {
    async claim(d) {
      try {
        await db
          .insertInto("monitoring_retraining_decisions")
          .values({
            decision_id: d.decisionId,
            policy_name: d.policy,
            deployment: d.deployment,
            window_end: d.windowEnd,
            trigger: d.trigger,
            triggered: d.triggered ? 1 : 0,
            outcome: d.outcome,
            evidence: JSON.stringify(d.evidence),
            pipeline_run_id: d.pipelineRunId,
            model_name: d.modelName,
            model_version: d.modelVersion,
            gates: d.gates === null || d.gates === undefined ? null : JSON.stringify(d.gates),
            variants: d.variants === null ? null : JSON.stringify(d.variants),
            reason: d.reason,
            created_at: d.createdAt,
            updated_at: d.updatedAt,
          })
          .execute();
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },

    async update(id, changes, at) {
      const set: Partial<MonitoringRetrainingDecisionsTable> = { updated_at: at };
      if (changes.outcome !== undefined) set.outcome = changes.outcome;
      if (changes.pipelineRunId !== undefined) set.pipeline_run_id = changes.pipelineRunId;
      if (changes.modelName !== undefined) set.model_name = changes.modelName;
      if (changes.modelVersion !== undefined) set.model_version = changes.modelVersion;
      if (changes.gates !== undefined) set.gates = JSON.stringify(changes.gates);
      if (changes.variants !== undefined) {
        set.variants = changes.variants === null ? null : JSON.stringify(changes.variants);
      }
      if (changes.reason !== undefined) set.reason = changes.reason;
      await db
        .updateTable("monitoring_retraining_decisions")
        .set(set)
        .where("decision_id", "=", id)
        .execute();
      return get(id);
    },

    async list(query = {}) {
      const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? 100)), 10_000);
      let q = db.selectFrom("monitoring_retraining_decisions").selectAll();
      if (query.deployment !== undefined) q = q.where("deployment", "=", query.deployment);
      if (query.policy !== undefined) q = q.where("policy_name", "=", query.policy);
      const rows = await q
        .orderBy("created_at", "desc")
        .orderBy("window_end", "desc")
        .limit(limit)
        .execute();
      return rows.map(toDecision);
    },

    async listRunning() {
      const rows = await db
        .selectFrom("monitoring_retraining_decisions")
        .selectAll()
        .where("outcome", "=", "running")
        .orderBy("created_at")
        .execute();
      return rows.map(toDecision);
    },

    async lastTriggered(policy) {
      const row = await db
        .selectFrom("monitoring_retraining_decisions")
        .selectAll()
        .where("policy_name", "=", policy)
        .where("triggered", "=", 1)
        .where("outcome", "!=", "cooldown")
        .orderBy("created_at", "desc")
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? undefined : toDecision(row);
    },
  };
  return Object.freeze(store);
}

function toDecision(row: Selectable<MonitoringRetrainingDecisionsTable>): RetrainingDecision {
  return {
    decisionId: row.decision_id,
    policy: row.policy_name,
    deployment: row.deployment,
    windowEnd: Number(row.window_end),
    trigger: row.trigger as RetrainingDecision["trigger"],
    triggered: Number(row.triggered) === 1,
    outcome: row.outcome as RetrainingOutcome,
    evidence: JSON.parse(row.evidence) as Record<string, unknown>,
    pipelineRunId: row.pipeline_run_id,
    modelName: row.model_name,
    modelVersion: row.model_version,
    gates: row.gates === null ? null : (JSON.parse(row.gates) as unknown),
    variants:
      row.variants === null ? null : (JSON.parse(row.variants) as RetrainingDecision["variants"]),
    reason: row.reason,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
