import { createRequire } from "node:module";
import type { ChainableCommander, Redis } from "ioredis";
import { PlinthError } from "../../../core/errors.ts";
import type { OnlineStore, OnlineValue, StoredRecord } from "../online-store.ts";

/** Where the shared online store lives. */
export interface RedisOnlineStoreConfig {
  /** `redis://[user:password@]host:port[/db]`. */
  readonly url: string;
  /** Prepended to every key, so several installations (or tests) can share one server. */
  readonly keyPrefix: string;
}

// Compares each stored event and created time with the new ones inside Redis, so no other
// client can write between the check and the write, and replaces the record when newer.
// One call writes many records (KEYS[i]; ARGV: event, created, expiry or '', values per
// record): per-command overhead dominated otherwise. Times are epoch microseconds, exact in
// Lua's doubles up to 2^53.
const WRITE_SCRIPT = `
local written = 0
for i, key in ipairs(KEYS) do
  local a = (i - 1) * 4
  local ne, nc, exp = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), ARGV[a + 3]
  local cur = redis.call('HMGET', key, ':e', ':c')
  if not cur[1] or ne > tonumber(cur[1]) or (ne == tonumber(cur[1]) and nc >= tonumber(cur[2])) then
    redis.call('HSET', key, ':e', ARGV[a + 1], ':c', ARGV[a + 2], ':v', ARGV[a + 4])
    if exp ~= '' then redis.call('PEXPIREAT', key, exp) else redis.call('PERSIST', key) end
    written = written + 1
  end
end
return written`;

/** Records per script call: large enough to amortise the call, small enough to keep Redis responsive. */
const RECORDS_PER_CALL = 100;

type WriteRecords = (keyCount: number, ...keysThenArgs: (string | number)[]) => unknown;
type Scripted<T> = T & { plinthWriteRecords: WriteRecords };

/**
 * The shared online store: one Redis hash per entity per view (`<prefix><view>:<entity
 * key>`) with fields `:e` and `:c` for the event and created times and `:v`, the values as
 * one JSON object (one parse per record on read, four arguments per record on write).
 * Writes are a Lua script (compare, then replace) over up to 100 records a call, so the keys
 * of one call must live on one server (no Redis Cluster). A read of any number of entities
 * and views is one pipeline, one round trip. Ttl'd records get PEXPIREAT, so Redis drops
 * them itself.
 *
 * @example
 * const online = createRedisOnlineStore({ url: "redis://127.0.0.1:6379", keyPrefix: "plinth:" });
 */
export function createRedisOnlineStore(config: RedisOnlineStoreConfig): OnlineStore {
  const { url, keyPrefix } = Object.freeze({ ...config });
  let redis: Scripted<Redis>;
  try {
    redis = new (loadIoredis())(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
    }) as Scripted<Redis>;
  } catch (cause) {
    throw unavailable(`Cannot use the Redis online store URL`, cause);
  }
  // Without a listener ioredis prints every connection error; the failing call reports it instead.
  redis.on("error", () => {});
  // numberOfKeys is given per call, as the first argument.
  redis.defineCommand("plinthWriteRecords", { lua: WRITE_SCRIPT });
  const location = `${redactedUrl(url)}#${keyPrefix}`;
  const keyOf = (view: string, entityKey: string): string => `${keyPrefix}${view}:${entityKey}`;
  const run = async (what: string, pipeline: ChainableCommander): Promise<unknown[]> => {
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (cause) {
      throw unavailable(`${what} the Redis online store ${location} failed`, cause);
    }
    return (results ?? []).map(([error, value]) => {
      if (error !== null)
        throw unavailable(`${what} the Redis online store ${location} failed`, error);
      return value;
    });
  };

  return {
    location,
    async write(view, records) {
      if (records.length === 0) return 0;
      const pipeline = redis.pipeline() as Scripted<ChainableCommander>;
      for (let start = 0; start < records.length; start += RECORDS_PER_CALL) {
        const chunk = records.slice(start, start + RECORDS_PER_CALL);
        const args: (string | number)[] = chunk.map((r) => keyOf(view, r.entityKey));
        for (const r of chunk) {
          args.push(
            r.eventMicros,
            r.createdMicros,
            r.expiresAtMs === null ? "" : r.expiresAtMs,
            JSON.stringify(r.values),
          );
        }
        pipeline.plinthWriteRecords(chunk.length, ...args);
      }
      let written = 0;
      for (const result of await run("Writing to", pipeline)) written += Number(result);
      return written;
    },
    async read(requests) {
      const pipeline = redis.pipeline();
      for (const { view, entityKeys } of requests) {
        for (const key of entityKeys) pipeline.hgetall(keyOf(view, key));
      }
      const hashes = (await run("Reading from", pipeline)) as Record<string, string>[];
      let at = 0;
      return requests.map(({ entityKeys }) =>
        entityKeys.map(() => toRecord(hashes[at++] as Record<string, string>)),
      );
    },
    async delete(view, entityKeys) {
      if (entityKeys.length === 0) return 0;
      const pipeline = redis.pipeline();
      for (const key of entityKeys) pipeline.del(keyOf(view, key));
      let deleted = 0;
      for (const result of await run("Deleting from", pipeline)) deleted += Number(result);
      return deleted;
    },
    async dropView(view) {
      const pattern = `${escapeGlob(keyOf(view, ""))}*`;
      let deleted = 0;
      let cursor = "0";
      try {
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 1000);
          cursor = next;
          if (keys.length > 0) deleted += await redis.unlink(...keys);
        } while (cursor !== "0");
      } catch (cause) {
        throw unavailable(`Deleting from the Redis online store ${location} failed`, cause);
      }
      return deleted;
    },
    async purgeExpired() {
      return 0;
    },
    async close() {
      if (redis.status === "ready") await redis.quit();
      else redis.disconnect();
    },
  };
}

function toRecord(hash: Record<string, string>): StoredRecord | undefined {
  const event = hash[":e"];
  const values = hash[":v"];
  if (event === undefined || values === undefined) return undefined;
  return {
    eventMicros: Number(event),
    createdMicros: Number(hash[":c"]),
    values: JSON.parse(values) as Record<string, OnlineValue>,
  };
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}

/** The URL without its password, for messages and watermark keys. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "redis://(invalid url)";
  }
}

function unavailable(message: string, cause: unknown): PlinthError {
  return new PlinthError(
    "FEATURES_ONLINE_STORE_UNAVAILABLE",
    `${message}: ${(cause as Error)?.message ?? String(cause)}`,
    { field: "online", cause },
  );
}

/**
 * ioredis, required when a Redis store is made rather than when this module loads: embedded
 * installations never load it, and a user module that tsx imports in its own namespace (see
 * importUserModule) can load plinth again without re-wrapping ioredis, which tsx cannot do
 * twice in one process ("Cannot redefine property: default").
 */
function loadIoredis(): typeof Redis {
  return (createRequire(import.meta.url)("ioredis") as { Redis: typeof Redis }).Redis;
}
