import { PlinthError } from "../../core/errors.ts";

/** Hands out at most `limit` slots at once, first come first served. */
export interface ConcurrencyLimiter {
  /**
   * Waits for a slot and resolves to its release function.
   *
   * @throws PlinthError `PIPELINES_CANCELLED` when `signal` aborts while waiting.
   */
  acquire(signal: AbortSignal): Promise<() => void>;
}

/**
 * A FIFO semaphore: waiters are served in the order they asked, so steps start in the
 * order they became ready.
 *
 * @example
 * const release = await limiter.acquire(signal);
 * try { await work(); } finally { release(); }
 */
export function createConcurrencyLimiter(limit: number): ConcurrencyLimiter {
  let active = 0;
  const waiting: Array<() => void> = [];

  function release(): void {
    active -= 1;
    const next = waiting.shift();
    if (next !== undefined) next();
  }

  return {
    acquire(signal) {
      return new Promise((resolve, reject) => {
        if (signal.aborted) return reject(cancelled());
        const grant = () => {
          signal.removeEventListener("abort", onAbort);
          active += 1;
          let released = false;
          resolve(() => {
            if (!released) {
              released = true;
              release();
            }
          });
        };
        const onAbort = () => {
          const i = waiting.indexOf(grant);
          if (i >= 0) waiting.splice(i, 1);
          reject(cancelled());
        };
        if (active < limit) return grant();
        waiting.push(grant);
        signal.addEventListener("abort", onAbort, { once: true });
      });
    },
  };
}

/** The error a cancelled run's unfinished work rejects with. */
export function cancelled(): PlinthError {
  return new PlinthError("PIPELINES_CANCELLED", "The pipeline run was cancelled");
}
