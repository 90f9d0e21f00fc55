import { TRAINING_TAGS } from "../../pipelines/builtin/training/register-candidate.ts";
import { PIPELINE_TAGS } from "../../pipelines/run/step-tracking.ts";
import type { PipelineRunStore } from "../../pipelines/state/pipeline-run-store.ts";
import type { RegistryService } from "../../registry/registry-service.ts";
import type { DeploymentStore } from "../../serving/deployments/deployment-store.ts";
import { canaryVariants } from "./canary-variants.ts";
import { CHALLENGER_ALIAS } from "./evaluate-retraining-policies.ts";
import type { RetrainingDecision } from "./retraining-decision.ts";
import type { RetrainingDecisionStore } from "./retraining-decision-store.ts";

/** What settling reads and changes. */
export interface SettleContext {
  readonly decisions: RetrainingDecisionStore;
  readonly runs: Pick<PipelineRunStore, "getRun">;
  readonly registry: Pick<RegistryService, "versions" | "aliases">;
  readonly deployments: Pick<DeploymentStore, "get" | "setVariants">;
  /** A policy's canary weight, by policy name (policies removed from config: the default 10). */
  readonly canaryWeight: (policy: string) => number;
}

/**
 * Settles every `running` decision whose pipeline run has finished: finds the version the
 * run registered, reads the gate report and alias decision the pipeline tagged it with, and
 * — only if the gates passed and `challenger` now points at it — stores the canary split
 * (champion 100 - w, challenger w) with DeploymentStore.setVariants. Each outcome is written
 * to the decision with the gate evidence and the variants. Runs still going are left.
 *
 * @example
 * await settleRetrainingDecisions(ctx); // after the pipeline runs started by evaluateRetrainingPolicies end
 */
export async function settleRetrainingDecisions(ctx: SettleContext): Promise<RetrainingDecision[]> {
  const out: RetrainingDecision[] = [];
  for (const d of await ctx.decisions.listRunning()) {
    if (d.pipelineRunId === null) continue;
    const settled = await settleOne(ctx, d, d.pipelineRunId).catch((error: unknown) =>
      ctx.decisions.update(
        d.decisionId,
        {
          outcome: "split_failed",
          reason: `${d.reason}; settling failed: ${error instanceof Error ? error.message : String(error)}`,
        },
        Date.now(),
      ),
    );
    if (settled !== undefined) out.push(settled);
  }
  return out;
}

async function settleOne(
  ctx: SettleContext,
  d: RetrainingDecision,
  runId: string,
): Promise<RetrainingDecision | undefined> {
  const run = await ctx.runs.getRun(runId);
  if (run.status === "running") return undefined;
  const now = Date.now();
  if (run.status !== "succeeded") {
    const failedStep = run.steps.find((s) => s.status === "failed");
    return ctx.decisions.update(
      d.decisionId,
      {
        outcome: "pipeline_failed",
        reason: `${d.reason}; run ${runId} ${run.status}${failedStep === undefined ? "" : ` at step ${failedStep.step}`}: ${run.error ?? failedStep?.error ?? "no error recorded"}`,
      },
      now,
    );
  }
  const model = d.modelName as string;
  const page = await ctx.registry.versions.search({
    filter: `name = '${model.replaceAll("'", "''")}'`,
    maxResults: 1000,
  });
  const version = page.items.find((v) =>
    v.tags.some((t) => t.key === PIPELINE_TAGS.pipelineRunId && t.value === runId),
  );
  if (version === undefined) {
    return ctx.decisions.update(
      d.decisionId,
      {
        outcome: "pipeline_failed",
        reason: `${d.reason}; run ${runId} succeeded but registered no version of '${model}'`,
      },
      now,
    );
  }
  const tag = (key: string) => version.tags.find((t) => t.key === key)?.value;
  const gates = parseJson(tag(TRAINING_TAGS.gatesReport));
  const aliasDecision = tag(TRAINING_TAGS.aliasDecision) ?? "";
  const deployment = await ctx.deployments.get(d.deployment);
  const base = { modelVersion: version.version, gates };
  if (tag(TRAINING_TAGS.gatesPassed) !== "true") {
    return ctx.decisions.update(
      d.decisionId,
      {
        ...base,
        outcome: "gates_failed",
        variants: deployment.variants,
        reason: `${d.reason}; version ${version.version} registered, gates failed: ${aliasDecision}; no alias, no split`,
      },
      now,
    );
  }
  const holder = await ctx.registry.aliases.resolve(model, CHALLENGER_ALIAS).catch(() => undefined);
  if (holder?.version !== version.version) {
    return ctx.decisions.update(
      d.decisionId,
      {
        ...base,
        outcome: "alias_not_moved",
        variants: deployment.variants,
        reason: `${d.reason}; version ${version.version} passed the gates but '${CHALLENGER_ALIAS}' does not point at it (${aliasDecision}); no split`,
      },
      now,
    );
  }
  const weight = ctx.canaryWeight(d.policy);
  const variants = canaryVariants(deployment, model, weight, CHALLENGER_ALIAS);
  try {
    const updated = await ctx.deployments.setVariants(d.deployment, variants);
    return ctx.decisions.update(
      d.decisionId,
      {
        ...base,
        outcome: "split_applied",
        variants: updated.variants,
        reason: `${d.reason}; version ${version.version} passed the gates and is '${CHALLENGER_ALIAS}'; split ${100 - weight}/${weight} applied`,
      },
      now,
    );
  } catch (error) {
    return ctx.decisions.update(
      d.decisionId,
      {
        ...base,
        outcome: "split_failed",
        variants: deployment.variants,
        reason: `${d.reason}; version ${version.version} is '${CHALLENGER_ALIAS}' but the split was refused: ${error instanceof Error ? error.message : String(error)}`,
      },
      now,
    );
  }
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
