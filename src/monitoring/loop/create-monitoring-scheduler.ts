import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { AlertStore } from "../alerts/alert-store.ts";

/** A running monitoring scheduler. */
export interface MonitoringScheduler {
  /** The name it claims ticks under. */
  readonly claimant: string;
  /** Stops; resolves once a pass under way has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `pass` once per tick of `intervalMs` (ticks aligned to multiples of it since the
 * epoch) on whichever server claims the tick first in the alert store — the schedule-claim
 * approach of pipeline schedules — so any number of servers evaluate each tick once. A
 * pass that throws is reported to `onError` and recorded on the tick; the scheduler goes on.
 *
 * @example
 * const scheduler = createMonitoringScheduler({ store, intervalMs: 60_000, pass: (now) => runMonitoringOnce(ctx, { now }) });
 * await scheduler.stop();
 */
export function createMonitoringScheduler(options: {
  readonly store: Pick<AlertStore, "claimTick" | "recordTick">;
  readonly intervalMs: number;
  readonly pass: (now: number) => Promise<unknown>;
  readonly onError?: (error: unknown) => void;
  readonly claimant?: string;
}): MonitoringScheduler {
  const claimant = options.claimant ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const { intervalMs } = options;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let lastTick = Number.NEGATIVE_INFINITY;

  async function tick(): Promise<void> {
    const now = Date.now();
    const tickTime = Math.floor(now / intervalMs) * intervalMs;
    if (tickTime <= lastTick) return;
    lastTick = tickTime;
    if (!(await options.store.claimTick(tickTime, claimant))) return;
    let failure: string | null = null;
    try {
      await options.pass(now);
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
      options.onError?.(error);
    }
    await options.store.recordTick(tickTime, failure);
  }

  function schedule(): void {
    if (stopped) return;
    const now = Date.now();
    const wait = Math.max(5, Math.floor(now / intervalMs) * intervalMs + intervalMs - now + 1);
    timer = setTimeout(() => {
      running = tick()
        .catch((error: unknown) => options.onError?.(error))
        .finally(schedule);
    }, wait);
    timer.unref();
  }

  running = tick()
    .catch((error: unknown) => options.onError?.(error))
    .finally(schedule);
  return {
    claimant,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
