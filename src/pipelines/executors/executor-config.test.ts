import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { resolveConfig } from "../../core/config.ts";

const home = mkdtempSync(join(tmpdir(), "plinth-executor-config-"));
after(() => rmSync(home, { recursive: true, force: true }));
const resolve = (env: NodeJS.ProcessEnv) => resolveConfig({ overrides: { home }, env });

test("the pipeline executor comes from the environment, then config.json, else in-process", () => {
  assert.deepEqual(resolve({}).pipelines.executor, { type: "in-process" });
  assert.deepEqual(resolve({ PLINTH_PIPELINE_QUEUE: "ml" }).pipelines.executor, {
    type: "queue",
    redisUrl: "redis://127.0.0.1:6379",
    queue: "ml",
  });
  assert.deepEqual(
    resolve({ PLINTH_PIPELINE_QUEUE: "ml", PLINTH_REDIS_URL: "redis://10.0.0.5:6380/2" }).pipelines
      .executor,
    { type: "queue", redisUrl: "redis://10.0.0.5:6380/2", queue: "ml" },
  );
  writeFileSync(
    join(home, "config.json"),
    JSON.stringify({ pipelines: { executor: { type: "in-process", concurrency: 2 } } }),
  );
  assert.deepEqual(resolve({}).pipelines.executor, { type: "in-process", concurrency: 2 });
  rmSync(join(home, "config.json"));
});

test("bad executor settings are CONFIG_INVALID naming the setting", () => {
  const cases: Array<[NodeJS.ProcessEnv, string | undefined, string]> = [
    [{ PLINTH_PIPELINE_QUEUE: "a:b" }, undefined, "PLINTH_PIPELINE_QUEUE"],
    [{ PLINTH_PIPELINE_QUEUE: "ml", PLINTH_REDIS_URL: "http://x" }, undefined, "PLINTH_REDIS_URL"],
    [
      {},
      JSON.stringify({ pipelines: { executor: { type: "queue", queue: "ml" } } }),
      "pipelines.executor.redisUrl",
    ],
    [{}, JSON.stringify({ pipelines: { executor: { type: "cloud" } } }), "pipelines.executor.type"],
    [
      {},
      JSON.stringify({ pipelines: { executor: { type: "in-process", concurrency: 0 } } }),
      "pipelines.executor.concurrency",
    ],
  ];
  for (const [env, file, field] of cases) {
    if (file === undefined) rmSync(join(home, "config.json"), { force: true });
    else writeFileSync(join(home, "config.json"), file);
    assert.throws(
      () => resolve(env),
      (e: { code?: string; field?: string }) => e.code === "CONFIG_INVALID" && e.field === field,
      field,
    );
  }
  rmSync(join(home, "config.json"), { force: true });
});
