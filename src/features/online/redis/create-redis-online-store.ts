import { type ChainableCommander, Redis } from "ioredis";
import { PlinthError } from "../../../core/errors.ts";
import type { OnlineStore, OnlineValue, StoredRecord } from "../online-store.ts";

/** Where the shared online store lives. */
export interface RedisOnlineStoreConfig {
  /** `redis://[user:password@]host:port[/db]`. */
  readonly url: string;
  /** Prepended to every key, so several installations (or tests) can share one server. */
  readonly keyPrefix: string;
}

// Compares the stored event and created times with the new ones inside Redis, so no other
// client can write between the check and the write; replaces the whole hash when newer.
// Times are epoch microseconds, exact in Lua's doubles up to 2^53.
const WRITE_SCRIPT = `
local cur = redis.call('HMGET', KEYS[1], ':e', ':c')
if cur[1] then
  local e, ne = tonumber(cur[1]), tonumber(ARGV[1])
  if ne < e or (ne == e and tonumber(ARGV[2]) < tonumber(cur[2])) then return 0 end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], ':e', ARGV[1], ':c', ARGV[2], unpack(ARGV, 4))
if ARGV[3] ~= '' then redis.call('PEXPIREAT', KEYS[1], ARGV[3]) end
return 1`;

type WriteRecord = (key: string, ...args: (string | number)[]) => unknown;
type Scripted<T> = T & { plinthWriteRecord: WriteRecord };

/**
 * The shared online store: one Redis hash per entity per view (`<prefix><view>:<entity
 * key>`), fields `:e` and `:c` for the event and created times and one field per feature
 * holding its JSON-encoded value. Writes are a Lua script (compare, then replace); a read
 * of any number of entities and views is one pipeline, one round trip. Ttl'd records get
 * PEXPIREAT, so Redis drops them itself.
 *
 * @example
 * const online = createRedisOnlineStore({ url: "redis://127.0.0.1:6379", keyPrefix: "plinth:" });
 */
export function createRedisOnlineStore(config: RedisOnlineStoreConfig): OnlineStore {
  const { url, keyPrefix } = Object.freeze({ ...config });
  let redis: Scripted<Redis>;
  try {
    redis = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
    }) as Scripted<Redis>;
  } catch (cause) {
    throw unavailable(`Cannot use the Redis online store URL`, cause);
  }
  // Without a listener ioredis prints every connection error; the failing call reports it instead.
  redis.on("error", () => {});
  redis.defineCommand("plinthWriteRecord", { numberOfKeys: 1, lua: WRITE_SCRIPT });
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
      for (const r of records) {
        const args: (string | number)[] = [
          r.eventMicros,
          r.createdMicros,
          r.expiresAtMs === null ? "" : r.expiresAtMs,
        ];
        for (const name in r.values) args.push(name, JSON.stringify(r.values[name]));
        pipeline.plinthWriteRecord(keyOf(view, r.entityKey), ...args);
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
  if (event === undefined) return undefined;
  const values: Record<string, OnlineValue> = {};
  for (const name in hash) {
    if (name.charCodeAt(0) !== 58 /* ":" */) values[name] = JSON.parse(hash[name]!) as OnlineValue;
  }
  return { eventMicros: Number(event), createdMicros: Number(hash[":c"]), values };
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
