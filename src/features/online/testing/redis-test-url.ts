import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

/**
 * The Redis tests use: PLINTH_TEST_REDIS_URL, or the local server. Set it to "" to skip
 * them on a machine without Redis; an unreachable server fails the tests instead.
 */
export const TEST_REDIS_URL = process.env.PLINTH_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key prefix no other test (or engineer sharing the server) uses. */
export function uniqueKeyPrefix(): string {
  return `plinth-test:${process.pid}:${randomBytes(6).toString("hex")}:`;
}

/** Deletes every key under `prefix` (never FLUSHDB: the server is shared). */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    let deleted = 0;
    let cursor = "0";
    const pattern = `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`;
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== "0");
    return deleted;
  } finally {
    redis.disconnect();
  }
}
