import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Cron } from "croner";
import { parseCron } from "./parse-cron.ts";
import type { PipelineSchedule, ScheduleStore } from "./schedule-store.ts";

/** A running scheduler. */
export interface PipelineScheduler {
  /** The name it claims ticks under. */
  readonly claimant: string;
  /** Stops firing; resolves once a tick being fired has been handed over. */
  stop(): Promise<void>;
}

interface Tracked {
  readonly key: string;
  readonly job: Cron;
  nextFire: number;
}

/**
 * Fires the stored schedules: it re-reads them every `pollMs` (so schedules added or
 * removed by the CLI take effect without a restart), and for each tick that comes due it
 * claims the tick in the store and, if the claim is its own, calls `fire`. Any number of
 * servers may run one over the same store: each tick fires once. A tick that came due
 * while no scheduler ran is skipped, as is every tick but the latest when a scheduler
 * falls behind; it never fires a backlog.
 *
 * @example
 * const scheduler = createPipelineScheduler({ schedules, fire: (s) => service.trigger(...) });
 * await scheduler.stop();
 */
export function createPipelineScheduler(options: {
  schedules: ScheduleStore;
  /** Starts the run of one tick and resolves to its run id. */
  fire(schedule: PipelineSchedule, fireTime: number): Promise<string>;
  /** How often schedules are re-read, in ms (default 1000). */
  pollMs?: number;
  /** Told about a failed poll or fire; the scheduler carries on. */
  onError?(error: unknown, schedule?: PipelineSchedule): void;
  claimant?: string;
}): PipelineScheduler {
  const claimant = options.claimant ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const pollMs = options.pollMs ?? 1000;
  const tracked = new Map<string, Tracked>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> = Promise.resolve();

  async function tick(): Promise<void> {
    const now = Date.now();
    const schedules = await options.schedules.list();
    const seen = new Set<string>();
    const due: Array<[PipelineSchedule, number]> = [];
    for (const s of schedules) {
      seen.add(s.scheduleId);
      const key = `${s.cron}\u0000${s.timezone ?? ""}`;
      let t = tracked.get(s.scheduleId);
      if (t === undefined || t.key !== key) {
        let job: Cron;
        try {
          job = parseCron(s.cron, s.timezone);
        } catch (error) {
          options.onError?.(error, s);
          continue;
        }
        t = { key, job, nextFire: job.nextRun(new Date(now))?.getTime() ?? Infinity };
        tracked.set(s.scheduleId, t);
        continue;
      }
      if (t.nextFire > now) continue;
      let latest = t.nextFire;
      for (;;) {
        const next = t.job.nextRun(new Date(latest))?.getTime() ?? Infinity;
        if (next > now) {
          t.nextFire = next;
          break;
        }
        latest = next;
      }
      due.push([s, latest]);
    }
    for (const id of tracked.keys()) if (!seen.has(id)) tracked.delete(id);
    for (const [s, fireTime] of due) {
      try {
        if (!(await options.schedules.claim(s.scheduleId, fireTime, claimant))) continue;
        const outcome = await options.fire(s, fireTime).then(
          (runId) => ({ runId }),
          (error: unknown) => {
            options.onError?.(error, s);
            return { error: error instanceof Error ? error.message : String(error) };
          },
        );
        await options.schedules.recordFire(s.scheduleId, fireTime, outcome);
      } catch (error) {
        options.onError?.(error, s);
      }
    }
  }

  /** Sleeps until the next poll or the next tick due, whichever is sooner. */
  function schedule(): void {
    if (stopped) return;
    const soonest = Math.min(...[...tracked.values()].map((t) => t.nextFire));
    const wait = Math.max(5, Math.min(pollMs, soonest - Date.now() + 1));
    timer = setTimeout(() => {
      ticking = tick()
        .catch((error: unknown) => options.onError?.(error))
        .finally(schedule);
    }, wait);
  }

  ticking = tick()
    .catch((error: unknown) => options.onError?.(error))
    .finally(schedule);
  return {
    claimant,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await ticking;
    },
  };
}
