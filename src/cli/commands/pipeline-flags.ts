import { QUEUE_NAME } from "../../core/config.ts";
import { invalidArgument } from "../../core/errors.ts";
import type { ExecutorConfig } from "../../pipelines/executors/executor-config.ts";
import type { OptionValues } from "../command.ts";

/** `--param k=v`, repeated; values stay strings and are parsed to the declared types. */
export function parseParamFlags(flags: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const flag of flags ?? []) {
    const eq = flag.indexOf("=");
    if (eq <= 0) throw invalidArgument("param", `expected KEY=VALUE, got '${flag}'`);
    out[flag.slice(0, eq)] = flag.slice(eq + 1);
  }
  return out;
}

/** An integer flag within bounds, or `fallback` when absent. */
export function integerFlag(
  value: unknown,
  flag: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw invalidArgument(flag, `must be an integer from ${min} to ${max}, got '${String(value)}'`);
  }
  return n;
}

/** `--redis URL` or PLINTH_REDIS_URL or the local Redis. */
export function redisFlag(values: OptionValues): string {
  const url =
    typeof values.redis === "string"
      ? values.redis
      : process.env.PLINTH_REDIS_URL || "redis://127.0.0.1:6379";
  if (!/^rediss?:\/\/\S+$/.test(url)) {
    throw invalidArgument("redis", `expected redis://host:port[/db], got '${url}'`);
  }
  return url;
}

/** `--queue NAME` checked as a BullMQ queue name, or undefined. */
export function queueFlag(values: OptionValues): string | undefined {
  if (values.queue === undefined) return undefined;
  const queue = String(values.queue);
  if (!QUEUE_NAME.test(queue)) {
    throw invalidArgument(
      "queue",
      `must be 1-100 letters, digits, '_', '.' or '-', got '${queue}'`,
    );
  }
  return queue;
}

/**
 * The executor a run started from the command line uses: `--queue` (with `--redis`) picks
 * the queue, else the configured one; `--concurrency` overrides its concurrency.
 */
export function executorFlags(values: OptionValues, configured: ExecutorConfig): ExecutorConfig {
  const queue = queueFlag(values);
  const base: ExecutorConfig =
    queue !== undefined ? { type: "queue", redisUrl: redisFlag(values), queue } : configured;
  if (values.concurrency === undefined) return base;
  return { ...base, concurrency: integerFlag(values.concurrency, "concurrency", 4, 1, 10_000) };
}
