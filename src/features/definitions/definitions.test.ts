import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isPlinthError } from "../../core/errors.ts";
import { rejectsWithCode } from "../../core/testing/rejects-with-code.ts";
import { definitionsHash } from "./definitions-hash.ts";
import { entity } from "./entity.ts";
import { defineFeatures } from "./feature-definitions.ts";
import { featureService } from "./feature-service.ts";
import { featureView } from "./feature-view.ts";
import { loadFeatureDefinitions } from "./load-feature-definitions.ts";
import { onDemandFeatureView, requestSource } from "./on-demand-feature-view.ts";
import { csvSource, parquetSource } from "./sources.ts";

const fixture = (name: string): string =>
  fileURLToPath(new URL(`./testing/${name}`, import.meta.url));

function throwsCode(fn: () => unknown, code: string, field?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isPlinthError(e), `expected a PlinthError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (field !== undefined) assert.equal(e.field, field, e.message);
    return true;
  });
}

const driver = entity({ name: "driver", joinKeys: [{ name: "driver_id", type: "int64" }] });
const src = csvSource({
  name: "s",
  path: "s.csv",
  timestampField: "ts",
  createdTimestampField: "created",
});
const view = featureView({
  name: "v",
  entities: [driver],
  schema: [
    { name: "a", type: "float64" },
    { name: "b", type: "string" },
  ],
  source: src,
});

test("loadFeatureDefinitions collects every exported definition and resolves paths beside the module", async () => {
  const defs = await loadFeatureDefinitions(fixture("good-features.ts"));
  assert.deepEqual([...defs.entities.keys()], ["driver"]);
  assert.deepEqual([...defs.featureViews.keys()], ["driver_stats"]);
  assert.deepEqual([...defs.onDemandFeatureViews.keys()], ["scaled"]);
  assert.deepEqual([...defs.featureServices.keys()], ["model_v1"]);
  assert.deepEqual([...defs.pushSources.keys()], ["live_trips"]);
  assert.deepEqual(
    [...defs.sources.keys()],
    ["trips"],
    "sources reachable from views are collected",
  );
  assert.equal(defs.baseDir, dirname(fixture("good-features.ts")));
  const view = defs.featureViews.get("driver_stats")!;
  assert.equal(view.ttlSeconds, 3600);
  assert.equal(view.owner, "ml@example.test");
  assert.ok(Object.isFrozen(view) && Object.isFrozen(view.schema));
});

test("a definitions module that throws, is missing, or defines badly gets a typed error naming it", async () => {
  await assert.rejects(loadFeatureDefinitions(fixture("throwing-features.ts")), (e: unknown) => {
    assert.ok(isPlinthError(e, "FEATURES_DEFINITIONS_LOAD_FAILED"));
    assert.match(e.message, /throwing-features\.ts.*database password not set/);
    assert.ok(e.cause instanceof Error);
    return true;
  });
  await rejectsWithCode(
    loadFeatureDefinitions(fixture("no-such-module.ts")),
    "FEATURES_DEFINITIONS_LOAD_FAILED",
  );
  await assert.rejects(
    loadFeatureDefinitions(fixture("bad-definition-features.ts")),
    (e: unknown) => {
      assert.ok(isPlinthError(e, "FEATURES_INVALID_DEFINITION"));
      assert.match(e.message, /bad-definition-features\.ts.*broken_view.*ttlSeconds/);
      assert.equal(e.field, "ttlSeconds");
      return true;
    },
  );
});

test("definitions validate names, types and references", () => {
  throwsCode(
    () => entity({ name: "bad name", joinKeys: [{ name: "id", type: "int64" }] }),
    "FEATURES_INVALID_DEFINITION",
  );
  throwsCode(
    () => entity({ name: "e", joinKeys: [{ name: "id", type: "decimal" as "int64" }] }),
    "FEATURES_INVALID_DEFINITION",
    "id",
  );
  throwsCode(() => entity({ name: "e", joinKeys: [] }), "FEATURES_INVALID_DEFINITION");
  throwsCode(
    () => parquetSource({ name: "p", path: "x.parquet", timestampField: "ts; DROP TABLE x" }),
    "FEATURES_INVALID_DEFINITION",
  );
  throwsCode(
    () => csvSource({ name: "p", path: "", timestampField: "ts" }),
    "FEATURES_INVALID_DEFINITION",
    "path",
  );
  throwsCode(
    () =>
      featureView({
        name: "w",
        entities: [driver],
        schema: [{ name: "driver_id", type: "int64" }],
        source: src,
      }),
    "FEATURES_INVALID_DEFINITION",
    "driver_id",
  );
  throwsCode(
    () =>
      featureView({
        name: "w",
        entities: [driver],
        schema: [{ name: "ts", type: "timestamp" }],
        source: src,
      }),
    "FEATURES_INVALID_DEFINITION",
    "ts",
  );
  throwsCode(() => view.select(["a", "nope"]), "FEATURES_UNKNOWN_FEATURE", "nope");
  const req = requestSource({ name: "r", schema: [{ name: "a", type: "float64" }] });
  throwsCode(
    () =>
      onDemandFeatureView({
        name: "o",
        sources: [view, req],
        schema: [{ name: "x", type: "float64" }],
        transform: () => ({}),
      }),
    "FEATURES_INVALID_DEFINITION",
    "a",
  );
  throwsCode(
    () => featureService({ name: "s", features: [] }),
    "FEATURES_INVALID_DEFINITION",
    "features",
  );

  // A view naming an entity that is not among the definitions.
  throwsCode(() => defineFeatures([src, view]), "FEATURES_UNKNOWN_ENTITY", "driver");
  // A service using a view that is not among the definitions.
  const service = featureService({ name: "svc", features: [view.select(["a"])] });
  throwsCode(() => defineFeatures([driver, service]), "FEATURES_UNKNOWN_VIEW", "v");
  // Two different objects under one name.
  const other = entity({ name: "driver", joinKeys: [{ name: "driver_id", type: "string" }] });
  throwsCode(() => defineFeatures([driver, other]), "FEATURES_INVALID_DEFINITION", "driver");
  const defs = defineFeatures([driver, view, service]);
  assert.equal(defs.featureServices.get("svc"), service);
});

test("definitionsHash changes with what changes values, not with descriptions", () => {
  const make = (ttl: number, description: string, transformScale: number) => {
    const v = featureView({
      name: "v",
      entities: [driver],
      schema: [{ name: "a", type: "float64" }],
      source: src,
      ttlSeconds: ttl,
      description,
    });
    const o = onDemandFeatureView({
      name: "o",
      sources: [v],
      schema: [{ name: "x", type: "float64" }],
      transform:
        transformScale === 2
          ? ({ a }) => ({ x: (a as Float64Array).map((z) => z * 2) })
          : ({ a }) => ({ x: (a as Float64Array).map((z) => z * 3) }),
    });
    return definitionsHash(featureService({ name: "s", features: [v, o], description }));
  };
  const base = make(60, "one", 2);
  assert.match(base, /^[0-9a-f]{64}$/);
  assert.equal(make(60, "another description", 2), base);
  assert.notEqual(make(61, "one", 2), base);
  assert.notEqual(make(60, "one", 3), base);
});

test("each load imports the module afresh, so an edited module is seen", async () => {
  const dir = mkdtempSync(join(tmpdir(), "plinth-defs-"));
  try {
    const factories = pathToFileURL(fileURLToPath(new URL("../index.ts", import.meta.url))).href;
    const module = join(dir, "features.ts");
    const write = (keyType: string) =>
      writeFileSync(
        module,
        `import { entity } from ${JSON.stringify(factories)};
export const user = entity({ name: "user", joinKeys: [{ name: "user_id", type: "${keyType}" }] });
`,
      );
    write("int64");
    const first = await loadFeatureDefinitions(module);
    write("string");
    const second = await loadFeatureDefinitions(module);
    assert.equal(first.entities.get("user")?.joinKeys[0]?.type, "int64");
    assert.equal(second.entities.get("user")?.joinKeys[0]?.type, "string");
    await assert.rejects(loadFeatureDefinitions(dir), (e: unknown) => {
      assert.ok(isPlinthError(e, "FEATURES_DEFINITIONS_LOAD_FAILED"));
      assert.match(e.message, /is a directory/);
      return true;
    });
    // A definition error thrown while the module loads keeps its code and gains the module's name.
    writeFileSync(
      module,
      `import { entity } from ${JSON.stringify(factories)};
export const bad = entity({ name: "bad name", joinKeys: [{ name: "id", type: "int64" }] });
`,
    );
    await assert.rejects(loadFeatureDefinitions(module), (e: unknown) => {
      assert.ok(isPlinthError(e, "FEATURES_INVALID_DEFINITION"), String(e));
      assert.match(e.message, /features\.ts.*bad name/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
