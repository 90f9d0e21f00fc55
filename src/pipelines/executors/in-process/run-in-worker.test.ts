import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pathToFileURL } from "node:url";
import { rejectsWithCode } from "../../../core/testing/rejects-with-code.ts";
import { metadataBackends, type TestBackend } from "../../../metadata/testing/metadata-backends.ts";
import { loadPipelineFile } from "../../definition/load-pipeline-file.ts";
import { runPipeline } from "../../run/run-pipeline.ts";
import { createMetadataPipelineRunStore } from "../../state/metadata/create-metadata-pipeline-run-store.ts";
import { openTestPlatform } from "../../testing/open-test-platform.ts";

const API = pathToFileURL(join(import.meta.dirname, "../../index.ts")).href;
const dir = mkdtempSync(join(tmpdir(), "plinth-pipeline-worker-"));
writeFileSync(join(dir, "package.json"), '{ "type": "module" }');
after(() => rmSync(dir, { recursive: true, force: true }));

const FILE = join(dir, "threads.ts");
writeFileSync(
  FILE,
  `import { threadId } from "node:worker_threads";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { definePipeline, param, pathOutput, step } from ${JSON.stringify(API)};
const main = step("main", { cache: false, run: async () => ({ thread: threadId, bytes: new Uint8Array([1, 2]) }) });
const hot = step("hot", {
  cache: false,
  thread: "worker",
  inputs: { n: param<number>("n"), bytes: main.output("bytes") },
  run: async ({ n, bytes }, ctx) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += i;
    ctx.logMetric("sum", sum);
    ctx.log("summed");
    const file = join(await ctx.scratchDir("out"), "sum.txt");
    await writeFile(file, String(sum));
    return { thread: threadId, sum, bytes: Array.from(bytes), file: pathOutput(file) };
  },
});
const spin = step("spin", {
  cache: false,
  thread: "worker",
  timeoutMs: 400,
  inputs: { go: param<boolean>("spin") },
  run: async ({ go }) => {
    while (go) {}
    return { done: true };
  },
});
const bad = step("bad", {
  cache: false,
  thread: "worker",
  inputs: { go: param<boolean>("spin") },
  run: async () => { throw new RangeError("worker says no"); },
});
export default definePipeline({
  name: "threads",
  params: { n: { type: "integer", default: 1000 }, spin: { type: "boolean", default: false } },
  steps: [main, hot, spin, bad],
});
`,
);

test("worker-thread steps run off the main thread; a stuck one is terminated at its timeout", async () => {
  const env = await openTestPlatform(metadataBackends()[0] as TestBackend);
  try {
    const { pipeline, moduleUrl } = await loadPipelineFile(FILE);
    const ok = await runPipeline(pipeline, {
      platform: env.platform,
      moduleUrl,
      params: { n: 100 },
    });
    const byStep = Object.fromEntries(ok.steps.map((s) => [s.step, s]));
    assert.equal(byStep.hot?.status, "succeeded", byStep.hot?.error?.message);
    assert.equal(await ok.output("main", "thread"), 0);
    assert.notEqual(await ok.output("hot", "thread"), 0);
    assert.equal(await ok.output("hot", "sum"), 4950);
    assert.deepEqual(await ok.output("hot", "bytes"), [1, 2]);
    const child = await env.platform.tracking.runs.get(byStep.hot?.trackingRunId as string);
    assert.equal(child.data.metrics.find((m) => m.key === "sum")?.value, 4950);
    assert.equal(byStep.hot?.outputs?.file?.encoding, "file");
    assert.equal(byStep.bad?.status, "failed");
    assert.equal(byStep.bad?.error?.message, "worker says no");
    assert.match(byStep.bad?.error?.stack ?? "", /RangeError: worker says no/);

    const started = Date.now();
    const stuck = await runPipeline(pipeline, {
      platform: env.platform,
      moduleUrl,
      params: { spin: true },
    });
    const spin = stuck.steps.find((s) => s.step === "spin");
    assert.equal(spin?.status, "failed");
    assert.equal(spin?.error?.code, "PIPELINES_STEP_TIMEOUT");
    assert.ok(Date.now() - started < 10_000);

    // Without the module's location a worker cannot import the step: refused before
    // anything runs.
    const before = await createMetadataPipelineRunStore(env.platform.metadata).listRuns();
    await rejectsWithCode(
      runPipeline(pipeline, { platform: env.platform, params: { n: 1 } }),
      "PIPELINES_INVALID_DEFINITION",
      "moduleUrl",
    );
    const afterwards = await createMetadataPipelineRunStore(env.platform.metadata).listRuns();
    assert.equal(afterwards.length, before.length);
  } finally {
    await env.cleanup();
  }
});
