import { invalidArgument } from "../../../core/errors.ts";

/**
 * BullMQ connection options for a Redis URL. `blocking` connections (workers, event
 * readers) retry commands forever while Redis is away, as BullMQ requires; a producer fails
 * its commands after a few retries so a run reports an unreachable Redis instead of hanging.
 */
export function redisOptions(
  redisUrl: string,
  blocking: boolean,
): { url: string; maxRetriesPerRequest: number | null; connectTimeout: number } {
  if (!/^rediss?:\/\/[^\s]+$/.test(redisUrl)) {
    throw invalidArgument("redisUrl", `expected redis://host:port[/db], got '${redisUrl}'`);
  }
  return { url: redisUrl, maxRetriesPerRequest: blocking ? null : 3, connectTimeout: 5000 };
}
