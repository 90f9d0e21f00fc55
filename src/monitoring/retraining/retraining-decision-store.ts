import type { RetrainingDecision } from "./retraining-decision.ts";

/** The fields a decision's later stages may change. */
export type DecisionChanges = Partial<
  Pick<
    RetrainingDecision,
    "outcome" | "pipelineRunId" | "modelName" | "modelVersion" | "gates" | "variants" | "reason"
  >
>;

/**
 * Retraining decisions in the metadata store. A decision is keyed by its policy and window,
 * so of several evaluators seeing one window exactly one records it (and may retrain).
 */
export interface RetrainingDecisionStore {
  /** Records a new decision; false when the policy's window already has one. */
  claim(decision: RetrainingDecision): Promise<boolean>;
  /** Changes a decision and returns it as stored. */
  update(decisionId: string, changes: DecisionChanges, at: number): Promise<RetrainingDecision>;
  /** Decisions, newest first. */
  list(query?: {
    deployment?: string;
    policy?: string;
    limit?: number;
  }): Promise<RetrainingDecision[]>;
  /** Decisions whose pipeline run has not been settled, oldest first. */
  listRunning(): Promise<RetrainingDecision[]>;
  /** The policy's newest decision that triggered a retraining, if any. */
  lastTriggered(policy: string): Promise<RetrainingDecision | undefined>;
}
