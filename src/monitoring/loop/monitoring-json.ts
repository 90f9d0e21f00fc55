import type { AlertEvent, AlertRuleState } from "../alerts/alert-types.ts";
import type { AlertWindowResult } from "../alerts/evaluate-alert-rules.ts";
import type { RetrainingDecision } from "../retraining/retraining-decision.ts";

/** An alert history entry as REST and `--json` print it. */
export function alertEventJson(e: AlertEvent) {
  return {
    event_id: e.eventId,
    rule: e.rule,
    deployment: e.deployment,
    metric: e.metric,
    kind: e.kind,
    window_start: e.windowStart,
    window_end: e.windowEnd,
    value: e.value,
    op: e.op,
    threshold: e.threshold,
    consecutive_windows: e.consecutive,
    message: e.message,
    created_at: e.createdAt,
  };
}

/** A rule's current state as REST and `--json` print it. */
export function alertStateJson(s: AlertRuleState) {
  return {
    rule: s.rule,
    deployment: s.deployment,
    metric: s.metric,
    state: s.state,
    consecutive_windows: s.consecutive,
    firing_since: s.firingSince,
    last_window_end: s.lastWindowEnd,
    last_value: s.lastValue,
    message: s.message,
    updated_at: s.updatedAt,
  };
}

/** One evaluated window of a rule. */
export function alertWindowJson(r: AlertWindowResult) {
  return {
    rule: r.rule,
    deployment: r.deployment,
    metric: r.metric,
    window_start: r.windowStart,
    window_end: r.windowEnd,
    value: r.value,
    state: r.state,
    consecutive_windows: r.consecutive,
    event: r.event === undefined ? null : r.event.kind,
  };
}

/** A retraining decision as REST and `--json` print it. */
export function decisionJson(d: RetrainingDecision) {
  return {
    decision_id: d.decisionId,
    policy: d.policy,
    deployment: d.deployment,
    window_end: d.windowEnd,
    trigger: d.trigger,
    triggered: d.triggered,
    outcome: d.outcome,
    evidence: d.evidence,
    pipeline_run_id: d.pipelineRunId,
    model_name: d.modelName,
    model_version: d.modelVersion,
    gates: d.gates,
    variants: d.variants,
    reason: d.reason,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  };
}
