import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createContentAddressedStore } from "../../artifacts/content-addressed-store.ts";
import { createLocalArtifactStore } from "../../artifacts/local/local-artifact-store.ts";
import { hashJson } from "../../core/hash.ts";
import { rejectsWithCode } from "../../core/testing/rejects-with-code.ts";
import { pathOutput } from "../definition/path-value.ts";
import { createOutputStore, INLINE_MAX_BYTES } from "./output-store.ts";

const dir = mkdtempSync(join(tmpdir(), "plinth-output-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const outputs = createOutputStore(
  createContentAddressedStore(createLocalArtifactStore({ root: join(dir, "artifacts") })),
);
const scratch = async () => mkdtempSync(join(dir, "scratch-"));

test("equal JSON values hash equally whatever their key order, and read back equal", async () => {
  const a = await outputs.put({ b: [1, { d: null, c: "x" }], a: true }, "f");
  const b = await outputs.put({ a: true, b: [1, { c: "x", d: null }] }, "f");
  assert.equal(a.sha256, b.sha256);
  assert.equal(a.encoding, "json");
  assert.deepEqual(await outputs.get(a, scratch), { a: true, b: [1, { c: "x", d: null }] });
  const bytes = await outputs.put(new Uint8Array([0, 255]), "f");
  assert.equal(bytes.encoding, "bytes");
  assert.deepEqual(await outputs.get(bytes, scratch), new Uint8Array([0, 255]));
  const list = await outputs.putList([a, bytes]);
  assert.deepEqual(await outputs.items(list, "f"), [a, bytes]);
  assert.ok(await outputs.has(list));
});

test("small JSON stays inline with the same address; larger JSON goes to the artifact store", async () => {
  const content = createContentAddressedStore(
    createLocalArtifactStore({ root: join(dir, "artifacts") }),
  );
  const small = await outputs.put({ auc: 0.9 }, "f");
  assert.deepEqual(small.inline, { auc: 0.9 });
  assert.equal(small.sha256, hashJson({ auc: 0.9 }));
  assert.equal(await content.hasContent(small.sha256), false);
  const large = { rows: "x".repeat(INLINE_MAX_BYTES) };
  const big = await outputs.put(large, "f");
  assert.equal(big.inline, undefined);
  assert.equal(big.sha256, hashJson(large));
  assert.equal(await content.hasContent(big.sha256), true);
  assert.deepEqual(await outputs.get(big, scratch), large);
  // A caller mutating what it read does not change the stored value.
  const read = (await outputs.get(small, scratch)) as { auc: number };
  read.auc = 0;
  assert.deepEqual(await outputs.get(small, scratch), { auc: 0.9 });
});

test("values JSON would change or drop are refused, naming where they are", async () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const cases: Array<[unknown, string]> = [
    [{ a: [1, Number.NaN] }, "out.a[1]"],
    [{ a: undefined }, "out.a"],
    [{ when: new Date(0) }, "out.when"],
    [new Map(), "out"],
    [() => 1, "out"],
    [10n, "out"],
    [cyclic, "out.self"],
    [{ nested: new Uint8Array(1) }, "out.nested"],
    [{ nested: pathOutput(dir) }, "out.nested"],
  ];
  for (const [value, field] of cases) {
    assert.throws(
      () => outputs.check(value, "out"),
      (e: { code?: string; field?: string }) =>
        e.code === "PIPELINES_UNSERIALISABLE_OUTPUT" && e.field === field,
      field,
    );
    await rejectsWithCode(outputs.put(value, "out"), "PIPELINES_UNSERIALISABLE_OUTPUT", field);
  }
  await rejectsWithCode(
    outputs.put(pathOutput(join(dir, "missing")), "out"),
    "PIPELINES_UNSERIALISABLE_OUTPUT",
    "out",
  );
  await rejectsWithCode(
    outputs.items(await outputs.put({ not: "a list" }, "f"), "foreach"),
    "PIPELINES_INVALID_DEFINITION",
    "foreach",
  );
});
