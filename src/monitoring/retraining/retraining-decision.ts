import type { DeploymentVariant } from "../../serving/deployments/deployment.ts";

/**
 * What a policy's evaluation of one window came to:
 * - `not_triggered`, `no_data`, `error`, `cooldown`: nothing was started;
 * - `running`: the training pipeline was started and has not finished;
 * - `pipeline_failed`: the run failed or was cancelled;
 * - `gates_failed`: a version was registered but its gates failed (no alias, no split);
 * - `alias_not_moved`: the gates passed but the champion changed meanwhile (no split);
 * - `split_applied`: the new version holds `challenger` and the canary split is stored;
 * - `split_failed`: the challenger alias moved but the deployment refused the split.
 */
export type RetrainingOutcome =
  | "not_triggered"
  | "no_data"
  | "error"
  | "cooldown"
  | "running"
  | "pipeline_failed"
  | "gates_failed"
  | "alias_not_moved"
  | "split_applied"
  | "split_failed";

/** One decision of a retraining policy, with its evidence, as stored. */
export interface RetrainingDecision {
  readonly decisionId: string;
  readonly policy: string;
  readonly deployment: string;
  /** The end of the window judged (a cron policy: the fire time). */
  readonly windowEnd: number;
  readonly trigger: "drift_share" | "metric" | "cron";
  readonly triggered: boolean;
  readonly outcome: RetrainingOutcome;
  /** What the trigger saw: the metric, its value and threshold and the window, or the cron tick. */
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly pipelineRunId: string | null;
  readonly modelName: string | null;
  readonly modelVersion: string | null;
  /** The training pipeline's gate report for the new version. */
  readonly gates: unknown;
  /** The variants applied (split_applied), or the ones left in place. */
  readonly variants: readonly DeploymentVariant[] | null;
  /** Why, in words. */
  readonly reason: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}
