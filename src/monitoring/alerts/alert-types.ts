import type { AlertOp } from "../../core/monitoring-config.ts";

/**
 * Where a rule stands after its last window: `ok` (not breached), `pending` (breached, fewer
 * than `for` windows in a row), `firing`, `no_data` (an empty window or a NaN metric), or
 * `error` (the metric could not be computed). An alert opened by `firing` stays open through
 * `no_data` and `error` windows and is resolved only by a window that clears.
 */
export type AlertState = "ok" | "pending" | "firing" | "no_data" | "error";

/** The kinds of transition recorded in the alert history. */
export type AlertEventKind = "fired" | "resolved" | "no_data" | "error";

/** A rule's stored state. */
export interface AlertRuleState {
  readonly rule: string;
  readonly deployment: string;
  readonly metric: string;
  readonly state: AlertState;
  /** Breached windows in a row, up to the last one evaluated. */
  readonly consecutive: number;
  /** Start of the first window of the open alert; null when none is open. */
  readonly firingSince: number | null;
  /** End (exclusive) of the last window evaluated, epoch ms. */
  readonly lastWindowEnd: number;
  readonly lastValue: number | null;
  readonly message: string | null;
  readonly updatedAt: number;
}

/** One entry of the alert history. */
export interface AlertEvent {
  readonly eventId: string;
  readonly rule: string;
  readonly deployment: string;
  readonly metric: string;
  readonly kind: AlertEventKind;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly value: number | null;
  readonly op: AlertOp;
  readonly threshold: number;
  readonly consecutive: number;
  readonly message: string;
  readonly createdAt: number;
}

/** One attempt to POST an event to its webhook. */
export interface AlertDelivery {
  readonly eventId: string;
  readonly attempt: number;
  readonly url: string;
  readonly status: "delivered" | "failed";
  readonly httpStatus: number | null;
  readonly error: string | null;
  readonly at: number;
}
