import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { isPlinthError } from "../../../core/errors.ts";
import { runOnlineStoreContract } from "../online-store.contract.ts";
import type { OnlineStore } from "../online-store.ts";
import { createSqliteOnlineStore } from "./create-sqlite-online-store.ts";

runOnlineStoreContract("sqlite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "plinth-online-"));
  // A directory that does not exist yet: the store creates it.
  const path = join(dir, "nested", "online.sqlite");
  const clients: OnlineStore[] = [];
  const open = async () => {
    const store = createSqliteOnlineStore({ path });
    clients.push(store);
    return store;
  };
  return {
    store: await open(),
    openAnother: open,
    async cleanup() {
      for (const c of clients) await c.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe("sqlite online store", () => {
  test("a path that cannot hold a database is FEATURES_ONLINE_STORE_UNAVAILABLE", () => {
    const dir = mkdtempSync(join(tmpdir(), "plinth-online-"));
    try {
      const notADatabase = join(dir, "file.txt");
      writeFileSync(notADatabase, "this is not sqlite ".repeat(100));
      for (const path of [notADatabase, join(notADatabase, "below.sqlite")]) {
        assert.throws(
          () => createSqliteOnlineStore({ path }),
          (e: unknown) =>
            isPlinthError(e, "FEATURES_ONLINE_STORE_UNAVAILABLE") && e.message.includes(path),
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("writer processes racing on one file never move an entity back in time", async () => {
    const dir = mkdtempSync(join(tmpdir(), "plinth-online-"));
    const path = join(dir, "online.sqlite");
    const script = fileURLToPath(new URL("./testing/write-shuffled-versions.ts", import.meta.url));
    try {
      const keys = 30;
      const versions = 20;
      const exits = await Promise.all(
        [1, 2, 3].map(
          (seed) =>
            new Promise<number | null>((resolve, reject) => {
              const child = spawn(
                process.execPath,
                ["--import", "tsx", script, path, String(seed), String(keys), String(versions)],
                { stdio: ["ignore", "ignore", "inherit"] },
              );
              child.on("error", reject);
              child.on("exit", resolve);
            }),
        ),
      );
      assert.deepEqual(exits, [0, 0, 0]);
      const store = createSqliteOnlineStore({ path });
      const entityKeys = Array.from({ length: keys }, (_, k) => String(k));
      const [got] = await store.read([{ view: "v", entityKeys }]);
      await store.close();
      // Every writer wrote the same versions; the newest one (v = 19) must have won everywhere.
      assert.deepEqual(
        got!.map((r) => r?.values.v),
        entityKeys.map(() => versions - 1),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("its location is the absolute path", async () => {
    const store = createSqliteOnlineStore({ path: ":memory:" });
    assert.equal(store.location, "sqlite::memory:");
    await store.close();
  });
});
