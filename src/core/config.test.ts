import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { resolveConfig } from "./config.ts";
import { isPlinthError } from "./errors.ts";

const fresh = () => mkdtempSync(join(tmpdir(), "plinth-config-"));

test("defaults: everything embedded under ./.plinth, server on 127.0.0.1:5000", () => {
  const cwd = fresh();
  const c = resolveConfig({ env: {}, cwd });
  assert.equal(c.home, join(cwd, ".plinth"));
  assert.deepEqual(c.metadata, { type: "sqlite", path: join(cwd, ".plinth", "metadata.sqlite") });
  assert.deepEqual(c.artifacts, { type: "local", root: join(cwd, ".plinth", "artifacts") });
  assert.equal(c.server.host, "127.0.0.1");
  assert.equal(c.server.port, 5000);
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.metadata));
});

test("precedence: overrides over environment over config.json", () => {
  const home = fresh();
  writeFileSync(
    join(home, "config.json"),
    JSON.stringify({ metadataUrl: "file.sqlite", logLevel: "debug", server: { port: 7000 } }),
  );
  const fromFile = resolveConfig({ env: { PLINTH_HOME: home }, cwd: home });
  assert.deepEqual(fromFile.metadata, { type: "sqlite", path: join(home, "file.sqlite") });
  assert.equal(fromFile.logLevel, "debug");
  assert.equal(fromFile.server.port, 7000);
  const fromEnv = resolveConfig({
    env: {
      PLINTH_HOME: home,
      PLINTH_METADATA_URL: "postgres://u@127.0.0.1:5432/test?schema=team_a",
      PLINTH_ARTIFACTS: "/srv/art",
    },
    cwd: home,
  });
  assert.deepEqual(fromEnv.metadata, {
    type: "postgres",
    url: "postgres://u@127.0.0.1:5432/test",
    schema: "team_a",
  });
  assert.deepEqual(fromEnv.artifacts, { type: "local", root: "/srv/art" });
  const fromFlags = resolveConfig({
    env: { PLINTH_HOME: home },
    cwd: home,
    overrides: { port: 9000, metadataUrl: ":memory:" },
  });
  assert.equal(fromFlags.server.port, 9000);
  assert.deepEqual(fromFlags.metadata, { type: "sqlite", path: ":memory:" });
});

test("bad configuration is CONFIG_INVALID naming the field", () => {
  const home = fresh();
  const expectField = (fn: () => unknown, field: string) =>
    assert.throws(fn, (e: unknown) => isPlinthError(e, "CONFIG_INVALID") && e.field === field);
  writeFileSync(join(home, "config.json"), "{ not json");
  expectField(() => resolveConfig({ env: { PLINTH_HOME: home } }), join(home, "config.json"));
  writeFileSync(join(home, "config.json"), JSON.stringify({ server: { port: "80" } }));
  expectField(() => resolveConfig({ env: { PLINTH_HOME: home } }), "server.port");
  writeFileSync(join(home, "config.json"), JSON.stringify({ metadataUrl: "x", surprise: 1 }));
  expectField(() => resolveConfig({ env: { PLINTH_HOME: home } }), "(root)");
  const clean = fresh();
  expectField(
    () => resolveConfig({ env: { PLINTH_HOME: clean, PLINTH_LOG_LEVEL: "loud" } }),
    "PLINTH_LOG_LEVEL",
  );
  expectField(
    () =>
      resolveConfig({
        env: { PLINTH_HOME: clean, PLINTH_METADATA_URL: "postgres://h/db?schema=a;drop" },
      }),
    "PLINTH_METADATA_URL",
  );
});

test("the online store and feature module come from flags, environment or config.json", () => {
  const home = fresh();
  const cwd = fresh();
  const byDefault = resolveConfig({ env: { PLINTH_HOME: home }, cwd });
  assert.deepEqual(byDefault.online, { type: "sqlite", path: join(home, "online.sqlite") });
  assert.equal(byDefault.featuresModule, undefined);
  writeFileSync(
    join(home, "config.json"),
    JSON.stringify({ onlineUrl: "online/features.sqlite", featuresModule: "repo/features.ts" }),
  );
  const fromFile = resolveConfig({ env: { PLINTH_HOME: home }, cwd });
  assert.deepEqual(fromFile.online, { type: "sqlite", path: join(cwd, "online/features.sqlite") });
  assert.equal(fromFile.featuresModule, join(cwd, "repo/features.ts"));
  const fromEnv = resolveConfig({
    env: {
      PLINTH_HOME: home,
      PLINTH_ONLINE_URL: "redis://:pw@cache:6380/2?prefix=team-a:",
      PLINTH_FEATURES: "/abs/features.ts",
    },
    cwd,
  });
  assert.deepEqual(fromEnv.online, {
    type: "redis",
    url: "redis://:pw@cache:6380/2",
    keyPrefix: "team-a:",
  });
  assert.equal(fromEnv.featuresModule, "/abs/features.ts");
  const fromFlags = resolveConfig({
    overrides: { onlineUrl: "rediss://cache:6380", featuresModule: "f.ts" },
    env: { PLINTH_HOME: home },
    cwd,
  });
  assert.deepEqual(fromFlags.online, {
    type: "redis",
    url: "rediss://cache:6380",
    keyPrefix: "plinth:",
  });
  assert.equal(fromFlags.featuresModule, join(cwd, "f.ts"));
  for (const bad of ["redis://[bad", "redis://cache?prefix="]) {
    assert.throws(
      () => resolveConfig({ env: { PLINTH_HOME: fresh(), PLINTH_ONLINE_URL: bad } }),
      (e: unknown) => isPlinthError(e, "CONFIG_INVALID") && e.field === "PLINTH_ONLINE_URL",
    );
  }
});

test("predictionLog: defaults, config.json, environment, and bad values naming the field", () => {
  const home = fresh();
  assert.deepEqual(resolveConfig({ env: { PLINTH_HOME: home }, cwd: home }).predictionLog, {
    maxQueue: 100_000,
    segmentMaxRows: 100_000,
    segmentMaxAgeMs: 300_000,
    flushIntervalMs: 1000,
  });
  writeFileSync(
    join(home, "config.json"),
    JSON.stringify({ predictionLog: { segmentMaxRows: 500, flushIntervalMs: 200 } }),
  );
  const env = { PLINTH_HOME: home, PLINTH_PREDICTION_LOG_FLUSH_MS: "50" };
  assert.deepEqual(resolveConfig({ env, cwd: home }).predictionLog, {
    maxQueue: 100_000,
    segmentMaxRows: 500,
    segmentMaxAgeMs: 300_000,
    flushIntervalMs: 50,
  });
  for (const bad of ["0", "1.5", "ten", "-3"]) {
    assert.throws(
      () =>
        resolveConfig({
          env: { PLINTH_HOME: home, PLINTH_PREDICTION_LOG_MAX_QUEUE: bad },
          cwd: home,
        }),
      (e: unknown) =>
        isPlinthError(e, "CONFIG_INVALID") && e.field === "PLINTH_PREDICTION_LOG_MAX_QUEUE",
    );
  }
  writeFileSync(
    join(home, "config.json"),
    JSON.stringify({ predictionLog: { segmentMaxAgeMs: 86_400_001 } }),
  );
  assert.throws(
    () => resolveConfig({ env: { PLINTH_HOME: home }, cwd: home }),
    (e: unknown) =>
      isPlinthError(e, "CONFIG_INVALID") && e.field === "predictionLog.segmentMaxAgeMs",
  );
});
