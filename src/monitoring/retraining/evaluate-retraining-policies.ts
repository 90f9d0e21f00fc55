import { randomUUID } from "node:crypto";
import type { RetrainingPolicyConfig } from "../../core/monitoring-config.ts";
import { parseCron } from "../../pipelines/schedules/parse-cron.ts";
import type { PipelineService } from "../../pipelines/service/create-pipeline-service.ts";
import type { DeploymentStore } from "../../serving/deployments/deployment-store.ts";
import type { MetricSource } from "../alerts/metric-source.ts";
import { championVariant } from "./canary-variants.ts";
import type { RetrainingDecision } from "./retraining-decision.ts";
import type { RetrainingDecisionStore } from "./retraining-decision-store.ts";

/** The alias a retrained, gated version is given. */
export const CHALLENGER_ALIAS = "challenger";

/** What policies are evaluated with. */
export interface RetrainingContext {
  readonly source: MetricSource;
  readonly decisions: RetrainingDecisionStore;
  readonly deployments: Pick<DeploymentStore, "get">;
  readonly pipelines: Pick<PipelineService, "trigger">;
  /** The features module passed to the pipeline when a policy names none. */
  readonly featuresModule?: string;
}

/**
 * Evaluates each policy on its latest complete window (a cron policy: its latest fire time)
 * once: the decision is claimed in the store first, so with several evaluators one window
 * triggers at most one retraining. A triggered policy outside its cooldown starts the
 * built-in training pipeline with `alias=challenger`, judged against the alias the
 * deployment's champion follows; the decision is `running` until settleRetrainingDecisions
 * sees the run finish. Every evaluation is recorded, with its evidence, whatever it decided.
 *
 * @example
 * const started = await evaluateRetrainingPolicies(ctx, { policies: config.monitoring.retraining, now: Date.now() });
 */
export async function evaluateRetrainingPolicies(
  ctx: RetrainingContext,
  options: {
    readonly policies: readonly RetrainingPolicyConfig[];
    readonly now: number;
    readonly deployment?: string;
  },
): Promise<RetrainingDecision[]> {
  const out: RetrainingDecision[] = [];
  for (const policy of options.policies) {
    if (options.deployment !== undefined && policy.deployment !== options.deployment) continue;
    const decision = await evaluatePolicy(ctx, policy, options.now);
    if (decision !== undefined) out.push(decision);
  }
  return out;
}

async function evaluatePolicy(
  ctx: RetrainingContext,
  policy: RetrainingPolicyConfig,
  now: number,
): Promise<RetrainingDecision | undefined> {
  const when = policy.when;
  let windowEnd: number;
  let evidence: Record<string, unknown>;
  let triggered = false;
  let outcome: RetrainingDecision["outcome"] = "not_triggered";
  let reason: string;
  if (when.kind === "cron") {
    let fire: Date | undefined;
    try {
      fire = parseCron(when.cron, when.timezone).previousRuns(1, new Date(now))[0];
    } catch (error) {
      fire = undefined;
      reason = error instanceof Error ? error.message : String(error);
    }
    // Nothing has come due yet (or the expression is bad): nothing to decide.
    if (fire === undefined) return undefined;
    windowEnd = fire.getTime();
    evidence = {
      cron: when.cron,
      timezone: when.timezone ?? null,
      fireTime: new Date(windowEnd).toISOString(),
    };
    triggered = true;
    reason = `cron '${when.cron}' fired at ${new Date(windowEnd).toISOString()}`;
  } else {
    windowEnd = Math.floor(now / when.windowMs) * when.windowMs;
    const from = windowEnd - when.windowMs;
    const metric = when.kind === "drift_share" ? "drift_share" : when.metric;
    evidence = {
      metric,
      window: { start: new Date(from).toISOString(), end: new Date(windowEnd).toISOString() },
    };
    let value: number | null = null;
    try {
      const v = (
        await ctx.source.values({
          deployment: policy.deployment,
          from,
          to: windowEnd,
          metrics: [metric],
        })
      )[metric];
      value = typeof v === "number" && !Number.isNaN(v) ? v : null;
      evidence.value = value;
    } catch (error) {
      outcome = "error";
      evidence.error = error instanceof Error ? error.message : String(error);
    }
    if (when.kind === "drift_share") {
      evidence.threshold = { op: ">=", value: when.atLeast };
      triggered = value !== null && value >= when.atLeast;
    } else if (when.below !== undefined) {
      evidence.threshold = { op: "<", value: when.below };
      triggered = value !== null && value < when.below;
    } else {
      evidence.threshold = { op: ">", value: when.above };
      triggered = value !== null && value > (when.above as number);
    }
    const t = evidence.threshold as { op: string; value: number };
    if (outcome === "error") reason = `${metric} could not be computed: ${String(evidence.error)}`;
    else if (value === null) {
      outcome = "no_data";
      reason = `no data for ${metric} in the window`;
    } else {
      reason = `${metric} = ${value} ${triggered ? "" : "not "}${t.op} ${t.value}`;
    }
  }

  let decision: RetrainingDecision = {
    decisionId: randomUUID(),
    policy: policy.name,
    deployment: policy.deployment,
    windowEnd,
    trigger: when.kind,
    triggered,
    outcome: triggered ? "running" : outcome,
    evidence,
    pipelineRunId: null,
    modelName: null,
    modelVersion: null,
    gates: null,
    variants: null,
    reason,
    createdAt: now,
    updatedAt: now,
  };
  if (triggered) {
    const last = await ctx.decisions.lastTriggered(policy.name);
    if (last !== undefined && now - last.createdAt < policy.cooldownMs) {
      decision = {
        ...decision,
        outcome: "cooldown",
        reason: `${reason}; not retrained: decision ${last.decisionId} retrained ${Math.round((now - last.createdAt) / 1000)} s ago, within the cooldown of ${policy.cooldownMs / 1000} s`,
      };
    }
  }
  // The claim comes before any side effect: a window another evaluator decided is left alone.
  if (!(await ctx.decisions.claim(decision))) return undefined;
  if (decision.outcome !== "running") return decision;

  try {
    const deployment = await ctx.deployments.get(policy.deployment);
    const champion = championVariant(deployment);
    const modelName = String(policy.pipeline.model_name ?? champion.model);
    const params: Record<string, string | number> = {
      ...(ctx.featuresModule === undefined ? {} : { features: ctx.featuresModule }),
      ...policy.pipeline,
      model_name: modelName,
      alias: CHALLENGER_ALIAS,
      compare_alias: champion.alias ?? "champion",
    };
    const { runId } = await ctx.pipelines.trigger({
      pipeline: "training",
      params,
      triggeredBy: `monitoring:${policy.name}`,
    });
    return await ctx.decisions.update(
      decision.decisionId,
      {
        pipelineRunId: runId,
        modelName,
        reason: `${reason}; training pipeline run ${runId} started for model '${modelName}'`,
      },
      Date.now(),
    );
  } catch (error) {
    return ctx.decisions.update(
      decision.decisionId,
      {
        outcome: "pipeline_failed",
        reason: `${reason}; the training pipeline could not be started: ${error instanceof Error ? error.message : String(error)}`,
      },
      Date.now(),
    );
  }
}
