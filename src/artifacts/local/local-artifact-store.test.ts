import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { runArtifactStoreContract } from "../artifact-store.contract.ts";
import { createLocalArtifactStore } from "./local-artifact-store.ts";

async function makeTempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "plinth-artifacts-"));
}

runArtifactStoreContract("local", async () => {
  const dir = await makeTempDir();
  // A root that does not exist yet: the store must create it on the first write.
  const store = createLocalArtifactStore({ root: join(dir, "root") });
  return { store, cleanup: () => rm(dir, { recursive: true, force: true }) };
});

/** Every file and directory name under `dir`, at any depth. */
async function namesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir, { recursive: true })).map(String);
}

const invalidPath = (error: unknown) => isPlinthError(error, "ARTIFACTS_INVALID_PATH");

describe("local artifact store", () => {
  test("its config is frozen and its location is the absolute root", async () => {
    const config = { root: "relative/dir" };
    const store = createLocalArtifactStore(config);
    assert.equal(store.location, join(process.cwd(), "relative/dir"));
    assert.throws(() => createLocalArtifactStore({ root: "" }), isPlinthError);
  });

  test("a failed put leaves no temporary file on disk", async () => {
    const dir = await makeTempDir();
    try {
      const store = createLocalArtifactStore({ root: dir });
      await store.put("a/kept.txt", "kept");
      const failing = Readable.from(
        (async function* failingBody() {
          yield Buffer.alloc(256 * 1024, 7);
          throw new Error("disconnected");
        })(),
      );
      await assert.rejects(store.put("a/kept.txt", failing), /disconnected/);
      await assert.rejects(store.put("a/new.txt", failing), /disconnected/);
      assert.deepEqual((await namesUnder(dir)).sort(), ["a", join("a", "kept.txt")]);
      assert.equal(await readFile(join(dir, "a", "kept.txt"), "utf8"), "kept");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("symbolic links that lead outside the root are refused", async () => {
    const dir = await makeTempDir();
    try {
      const root = join(dir, "root");
      const outside = join(dir, "outside");
      await mkdir(root);
      await mkdir(outside);
      await writeFile(join(outside, "secret.txt"), "secret");
      await symlink(outside, join(root, "escape"));
      await symlink(join(outside, "secret.txt"), join(root, "secret-link"));
      await mkdir(join(root, "inside"));
      await writeFile(join(root, "inside", "ok.txt"), "ok");
      await symlink(join(root, "inside"), join(root, "alias"));
      const store = createLocalArtifactStore({ root });

      await assert.rejects(store.get("escape/secret.txt"), invalidPath);
      await assert.rejects(store.get("secret-link"), invalidPath);
      await assert.rejects(store.stat("escape/secret.txt"), invalidPath);
      await assert.rejects(store.list("escape"), invalidPath);
      await assert.rejects(store.put("escape/planted.txt", "evil"), invalidPath);
      await assert.rejects(store.put("escape/new/dir/planted.txt", "evil"), invalidPath);
      await assert.rejects(store.delete("escape/secret.txt"), invalidPath);
      await assert.rejects(store.move("escape/secret.txt", "stolen.txt"), invalidPath);
      await assert.rejects(store.move("inside/ok.txt", "escape/moved.txt"), invalidPath);
      assert.deepEqual(await readdir(outside), ["secret.txt"]);

      // Links that stay inside the root work; those that leave it are not listed.
      assert.equal(await readFile(join(root, "inside", "ok.txt"), "utf8"), "ok");
      assert.deepEqual(await store.stat("alias/ok.txt"), { size: 2, isDir: false });
      assert.deepEqual(await store.list(""), [
        { path: "alias", isDir: true },
        { path: "inside", isDir: true },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("a key that clashes with a file or a directory is ARTIFACTS_INVALID_PATH", async () => {
    const dir = await makeTempDir();
    try {
      const store = createLocalArtifactStore({ root: dir });
      await store.put("file", "f");
      await store.put("dir/child", "c");
      await assert.rejects(store.put("file/below", "x"), invalidPath);
      await assert.rejects(store.put("dir", "x"), invalidPath);
      await assert.rejects(store.move("file", "dir"), invalidPath);
      await assert.rejects(store.move("dir/child", "file/below"), invalidPath);
      await store.move("dir", "renamed/dir");
      assert.deepEqual(await store.list("renamed/dir"), [{ path: "child", isDir: false, size: 1 }]);
      assert.deepEqual(
        (await namesUnder(dir)).filter((n) => n.includes(".plinth-tmp-")),
        [],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("a 1 GiB body streams through put and get in bounded memory", {
    timeout: 120_000,
  }, async (t) => {
    const dir = await makeTempDir();
    const MiB = 1024 * 1024;
    const chunks = 1024;
    // One pattern, read at a different offset for each chunk, so chunks differ from each
    // other and a store that dropped, repeated or reordered one would change the hash.
    const pattern = Buffer.alloc(MiB + 256);
    for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 31 + (i >> 8)) & 0xff;
    const written = createHash("sha256");
    const body = Readable.from(
      (function* oneGibibyte() {
        for (let i = 0; i < chunks; i++) {
          // A fresh buffer per chunk: a store that held on to chunks would grow by 1 GiB.
          const chunk = Buffer.allocUnsafe(MiB);
          pattern.copy(chunk, 0, i % 256, (i % 256) + MiB);
          written.update(chunk);
          yield chunk;
        }
      })(),
      { objectMode: false },
    );

    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 20);
    try {
      const store = createLocalArtifactStore({ root: dir });
      assert.deepEqual(await store.put("big/blob.bin", body), { size: chunks * MiB });
      const read = createHash("sha256");
      for await (const chunk of await store.get("big/blob.bin")) read.update(chunk as Buffer);
      peak = Math.max(peak, process.memoryUsage.rss());
      assert.equal(read.digest("hex"), written.digest("hex"));
      const growth = peak - baseline;
      t.diagnostic(`peak rss growth: ${Math.round(growth / MiB)} MiB`);
      assert.ok(growth < 256 * MiB, `rss grew by ${Math.round(growth / MiB)} MiB`);
    } finally {
      clearInterval(sampler);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
