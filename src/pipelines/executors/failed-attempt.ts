import type { LoggedMetric } from "./step-task.ts";

const LOGGED = Symbol.for("plinth.pipelines.attemptLogged");

/** What a failed attempt logged before it threw. */
export interface AttemptLogged {
  readonly metrics: readonly LoggedMetric[];
  readonly logs: readonly string[];
}

/**
 * Attaches what an attempt logged to the error it failed with, so the runner records a
 * failed step's log lines too: they are usually what explains the failure.
 */
export function withAttemptLogged(error: unknown, logged: AttemptLogged): unknown {
  if (typeof error === "object" && error !== null && Object.isExtensible(error)) {
    Object.defineProperty(error, LOGGED, { value: logged, configurable: true });
  }
  return error;
}

/** The metrics and lines attached by {@link withAttemptLogged}, or nothing. */
export function attemptLoggedOf(error: unknown): AttemptLogged {
  const logged =
    typeof error === "object" && error !== null
      ? (error as { [LOGGED]?: AttemptLogged })[LOGGED]
      : undefined;
  return logged ?? { metrics: [], logs: [] };
}
