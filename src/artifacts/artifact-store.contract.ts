import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, test } from "node:test";
import { isPlinthError } from "../core/errors.ts";
import type { ArtifactStore } from "./artifact-store.ts";
import { createContentAddressedStore } from "./content-addressed-store.ts";

/** A fresh, empty store for one test, and how to dispose of it afterwards. */
export interface ArtifactStoreFixture {
  /** The store under test. */
  store: ArtifactStore;
  /** Removes everything the store wrote. */
  cleanup(): Promise<void>;
}

/** Keys that every backend must refuse before writing anything. */
export const HOSTILE_KEYS: readonly string[] = [
  "",
  "../x",
  "..",
  ".",
  "./a",
  "a/.",
  "/etc/passwd",
  "a/../../b",
  "a\\b",
  "..\\x",
  "a\u0000b",
  "a\u001fb",
  "a//b",
  "a/",
  "a/%2e%2e/b",
  "a/.plinth-tmp-x",
  "a\ud800b",
  "k".repeat(1025),
  `a/${"s".repeat(256)}`,
];

/**
 * The behaviour every {@link ArtifactStore} backend must show. A backend's test file calls
 * this with a factory for empty stores; the backend is done when the suite passes.
 *
 * @example
 * runArtifactStoreContract("local", async () => {
 *   const root = await mkdtemp(join(tmpdir(), "plinth-"));
 *   return { store: createLocalArtifactStore({ root }), cleanup: () => rm(root, { recursive: true }) };
 * });
 */
export function runArtifactStoreContract(
  name: string,
  makeStore: () => Promise<ArtifactStoreFixture>,
): void {
  describe(`ArtifactStore contract: ${name}`, () => {
    let fixture: ArtifactStoreFixture | undefined;
    let store: ArtifactStore;
    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    describe("put and get", () => {
      test("round-trips bytes, strings, streams and empty bodies", async () => {
        const bytes = Uint8Array.from([0, 1, 2, 255, 254]);
        assert.deepEqual(await store.put("b.bin", bytes), { size: 5 });
        assert.deepEqual(await read(store, "b.bin"), Buffer.from(bytes));

        assert.deepEqual(await store.put("s.txt", "héllo ✓"), { size: 10 });
        assert.equal((await read(store, "s.txt")).toString("utf8"), "héllo ✓");

        const chunks = [Buffer.from("one,"), Buffer.from("two,"), Buffer.from("three")];
        assert.deepEqual(await store.put("nested/deep/stream.txt", Readable.from(chunks)), {
          size: 13,
        });
        assert.equal((await read(store, "nested/deep/stream.txt")).toString(), "one,two,three");

        assert.deepEqual(await store.put("empty", ""), { size: 0 });
        assert.equal((await read(store, "empty")).length, 0);
      });

      test("a put replaces the previous value whole, shorter or longer", async () => {
        await store.put("k", "a much longer first value");
        await store.put("k", "short");
        assert.equal((await read(store, "k")).toString(), "short");
        await store.put("k", Readable.from([Buffer.from("streamed "), Buffer.from("again")]));
        assert.equal((await read(store, "k")).toString(), "streamed again");
      });

      test("get reads a byte range, both ends inclusive", async () => {
        await store.put("r", "0123456789");
        assert.equal((await read(store, "r", { start: 2, end: 5 })).toString(), "2345");
        assert.equal((await read(store, "r", { start: 7 })).toString(), "789");
        assert.equal((await read(store, "r", { end: 0 })).toString(), "0");
        await assert.rejects(store.get("r", { start: -1 }), isPlinthError);
        await assert.rejects(store.get("r", { start: 5, end: 4 }), isPlinthError);
      });

      test("get of a missing key or a directory is ARTIFACTS_NOT_FOUND", async () => {
        await store.put("dir/file", "x");
        for (const key of ["missing", "dir", "dir/missing", "dir/file/below"]) {
          await assert.rejects(store.get(key), hasCode("ARTIFACTS_NOT_FOUND"), key);
        }
      });

      test("an unfinished put is invisible until it completes", async () => {
        let release!: () => void;
        const released = new Promise<void>((done) => {
          release = done;
        });
        const body = Readable.from(
          (async function* slowBody() {
            yield Buffer.from("first half ");
            await released;
            yield Buffer.from("second half");
          })(),
        );
        const putting = store.put("slow/key", body);
        await new Promise((done) => setTimeout(done, 20));
        assert.equal(await store.stat("slow/key"), undefined);
        assert.deepEqual(await store.list("slow"), []);
        release();
        assert.deepEqual(await putting, { size: 22 });
        assert.deepEqual(await store.list("slow"), [{ path: "key", isDir: false, size: 22 }]);
      });

      test("a body stream that errors halfway leaves the key as before and nothing else", async () => {
        await store.put("dir/kept", "old value");
        for (const key of ["dir/kept", "dir/new"]) {
          const failing = Readable.from(
            (async function* failingBody() {
              yield Buffer.alloc(64 * 1024, 1);
              yield Buffer.alloc(64 * 1024, 2);
              throw new Error("client went away");
            })(),
          );
          await assert.rejects(store.put(key, failing), /client went away/);
        }
        assert.equal((await read(store, "dir/kept")).toString(), "old value");
        assert.equal(await store.stat("dir/new"), undefined);
        assert.deepEqual(await store.list("dir"), [{ path: "kept", isDir: false, size: 9 }]);
      });

      test("concurrent puts to one key leave exactly one body, whole", async () => {
        const writers = 8;
        const chunk = 16 * 1024;
        const chunks = 16;
        const puts = Array.from({ length: writers }, (_, writer) =>
          store.put(
            "contended",
            Readable.from(
              (async function* interleaved() {
                for (let i = 0; i < chunks; i++) {
                  yield Buffer.alloc(chunk, writer + 1);
                  await new Promise((done) => setImmediate(done));
                }
              })(),
            ),
          ),
        );
        await Promise.all(puts);
        const value = await read(store, "contended");
        assert.equal(value.length, chunk * chunks);
        const fill = value[0]!;
        assert.ok(fill >= 1 && fill <= writers);
        assert.ok(
          value.every((b) => b === fill),
          "the value mixes bytes of different puts",
        );
        assert.deepEqual(await store.list(""), [
          { path: "contended", isDir: false, size: chunk * chunks },
        ]);
      });
    });

    describe("stat and list", () => {
      test("stat tells files, directories and missing keys apart", async () => {
        await store.put("a/b/c.txt", "12345");
        assert.deepEqual(await store.stat("a/b/c.txt"), { size: 5, isDir: false });
        assert.deepEqual(await store.stat("a/b"), { size: 0, isDir: true });
        assert.equal(await store.stat("a/missing"), undefined);
        assert.equal(await store.stat("a/b/c.txt/below"), undefined);
      });

      test("list gives direct children by name, sorted, with file sizes", async () => {
        await store.put("run/z.txt", "zz");
        await store.put("run/a.txt", "a");
        await store.put("run/m/inner.txt", "inner");
        await store.put("run/B.txt", "bbb");
        await store.put("other.txt", "o");
        assert.deepEqual(await store.list("run"), [
          { path: "B.txt", isDir: false, size: 3 },
          { path: "a.txt", isDir: false, size: 1 },
          { path: "m", isDir: true },
          { path: "z.txt", isDir: false, size: 2 },
        ]);
        assert.deepEqual(await store.list("run/m"), [{ path: "inner.txt", isDir: false, size: 5 }]);
        assert.deepEqual(await store.list(""), [
          { path: "other.txt", isDir: false, size: 1 },
          { path: "run", isDir: true },
        ]);
      });

      test("list of a missing directory or of a file is empty", async () => {
        assert.deepEqual(await store.list(""), []);
        await store.put("f.txt", "x");
        assert.deepEqual(await store.list("nothing/here"), []);
        assert.deepEqual(await store.list("f.txt"), []);
      });
    });

    describe("delete and move", () => {
      test("delete removes a file, a whole subtree, and ignores missing keys", async () => {
        await store.put("keep.txt", "k");
        await store.put("gone.txt", "g");
        await store.put("tree/a.txt", "a");
        await store.put("tree/sub/b.txt", "b");
        await store.delete("gone.txt");
        await store.delete("tree");
        await store.delete("never/was");
        await store.delete("keep.txt/below");
        assert.equal(await store.stat("gone.txt"), undefined);
        assert.equal(await store.stat("tree/sub/b.txt"), undefined);
        assert.deepEqual(await store.list(""), [{ path: "keep.txt", isDir: false, size: 1 }]);
      });

      test("move renames a file, creating parents and replacing the target", async () => {
        await store.put("from.txt", "payload");
        await store.move("from.txt", "to/nested/file.txt");
        assert.equal(await store.stat("from.txt"), undefined);
        assert.equal((await read(store, "to/nested/file.txt")).toString(), "payload");

        await store.put("second.txt", "replacement");
        await store.move("second.txt", "to/nested/file.txt");
        assert.equal((await read(store, "to/nested/file.txt")).toString(), "replacement");
        assert.deepEqual(await store.list(""), [{ path: "to", isDir: true }]);
      });

      test("move of a missing key is ARTIFACTS_NOT_FOUND and writes nothing", async () => {
        await assert.rejects(store.move("missing", "dest/x"), hasCode("ARTIFACTS_NOT_FOUND"));
        assert.deepEqual(await store.list(""), []);
      });
    });

    describe("hostile keys", () => {
      for (const key of HOSTILE_KEYS) {
        const shown = JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
        test(`${shown} is refused by every method and nothing is written`, async () => {
          await store.put("victim.txt", "v");
          const attempts: Array<[string, () => Promise<unknown>]> = [
            ["put", () => store.put(key, "evil")],
            ["put stream", () => store.put(key, Readable.from([Buffer.from("evil")]))],
            ["get", () => store.get(key)],
            ["stat", () => store.stat(key)],
            ["delete", () => store.delete(key)],
            ["move from", () => store.move(key, "moved.txt")],
            ["move to", () => store.move("victim.txt", key)],
          ];
          if (key !== "") attempts.push(["list", () => store.list(key)]);
          for (const [method, attempt] of attempts) {
            await assert.rejects(attempt(), hasCode("ARTIFACTS_INVALID_PATH"), method);
          }
          assert.deepEqual(await store.list(""), [{ path: "victim.txt", isDir: false, size: 1 }]);
        });
      }

      test("the error message names the key and what is wrong with it", async () => {
        await assert.rejects(store.put("a/../../b", "x"), (error: unknown) => {
          assert.ok(isPlinthError(error, "ARTIFACTS_INVALID_PATH"));
          assert.match(error.message, /"a\/\.\.\/\.\.\/b"/);
          assert.match(error.message, /'\.\.' segment/);
          return true;
        });
      });
    });

    describe("content-addressed store above it", () => {
      test("stores content under its sha256 and reads it back", async () => {
        const content = createContentAddressedStore(store);
        const body = Buffer.from("model weights, say");
        const sha256 = createHash("sha256").update(body).digest("hex");
        const stored = await content.putContent(
          Readable.from([body.subarray(0, 5), body.subarray(5)]),
        );
        assert.deepEqual(stored, {
          sha256,
          size: body.length,
          key: `sha256/${sha256.slice(0, 2)}/${sha256}`,
        });
        assert.equal(content.keyFor(sha256), stored.key);
        assert.ok(await content.hasContent(sha256));
        const back = await readAll(await content.getContent(sha256));
        assert.equal(createHash("sha256").update(back).digest("hex"), sha256);
        assert.deepEqual(back, body);
      });

      test("equal content is stored once, whatever form it arrives in", async () => {
        const content = createContentAddressedStore(store);
        const first = await content.putContent("same bytes");
        const second = await content.putContent(Buffer.from("same bytes"));
        const third = await content.putContent(Readable.from(["same ", "bytes"]));
        assert.deepEqual(second, first);
        assert.deepEqual(third, first);
        assert.deepEqual(await store.list(`sha256/${first.sha256.slice(0, 2)}`), [
          { path: first.sha256, isDir: false, size: 10 },
        ]);
        assert.deepEqual(await store.list("staging"), []);
      });

      test("a failed stream stores nothing", async () => {
        const content = createContentAddressedStore(store);
        const failing = Readable.from(
          (async function* failingBody() {
            yield Buffer.from("partial");
            throw new Error("source failed");
          })(),
        );
        await assert.rejects(content.putContent(failing), /source failed/);
        assert.deepEqual(await store.list("staging"), []);
        assert.deepEqual(await store.list("sha256"), []);
      });

      test("a malformed hash is ARTIFACTS_INVALID_PATH; an unknown one is not found", async () => {
        const content = createContentAddressedStore(store);
        for (const bad of ["", "abc", "A".repeat(64), `${"0".repeat(63)}g`, "../".repeat(22)]) {
          assert.throws(() => content.keyFor(bad), hasCode("ARTIFACTS_INVALID_PATH"), bad);
          await assert.rejects(content.getContent(bad), hasCode("ARTIFACTS_INVALID_PATH"));
          await assert.rejects(content.hasContent(bad), hasCode("ARTIFACTS_INVALID_PATH"));
        }
        const unknown = "0".repeat(64);
        assert.equal(await content.hasContent(unknown), false);
        await assert.rejects(content.getContent(unknown), hasCode("ARTIFACTS_NOT_FOUND"));
      });
    });
  });
}

function hasCode(code: "ARTIFACTS_INVALID_PATH" | "ARTIFACTS_NOT_FOUND") {
  return (error: unknown) => isPlinthError(error, code);
}

async function read(
  store: ArtifactStore,
  key: string,
  range?: { start?: number; end?: number },
): Promise<Buffer> {
  return readAll(await store.get(key, range));
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
