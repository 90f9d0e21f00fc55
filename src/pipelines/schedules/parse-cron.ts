import { Cron } from "croner";
import { PlinthError } from "../../core/errors.ts";

/**
 * A paused croner job for a schedule's expression, checked: it parses, its zone exists,
 * and it fires at least once more.
 *
 * @example
 * parseCron("0 9 * * 1-5", "Europe/Stockholm").nextRun(); // the next weekday 09:00 there
 */
export function parseCron(cron: string, timezone: string | null | undefined): Cron {
  if (typeof cron !== "string" || cron.trim() === "" || cron.length > 200) {
    throw invalid("cron", "a cron expression of five or six fields is required, e.g. '0 3 * * *'");
  }
  let job: Cron;
  try {
    job = new Cron(cron, { paused: true, ...(timezone ? { timezone } : {}) });
  } catch (cause) {
    throw invalid("cron", `'${cron}' is not a cron expression: ${(cause as Error).message}`, cause);
  }
  let next: Date | null;
  try {
    next = job.nextRun();
  } catch (cause) {
    throw invalid(
      "timezone",
      `'${timezone}' is not an IANA time zone such as 'Europe/Berlin'`,
      cause,
    );
  }
  if (next === null) throw invalid("cron", `'${cron}' never fires again`);
  return job;
}

function invalid(field: string, message: string, cause?: unknown): PlinthError {
  return new PlinthError("PIPELINES_INVALID_SCHEDULE", `Schedule ${message}`, { field, cause });
}
