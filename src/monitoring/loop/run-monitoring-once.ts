import type { MonitoringConfig } from "../../core/monitoring-config.ts";
import type { PipelineService } from "../../pipelines/service/create-pipeline-service.ts";
import type { PipelineRunStore } from "../../pipelines/state/pipeline-run-store.ts";
import type { RegistryService } from "../../registry/registry-service.ts";
import type { DeploymentStore } from "../../serving/deployments/deployment-store.ts";
import type { AlertStore } from "../alerts/alert-store.ts";
import {
  type AlertNotifier,
  type AlertWindowResult,
  evaluateAlertRules,
} from "../alerts/evaluate-alert-rules.ts";
import type { MetricSource } from "../alerts/metric-source.ts";
import { evaluateRetrainingPolicies } from "../retraining/evaluate-retraining-policies.ts";
import type { RetrainingDecision } from "../retraining/retraining-decision.ts";
import type { RetrainingDecisionStore } from "../retraining/retraining-decision-store.ts";
import { settleRetrainingDecisions } from "../retraining/settle-retraining-decisions.ts";

/** Everything one pass of the monitoring loop reads and writes. */
export interface MonitoringLoopContext {
  readonly config: MonitoringConfig;
  readonly source: MetricSource;
  readonly alerts: AlertStore;
  readonly notifier?: AlertNotifier;
  readonly decisions: RetrainingDecisionStore;
  readonly deployments: Pick<DeploymentStore, "get" | "setVariants">;
  readonly registry: Pick<RegistryService, "versions" | "aliases">;
  readonly pipelines: Pick<PipelineService, "trigger" | "idle">;
  readonly runs: Pick<PipelineRunStore, "getRun">;
  readonly featuresModule?: string;
}

/** What one pass did. */
export interface MonitoringPass {
  readonly alerts: readonly AlertWindowResult[];
  /** Decisions made or settled in this pass, in order. */
  readonly decisions: readonly RetrainingDecision[];
}

/**
 * One pass of the closed loop: settle retrainings whose runs have finished, evaluate the
 * alert rules, evaluate the retraining policies (which may start training runs) and, with
 * `wait`, wait for the runs started here and settle them too (the CLI, whose process the
 * runs live in); the server instead settles them on a later tick. A failing part is
 * reported by the part that failed and does not stop the others.
 *
 * @example
 * const pass = await runMonitoringOnce(ctx, { now: Date.now(), deployment: "fraud", wait: true });
 */
export async function runMonitoringOnce(
  ctx: MonitoringLoopContext,
  options: {
    readonly now: number;
    readonly deployment?: string;
    readonly wait?: boolean;
    /** Told as each stage begins (for a progress bar): 1 settle, 2 alerts, 3 retraining, 4 waiting. */
    readonly onStage?: (stage: number, label: string) => void;
  },
): Promise<MonitoringPass> {
  const canaryWeight = (policy: string) =>
    ctx.config.retraining.find((p) => p.name === policy)?.canaryWeight ?? 10;
  const settleCtx = { ...ctx, canaryWeight };
  options.onStage?.(1, "settling finished retraining runs");
  const decisions: RetrainingDecision[] = [...(await settleRetrainingDecisions(settleCtx))];
  options.onStage?.(2, "evaluating alert rules");
  const alerts = await evaluateAlertRules({
    rules: ctx.config.alerts,
    source: ctx.source,
    store: ctx.alerts,
    now: options.now,
    ...(ctx.notifier === undefined ? {} : { notifier: ctx.notifier }),
    ...(options.deployment === undefined ? {} : { deployment: options.deployment }),
  });
  options.onStage?.(3, "evaluating retraining policies");
  const made = await evaluateRetrainingPolicies(ctx, {
    policies: ctx.config.retraining,
    now: options.now,
    ...(options.deployment === undefined ? {} : { deployment: options.deployment }),
  });
  decisions.push(...made);
  if (options.wait === true && made.some((d) => d.outcome === "running")) {
    options.onStage?.(4, "waiting for the training run(s)");
    await ctx.pipelines.idle();
    const settled = await settleRetrainingDecisions(settleCtx);
    const byId = new Map(settled.map((d) => [d.decisionId, d]));
    for (let i = 0; i < decisions.length; i++) {
      const s = byId.get((decisions[i] as RetrainingDecision).decisionId);
      if (s !== undefined) {
        decisions[i] = s;
        byId.delete(s.decisionId);
      }
    }
    decisions.push(...byId.values());
  }
  return { alerts, decisions };
}
