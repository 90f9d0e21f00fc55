import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isPlinthError } from "../../../core/errors.ts";
import { runOnlineStoreContract } from "../online-store.contract.ts";
import type { OnlineStore } from "../online-store.ts";
import {
  deleteKeysWithPrefix,
  TEST_REDIS_URL,
  uniqueKeyPrefix,
} from "../testing/redis-test-url.ts";
import { createRedisOnlineStore } from "./create-redis-online-store.ts";

const enabled = TEST_REDIS_URL !== "";

if (enabled) {
  runOnlineStoreContract("redis", async () => {
    const keyPrefix = uniqueKeyPrefix();
    const clients: OnlineStore[] = [];
    const open = async () => {
      const store = createRedisOnlineStore({ url: TEST_REDIS_URL, keyPrefix });
      clients.push(store);
      return store;
    };
    return {
      store: await open(),
      openAnother: open,
      async cleanup() {
        for (const c of clients) await c.close();
        await deleteKeysWithPrefix(TEST_REDIS_URL, keyPrefix);
      },
    };
  });
}

describe("redis online store", { skip: !enabled }, () => {
  test("its location names the server and prefix but not the password", () => {
    const store = createRedisOnlineStore({
      url: "redis://user:secret@127.0.0.1:6379/2",
      keyPrefix: "team-a:",
    });
    assert.equal(store.location, "redis://user@127.0.0.1:6379/2#team-a:");
    return store.close();
  });

  test("an unreachable server is FEATURES_ONLINE_STORE_UNAVAILABLE, not a hang", async () => {
    // Port 1 on localhost refuses connections at once.
    const store = createRedisOnlineStore({ url: "redis://127.0.0.1:1", keyPrefix: "x:" });
    try {
      await assert.rejects(store.read([{ view: "v", entityKeys: ["1"] }]), (e: unknown) => {
        assert.ok(isPlinthError(e, "FEATURES_ONLINE_STORE_UNAVAILABLE"), String(e));
        assert.match(e.message, /redis:\/\/127\.0\.0\.1:1/);
        return true;
      });
    } finally {
      await store.close();
    }
  });
});
