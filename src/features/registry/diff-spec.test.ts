import assert from "node:assert/strict";
import { test } from "node:test";
import { diffSpec } from "./diff-spec.ts";

test("diffSpec reports changed, added and removed fields by path; arrays compare whole", () => {
  assert.deepEqual(diffSpec({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 2] } }), []);
  assert.deepEqual(
    diffSpec(
      { joinKeys: ["a:int64", "b:string"], tags: {}, features: { x: "int64", y: "bool" } },
      { joinKeys: ["b:string", "a:int64"], tags: { team: "t" }, features: { x: "float64" } },
    ),
    [
      { path: "features.x", before: "int64", after: "float64" },
      { path: "features.y", before: "bool" },
      { path: "joinKeys", before: ["a:int64", "b:string"], after: ["b:string", "a:int64"] },
      { path: "tags.team", after: "t" },
    ],
  );
  // An object replaced by a scalar (a source turned into a push source) is one change.
  assert.deepEqual(diffSpec({ source: { pushSource: "p" } }, { source: "s" }), [
    { path: "source", before: { pushSource: "p" }, after: "s" },
  ]);
  // Key order inside a value does not matter.
  assert.deepEqual(diffSpec({ s: [{ a: 1, b: 2 }] }, { s: [{ b: 2, a: 1 }] }), []);
});
