import type { AlertDelivery, AlertEvent, AlertRuleState } from "./alert-types.ts";

/** Which history entries to read. */
export interface AlertEventQuery {
  readonly deployment?: string;
  readonly rule?: string;
  /** Newest first, at most this many (default 100, at most 10,000). */
  readonly limit?: number;
}

/**
 * Alert rule states, their history and webhook attempts in the metadata store. A window's
 * outcome is written once: `applyWindow` refuses a window at or before the last one
 * evaluated, so two evaluators of the same rule never double-count or double-fire.
 */
export interface AlertStore {
  /** The rule's state; undefined before its first window. */
  getState(rule: string): Promise<AlertRuleState | undefined>;
  /** Every rule's state, optionally of one deployment, by rule name. */
  listStates(deployment?: string): Promise<AlertRuleState[]>;
  /**
   * In one transaction: replaces the rule's state with `next` and appends `event`, unless a
   * window ending at or after `next.lastWindowEnd` was already applied; false then.
   */
  applyWindow(next: AlertRuleState, event: AlertEvent | undefined): Promise<boolean>;
  /** History entries, newest first. */
  listEvents(query?: AlertEventQuery): Promise<AlertEvent[]>;
  /** Records one delivery attempt. */
  recordDelivery(delivery: AlertDelivery): Promise<void>;
  /** The attempts of one event, in order. */
  listDeliveries(eventId: string): Promise<AlertDelivery[]>;
  /** Claims an evaluation tick for `claimant`; false when another evaluator has it. */
  claimTick(tickTime: number, claimant: string): Promise<boolean>;
  /** Notes the outcome of a claimed tick (null error: it ran). */
  recordTick(tickTime: number, error: string | null): Promise<void>;
}
