import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { newRunId } from "../../core/ids.ts";
import { metadataBackends } from "../../metadata/testing/metadata-backends.ts";
import { definePipeline } from "../definition/define-pipeline.ts";
import { param } from "../definition/input-ref.ts";
import { step } from "../definition/step.ts";
import { pipelineLineageTags } from "../lineage/pipeline-lineage-tags.ts";
import { traceModelVersion } from "../lineage/trace-model-version.ts";
import { createMetadataPipelineRunStore } from "../state/metadata/create-metadata-pipeline-run-store.ts";
import { openTestPlatform } from "../testing/open-test-platform.ts";
import { runPipeline } from "./run-pipeline.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of metadataBackends()) {
  describe(`pipeline run lifecycle on ${backend.name}`, () => {
    let env: Awaited<ReturnType<typeof openTestPlatform>>;
    before(async () => {
      env = await openTestPlatform(backend);
    });
    after(() => env.cleanup());
    const store = () => createMetadataPipelineRunStore(env.platform.metadata);

    test("a fan-out over an empty list gives empty lists to its readers", async () => {
      const list = step("list", { cache: false, run: async () => ({ items: [] as number[] }) });
      const each = step("each", {
        cache: false,
        foreach: list.output("items"),
        run: async ({ item }) => ({ doubled: item * 2 }),
      });
      const sum = step("sum", {
        cache: false,
        inputs: { doubled: each.output("doubled") },
        run: async ({ doubled }) => ({
          total: doubled.reduce((a, b) => a + b, 0),
          n: doubled.length,
        }),
      });
      const result = await runPipeline(
        definePipeline({ name: "empty-fanout", steps: [list, each, sum] }),
        {
          platform: env.platform,
        },
      );
      assert.equal(result.status, "succeeded", result.error ?? "");
      assert.deepEqual(await result.output("each", "doubled"), []);
      assert.equal(await result.output("sum", "n"), 0);
    });

    test("a failed step keeps its log, every attempt's lines marked with their number", async () => {
      const flaky = step("flaky", {
        cache: false,
        retry: { attempts: 2, backoffMs: 1 },
        run: async (_inputs, ctx): Promise<{ x: number }> => {
          ctx.log(`trying, attempt ${ctx.attempt}`);
          ctx.logMetric("rows_seen", 10 * ctx.attempt);
          throw new Error(`no luck ${ctx.attempt}`);
        },
      });
      const ok = step("ok", {
        cache: false,
        run: async (_inputs, ctx) => {
          ctx.log("all good");
          return { y: 1 };
        },
      });
      const result = await runPipeline(definePipeline({ name: "logs", steps: [flaky, ok] }), {
        platform: env.platform,
      });
      assert.equal(result.status, "failed");
      const logs = await store().logs(result.runId);
      assert.deepEqual(
        logs.map((l) => l.step),
        ["flaky", "ok"],
      );
      const flakyLog = logs[0]?.logs ?? "";
      assert.match(flakyLog, /\[attempt 1\] \S+ trying, attempt 1/);
      assert.match(flakyLog, /\[attempt 1\] failed: no luck 1/);
      assert.match(flakyLog, /\[attempt 2\] \S+ trying, attempt 2/);
      assert.match(logs[1]?.logs ?? "", /all good/);
      const [only] = await store().logs(result.runId, "ok");
      assert.equal(only?.step, "ok");
      const child = await env.platform.tracking.runs.get(result.steps[0]?.trackingRunId as string);
      assert.match(
        child.data.tags.find((t) => t.key === "plinth.step.log")?.value ?? "",
        /attempt 2/,
      );
      assert.equal(child.data.metrics.find((m) => m.key === "rows_seen")?.value, 20);
      await assert.rejects(store().logs(result.runId, "nope"), /no step 'nope'/);
    });

    test("a model version registered by a step traces back to the data it came from", async () => {
      const data = step("data", {
        inputs: { seed: param<number>("seed") },
        run: async ({ seed }) => ({ rows: [seed, seed + 1, seed + 2] }),
      });
      const train = step("train", {
        inputs: { rows: data.output("rows") },
        run: async ({ rows }) => ({ weight: rows.reduce((a, b) => a + b, 0) }),
      });
      const side = step("side", { cache: false, run: async () => ({ unrelated: true }) });
      const register = step("register", {
        cache: false,
        inputs: { weight: train.output("weight") },
        run: async ({ weight }, ctx) => {
          const registry = ctx.platform.registry;
          await registry.models.create({ name: "lineage-model" }).catch(() => {});
          const v = await registry.versions.create({
            name: "lineage-model",
            source: `pipeline-output:${weight}`,
            runId: ctx.trackingRunId as string,
            tags: pipelineLineageTags(ctx),
          });
          return { version: v.version };
        },
      });
      const pipeline = definePipeline({
        name: "lineage-trace",
        params: { seed: { type: "integer", default: 4 } },
        steps: [data, train, side, register],
      });
      const result = await runPipeline(pipeline, { platform: env.platform });
      assert.equal(result.status, "succeeded", result.error ?? "");
      const version = (await result.output("register", "version")) as string;
      const lineage = await traceModelVersion(env.platform, "lineage-model", version);
      assert.equal(lineage.pipelineRun.runId, result.runId);
      assert.equal(lineage.registeredBy, "register");
      assert.deepEqual(
        lineage.steps.map((s) => s.step),
        ["data", "train", "register"],
      );
      const dataStep = result.steps.find((s) => s.step === "data");
      assert.deepEqual(lineage.steps[0]?.inputs, { seed: { param: 4 } });
      // The training step read exactly what the data step wrote, by content hash.
      assert.deepEqual(lineage.steps[1]?.inputs.rows, { output: dataStep?.outputs?.rows });
      assert.equal(
        lineage.modelVersion.runId,
        result.steps.find((s) => s.step === "register")?.trackingRunId,
      );
    });

    test("a cancel request from elsewhere stops a live run; a dead run is cancelled at once", async () => {
      const runId = newRunId();
      let sawAbort = false;
      const wait = step("wait", {
        cache: false,
        run: async (_inputs, ctx) => {
          await new Promise<void>((resolve) =>
            ctx.signal.addEventListener("abort", () => {
              sawAbort = true;
              resolve();
            }),
          );
          return { done: true };
        },
      });
      const running = runPipeline(definePipeline({ name: "cancel-me", steps: [wait] }), {
        platform: env.platform,
        runId,
        heartbeatMs: 20,
      });
      for (let i = 0; i < 100; i++) {
        const steps = await store()
          .getRun(runId)
          .then((r) => r.steps)
          .catch(() => []);
        if (steps[0]?.status === "running") break;
        await sleep(20);
      }
      assert.equal(await store().requestCancel(runId, 60_000), "requested");
      const result = await running;
      assert.equal(result.status, "cancelled");
      assert.ok(sawAbort);
      assert.equal(await store().requestCancel(runId, 60_000), "finished");

      // A run whose driver died: its heartbeat is old, so the request cancels it outright.
      const dead = newRunId();
      await store().createRun({
        runId: dead,
        pipelineName: "cancel-me",
        params: {},
        dag: { steps: [{ name: "wait", upstream: [], foreach: false, cache: false }] },
        steps: ["wait"],
        resumedFrom: null,
        trackingRunId: null,
      });
      await store().updateStep(dead, "wait", { status: "running" });
      await sleep(5);
      assert.equal(await store().requestCancel(dead, 1), "cancelled");
      const record = await store().getRun(dead);
      assert.equal(record.status, "cancelled");
      assert.equal(record.steps[0]?.status, "cancelled");
      assert.ok(record.cancelRequestedAt !== null);
    });
  });
}
