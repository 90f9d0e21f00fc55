import { randomUUID } from "node:crypto";
import type { AlertOp, AlertRuleConfig } from "../../core/monitoring-config.ts";
import type { AlertStore } from "./alert-store.ts";
import type { AlertEvent, AlertEventKind, AlertRuleState, AlertState } from "./alert-types.ts";
import type { MetricSource } from "./metric-source.ts";

/** Windows a rule catches up on at most after a pause; older ones are skipped. */
const MAX_CATCH_UP_WINDOWS = 100;

/** What one window of one rule came to. */
export interface AlertWindowResult {
  readonly rule: string;
  readonly deployment: string;
  readonly metric: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly value: number | null;
  readonly state: AlertState;
  readonly consecutive: number;
  /** The transition this window caused, if any. */
  readonly event: AlertEvent | undefined;
  /** False when another evaluator had already applied this window. */
  readonly applied: boolean;
}

/** Where an evaluator hands events that have a webhook. */
export interface AlertNotifier {
  /** Queues a delivery; never waits for it. */
  deliver(event: AlertEvent, url: string): void;
}

/**
 * Evaluates every rule on each complete window (windows are aligned to multiples of their
 * length since the epoch) that it has not evaluated yet, oldest first: a rule seen for the
 * first time starts `for` windows back, so a problem already under way fires at once.
 * A window's metrics are computed once per deployment and window for all rules that share
 * them. An empty window or NaN metric is `no_data`, a metric source that throws is `error`:
 * both reset the consecutive count, are recorded in the history when they begin, and never
 * stop other rules from being evaluated.
 *
 * @example
 * const results = await evaluateAlertRules({ rules: config.monitoring.alerts, source, store, now: Date.now() });
 */
export async function evaluateAlertRules(options: {
  readonly rules: readonly AlertRuleConfig[];
  readonly source: MetricSource;
  readonly store: AlertStore;
  readonly now: number;
  readonly notifier?: AlertNotifier;
  /** Only the rules of this deployment. */
  readonly deployment?: string;
}): Promise<AlertWindowResult[]> {
  const rules = options.rules.filter(
    (r) => options.deployment === undefined || r.deployment === options.deployment,
  );
  const windows = new Map<
    string,
    { deployment: string; from: number; to: number; metrics: Set<string> }
  >();
  const plan: Array<{ rule: AlertRuleConfig; state: AlertRuleState | undefined; ends: number[] }> =
    [];
  for (const rule of rules) {
    const state = await options.store.getState(rule.name);
    const lastEnd = Math.floor(options.now / rule.windowMs) * rule.windowMs;
    let firstEnd =
      state === undefined
        ? lastEnd - (rule.for - 1) * rule.windowMs
        : state.lastWindowEnd + rule.windowMs;
    firstEnd = Math.max(firstEnd, lastEnd - (MAX_CATCH_UP_WINDOWS - 1) * rule.windowMs);
    const ends: number[] = [];
    for (let end = firstEnd; end <= lastEnd; end += rule.windowMs) {
      ends.push(end);
      const key = `${rule.deployment}\u0000${end - rule.windowMs}\u0000${end}`;
      let w = windows.get(key);
      if (w === undefined) {
        w = { deployment: rule.deployment, from: end - rule.windowMs, to: end, metrics: new Set() };
        windows.set(key, w);
      }
      w.metrics.add(rule.metric);
    }
    plan.push({ rule, state, ends });
  }

  // One query per deployment and window, shared by every rule on it.
  const computed = new Map<string, Promise<Readonly<Record<string, number | null>>>>();
  const valuesOf = (rule: AlertRuleConfig, end: number) => {
    const key = `${rule.deployment}\u0000${end - rule.windowMs}\u0000${end}`;
    let p = computed.get(key);
    if (p === undefined) {
      const w = windows.get(key) as {
        deployment: string;
        from: number;
        to: number;
        metrics: Set<string>;
      };
      p = Promise.resolve().then(() =>
        options.source.values({
          deployment: w.deployment,
          from: w.from,
          to: w.to,
          metrics: [...w.metrics],
        }),
      );
      // Rejections are read per rule below; this keeps an unread one from going unhandled.
      p.catch(() => {});
      computed.set(key, p);
    }
    return p;
  };

  const results: AlertWindowResult[] = [];
  for (const { rule, ends } of plan) {
    let { state } = plan.find((p) => p.rule === rule) as { state: AlertRuleState | undefined };
    for (const end of ends) {
      let value: number | null = null;
      let failure: string | undefined;
      try {
        const v = (await valuesOf(rule, end))[rule.metric];
        value = typeof v === "number" && !Number.isNaN(v) ? v : null;
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
      }
      const step = nextState(rule, state, end, value, failure, options.now);
      const applied = await options.store.applyWindow(step.state, step.event);
      results.push({
        rule: rule.name,
        deployment: rule.deployment,
        metric: rule.metric,
        windowStart: end - rule.windowMs,
        windowEnd: end,
        value,
        state: step.state.state,
        consecutive: step.state.consecutive,
        event: applied ? step.event : undefined,
        applied,
      });
      if (!applied) {
        // Someone else evaluated it: carry on from what they stored.
        state = await options.store.getState(rule.name);
        continue;
      }
      state = step.state;
      if (step.event !== undefined && rule.webhook !== undefined && isNotified(step.event.kind)) {
        options.notifier?.deliver(step.event, rule.webhook);
      }
    }
  }
  return results;
}

function isNotified(kind: AlertEventKind): boolean {
  return kind === "fired" || kind === "resolved";
}

/** True when `value op threshold`. */
export function breaches(value: number, op: AlertOp, threshold: number): boolean {
  switch (op) {
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
  }
}

function nextState(
  rule: AlertRuleConfig,
  previous: AlertRuleState | undefined,
  windowEnd: number,
  value: number | null,
  failure: string | undefined,
  now: number,
): { state: AlertRuleState; event: AlertEvent | undefined } {
  const windowStart = windowEnd - rule.windowMs;
  const was = previous?.state;
  let firingSince = previous?.firingSince ?? null;
  let consecutive = 0;
  let state: AlertState;
  let kind: AlertEventKind | undefined;
  let message: string;
  const described = `${rule.metric} ${rule.op} ${rule.threshold}`;
  if (failure !== undefined) {
    state = "error";
    message = `metric ${rule.metric} could not be computed: ${failure}`;
    if (was !== "error") kind = "error";
  } else if (value === null) {
    state = "no_data";
    message = `no data for ${rule.metric} in the window`;
    if (was !== "no_data") kind = "no_data";
  } else if (breaches(value, rule.op, rule.threshold)) {
    consecutive = (previous?.consecutive ?? 0) + 1;
    if (consecutive >= rule.for) {
      state = "firing";
      message = `${rule.metric} = ${value} breached ${described} in ${consecutive} consecutive window(s)`;
      if (firingSince === null) {
        firingSince = windowEnd - consecutive * rule.windowMs;
        kind = "fired";
      }
    } else {
      state = firingSince === null ? "pending" : "firing";
      message = `${rule.metric} = ${value} breached ${described} (${consecutive} of ${rule.for} windows)`;
    }
  } else {
    state = "ok";
    message = `${rule.metric} = ${value} within ${described} bounds`;
    if (firingSince !== null) {
      kind = "resolved";
      message = `${rule.metric} = ${value} no longer breaches ${described}`;
      firingSince = null;
    }
  }
  const next: AlertRuleState = {
    rule: rule.name,
    deployment: rule.deployment,
    metric: rule.metric,
    state,
    consecutive,
    firingSince,
    lastWindowEnd: windowEnd,
    lastValue: value,
    message,
    updatedAt: now,
  };
  const event: AlertEvent | undefined =
    kind === undefined
      ? undefined
      : {
          eventId: randomUUID(),
          rule: rule.name,
          deployment: rule.deployment,
          metric: rule.metric,
          kind,
          windowStart,
          windowEnd,
          value,
          op: rule.op,
          threshold: rule.threshold,
          consecutive,
          message,
          createdAt: now,
        };
  return { state: next, event };
}
