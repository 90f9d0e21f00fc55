import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OnlineStore } from "../online-store.ts";
import { createRedisOnlineStore } from "../redis/create-redis-online-store.ts";
import { createSqliteOnlineStore } from "../sqlite/create-sqlite-online-store.ts";
import { deleteKeysWithPrefix, TEST_REDIS_URL, uniqueKeyPrefix } from "./redis-test-url.ts";

/** A fresh, empty online store of one backend, and how to throw it away. */
export interface TestOnlineBackend {
  readonly name: "sqlite" | "redis";
  open(): Promise<{ store: OnlineStore; cleanup(): Promise<void> }>;
}

/** Every online backend this machine runs: SQLite always, Redis unless PLINTH_TEST_REDIS_URL is "". */
export function onlineBackends(): TestOnlineBackend[] {
  const backends: TestOnlineBackend[] = [
    {
      name: "sqlite",
      async open() {
        const dir = mkdtempSync(join(tmpdir(), "plinth-online-"));
        const store = createSqliteOnlineStore({ path: join(dir, "online.sqlite") });
        return {
          store,
          async cleanup() {
            await store.close();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
  ];
  if (TEST_REDIS_URL !== "") {
    backends.push({
      name: "redis",
      async open() {
        const keyPrefix = uniqueKeyPrefix();
        const store = createRedisOnlineStore({ url: TEST_REDIS_URL, keyPrefix });
        return {
          store,
          async cleanup() {
            await store.close();
            await deleteKeysWithPrefix(TEST_REDIS_URL, keyPrefix);
          },
        };
      },
    });
  }
  return backends;
}
