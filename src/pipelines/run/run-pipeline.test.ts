import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { metadataBackends } from "../../metadata/testing/metadata-backends.ts";
import { definePipeline } from "../definition/define-pipeline.ts";
import { param, ref } from "../definition/input-ref.ts";
import { isPathValue, type PathValue, pathOutput } from "../definition/path-value.ts";
import { step } from "../definition/step.ts";
import { openTestPlatform } from "../testing/open-test-platform.ts";
import type { PipelineEvent } from "./pipeline-event.ts";
import { type PipelineRunResult, runPipeline } from "./run-pipeline.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function statuses(result: PipelineRunResult): Record<string, string> {
  return Object.fromEntries(result.steps.map((s) => [s.step, s.status]));
}

for (const backend of metadataBackends()) {
  describe(`runPipeline on ${backend.name}`, () => {
    let env: Awaited<ReturnType<typeof openTestPlatform>>;
    before(async () => {
      env = await openTestPlatform(backend);
    });
    after(() => env.cleanup());
    const run = (
      pipeline: Parameters<typeof runPipeline>[0],
      options: Omit<Parameters<typeof runPipeline>[1], "platform"> = {},
    ) => runPipeline(pipeline, { platform: env.platform, ...options });

    test("fans out over a list and fans back in, with inferred types", async () => {
      const prepare = step("prepare", {
        inputs: { n: param<number>("n") },
        run: async ({ n }) => ({ folds: Array.from({ length: n }, (_, i) => i + 1) }),
      });
      const seen: Array<number | undefined> = [];
      const train = step("train", {
        foreach: prepare.output("folds"),
        inputs: { scale: param<number>("scale") },
        run: async ({ item, scale }, ctx) => {
          seen.push(ctx.index);
          const score: number = item * scale;
          return { score, label: `fold-${item}` };
        },
      });
      const pick = step("pick", {
        inputs: { scores: train.output("score"), labels: train.output("label") },
        run: async ({ scores, labels }) => {
          const best = Math.max(...scores);
          return { best, label: labels[scores.indexOf(best)] ?? "" };
        },
      });
      // @ts-expect-error: prepare has no output "nope", and the type says so.
      prepare.output("nope");
      const pipeline = definePipeline({
        name: "fanout",
        params: { n: { type: "integer", default: 4 }, scale: { type: "number", default: 2 } },
        steps: [pick, train, prepare],
      });
      const result = await run(pipeline, { params: { n: "5" } });
      assert.equal(result.status, "succeeded", result.error ?? "");
      assert.deepEqual(await result.output("train", "score"), [2, 4, 6, 8, 10]);
      assert.equal(await result.output("pick", "best"), 10);
      assert.equal(await result.output("pick", "label"), "fold-5");
      assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4]);
      assert.deepEqual(result.params, { n: 5, scale: 2 });
    });

    test("runs in dependency order within the concurrency limit (random DAGs)", async () => {
      const rng = createSeededRandom(11);
      let reachedLimit = false;
      for (let trial = 0; trial < 12; trial++) {
        const n = 2 + rng.nextInt(9);
        const limit = 1 + rng.nextInt(3);
        const deps = Array.from({ length: n }, (_, i) =>
          Array.from({ length: i }, (_, j) => j).filter(() => rng.next() < 0.25),
        );
        const log: Array<{ step: number; kind: "start" | "end" }> = [];
        let live = 0;
        let maxLive = 0;
        const delays = deps.map(() => rng.nextInt(6));
        const steps = deps.map((ds, i) =>
          step(`s${i}`, {
            cache: false,
            inputs: Object.fromEntries(ds.map((d) => [`in${d}`, ref<number>(`s${d}`, "x")])),
            run: async () => {
              log.push({ step: i, kind: "start" });
              live += 1;
              maxLive = Math.max(maxLive, live);
              await sleep(delays[i] as number);
              live -= 1;
              log.push({ step: i, kind: "end" });
              return { x: i };
            },
          }),
        );
        const result = await run(definePipeline({ name: `dag${trial}`, steps: steps.reverse() }), {
          executor: { type: "in-process", concurrency: limit },
        });
        assert.equal(result.status, "succeeded");
        assert.ok(maxLive <= limit, `trial ${trial}: ${maxLive} ran at once, limit ${limit}`);
        if (limit > 1 && maxLive === limit) reachedLimit = true;
        const at = (i: number, kind: string) =>
          log.findIndex((e) => e.step === i && e.kind === kind);
        deps.forEach((ds, i) => {
          assert.ok(at(i, "start") >= 0, `s${i} ran`);
          for (const d of ds) assert.ok(at(d, "end") < at(i, "start"), `s${d} ends before s${i}`);
        });
      }
      assert.ok(reachedLimit, "independent steps never ran concurrently");
    });

    test("retries a failing step with doubling backoff", async () => {
      let calls = 0;
      const times: number[] = [];
      const flaky = step("flaky", {
        cache: false,
        retry: { attempts: 3, backoffMs: 20 },
        run: async (_inputs, ctx) => {
          calls += 1;
          times.push(Date.now());
          if (ctx.attempt < 3) throw new Error(`boom ${ctx.attempt}`);
          return { ok: true };
        },
      });
      const events: PipelineEvent[] = [];
      const result = await run(definePipeline({ name: "flaky", steps: [flaky] }), {
        onEvent: (e) => events.push(e),
      });
      assert.equal(result.status, "succeeded");
      assert.equal(calls, 3);
      assert.equal(result.steps[0]?.attempts, 3);
      const retries = events.filter((e) => e.type === "step-retrying");
      assert.deepEqual(
        retries.map((e) => (e.type === "step-retrying" ? e.delayMs : 0)),
        [20, 40],
      );
      assert.ok((times[1] as number) - (times[0] as number) >= 19);
      assert.ok((times[2] as number) - (times[1] as number) >= 39);

      calls = 0;
      const hopeless = step("hopeless", {
        cache: false,
        retry: { attempts: 2, backoffMs: 1 },
        run: async () => {
          calls += 1;
          throw new Error("always");
        },
      });
      const failed = await run(definePipeline({ name: "hopeless", steps: [hopeless] }));
      assert.equal(failed.status, "failed");
      assert.equal(calls, 2);
      assert.equal(failed.steps[0]?.attempts, 2);
      assert.equal(failed.steps[0]?.error?.message, "always");
    });

    test("times out an attempt, aborts its signal, and retries it", async () => {
      let aborted = 0;
      const slow = step("slow", {
        cache: false,
        timeoutMs: 200,
        retry: { attempts: 2, backoffMs: 1 },
        run: async (_inputs, ctx) => {
          if (ctx.attempt === 1) {
            await new Promise<void>((resolve) =>
              ctx.signal.addEventListener("abort", () => resolve()),
            );
            aborted += 1;
            await sleep(5);
          }
          return { attempt: ctx.attempt };
        },
      });
      const ok = await run(definePipeline({ name: "slow", steps: [slow] }));
      assert.equal(ok.status, "succeeded");
      assert.equal(aborted, 1);
      assert.equal(await ok.output("slow", "attempt"), 2);

      const stuck = step("stuck", {
        cache: false,
        timeoutMs: 20,
        run: () => new Promise<{ x: number }>(() => {}),
      });
      const started = Date.now();
      const failed = await run(definePipeline({ name: "stuck", steps: [stuck] }));
      assert.ok(Date.now() - started < 2000, "a step ignoring its signal does not hang the run");
      assert.equal(failed.status, "failed");
      assert.equal(failed.steps[0]?.error?.code, "PIPELINES_STEP_TIMEOUT");
    });

    test("caches by code, inputs and params; opt-out steps always run", async () => {
      const calls = { a: 0, b: 0, c: 0 };
      const a = step("a", {
        inputs: { n: param<number>("n") },
        run: async ({ n }) => {
          calls.a += 1;
          return { parity: n % 2 };
        },
      });
      const b = step("b", {
        inputs: { parity: a.output("parity") },
        run: async ({ parity }) => {
          calls.b += 1;
          return { label: parity === 0 ? "even" : "odd" };
        },
      });
      const c = step("c", {
        cache: false,
        inputs: { label: b.output("label") },
        run: async ({ label }) => {
          calls.c += 1;
          return { shout: label.toUpperCase() };
        },
      });
      const pipeline = definePipeline({
        name: "cached",
        params: { n: { type: "integer" } },
        steps: [a, b, c],
      });
      const first = await run(pipeline, { params: { n: 2 } });
      assert.deepEqual(statuses(first), { a: "succeeded", b: "succeeded", c: "succeeded" });

      const second = await run(pipeline, { params: { n: 2 } });
      assert.deepEqual(statuses(second), { a: "cached", b: "cached", c: "succeeded" });
      assert.equal(second.steps[0]?.cachedFrom, first.runId);
      assert.deepEqual(second.steps[0]?.outputs, first.steps[0]?.outputs);
      assert.deepEqual(calls, { a: 1, b: 1, c: 2 });
      assert.equal(await second.output("c", "shout"), "EVEN");

      // A new param misses for the step reading it; its output is unchanged (4 is even
      // too), so the step downstream still hits: inputs are compared by content.
      const third = await run(pipeline, { params: { n: 4 } });
      assert.deepEqual(statuses(third), { a: "succeeded", b: "cached", c: "succeeded" });
      const fourth = await run(pipeline, { params: { n: 3 } });
      assert.deepEqual(statuses(fourth), { a: "succeeded", b: "succeeded", c: "succeeded" });
      assert.equal(await fourth.output("c", "shout"), "ODD");

      // A changed version string is a changed step.
      const a2 = step("a", { ...a, version: "2" });
      const fifth = await run(
        definePipeline({ name: "cached", params: pipeline.params, steps: [a2, b, c] }),
        {
          params: { n: 2 },
        },
      );
      assert.equal(statuses(fifth).a, "succeeded");
    });

    test("a failing step is recorded with its stack, skips downstream, and registers no outputs", async () => {
      const ok = step("ok", { cache: false, run: async () => ({ v: 1 }) });
      const bad = step("bad", {
        cache: false,
        inputs: { v: ok.output("v") },
        run: async (): Promise<{ w: number }> => {
          throw new TypeError("bad input row 7");
        },
      });
      const after = step("after", {
        inputs: { w: bad.output("w") },
        run: async ({ w }) => ({ z: w }),
      });
      const afterAfter = step("after2", {
        inputs: { z: after.output("z") },
        run: async ({ z }) => ({ q: z }),
      });
      const side = step("side", { cache: false, run: async () => ({ s: "fine" }) });
      const result = await run(
        definePipeline({ name: "failing", steps: [ok, bad, after, afterAfter, side] }),
      );
      assert.equal(result.status, "failed");
      assert.match(result.error ?? "", /bad input row 7/);
      assert.deepEqual(statuses(result), {
        ok: "succeeded",
        bad: "failed",
        after: "skipped",
        after2: "skipped",
        side: "succeeded",
      });
      const failed = result.steps.find((s) => s.step === "bad");
      assert.equal(failed?.outputs, null);
      assert.match(failed?.error?.stack ?? "", /TypeError: bad input row 7/);
      const child = await env.platform.tracking.runs.get(failed?.trackingRunId as string);
      assert.equal(child.info.status, "FAILED");
      assert.ok(!child.data.tags.some((t) => t.key.startsWith("plinth.output.")));
    });

    test("unserialisable outputs fail the step when produced, without retries", async () => {
      let calls = 0;
      const weird = step("weird", {
        cache: false,
        retry: { attempts: 3, backoffMs: 1 },
        run: async () => {
          calls += 1;
          return { fine: 1, model: new Map([["a", 1]]) };
        },
      });
      const result = await run(definePipeline({ name: "weird", steps: [weird] }));
      assert.equal(result.status, "failed");
      assert.equal(calls, 1);
      assert.equal(result.steps[0]?.error?.code, "PIPELINES_UNSERIALISABLE_OUTPUT");
      assert.match(result.steps[0]?.error?.message ?? "", /steps\.weird\.outputs\.model/);
      assert.equal(result.steps[0]?.outputs, null);

      const undeclared = step("undeclared", {
        cache: false,
        outputs: ["a", "b"],
        run: async () => ({ a: 1 }),
      });
      const missing = await run(definePipeline({ name: "undeclared", steps: [undeclared] }));
      assert.equal(missing.steps[0]?.error?.code, "PIPELINES_UNSERIALISABLE_OUTPUT");
    });

    test("resumes a failed run from its completed steps", async () => {
      let broken = true;
      const calls = { a: 0, b: 0, c: 0 };
      const a = step("a", {
        cache: false,
        run: async () => {
          calls.a += 1;
          return { rows: [1, 2, 3] };
        },
      });
      const b = step("b", {
        cache: false,
        inputs: { rows: a.output("rows"), k: param<number>("k") },
        run: async ({ rows, k }) => {
          calls.b += 1;
          if (broken) throw new Error("flaky upstream service");
          return { total: rows.reduce((x, y) => x + y, 0) * k };
        },
      });
      const c = step("c", {
        cache: false,
        inputs: { total: b.output("total") },
        run: async ({ total }) => {
          calls.c += 1;
          return { report: `total=${total}` };
        },
      });
      const pipeline = definePipeline({
        name: "resumable",
        params: { k: { type: "integer" } },
        steps: [a, b, c],
      });
      const failed = await run(pipeline, { params: { k: 10 } });
      assert.deepEqual(statuses(failed), { a: "succeeded", b: "failed", c: "skipped" });
      broken = false;
      const resumed = await run(pipeline, { resumeFrom: failed.runId });
      assert.equal(resumed.status, "succeeded");
      assert.equal(resumed.resumedFrom, failed.runId);
      assert.deepEqual(statuses(resumed), { a: "cached", b: "succeeded", c: "succeeded" });
      assert.equal(resumed.steps[0]?.cachedFrom, failed.runId);
      assert.deepEqual(calls, { a: 1, b: 2, c: 1 });
      assert.equal(await resumed.output("c", "report"), "total=60");
      // The resumed run kept the failed run's params.
      assert.deepEqual(resumed.params, { k: 10 });
    });

    test("cancellation aborts running steps' signals and cancels the rest", async () => {
      const controller = new AbortController();
      let sawAbort = false;
      let downstreamRan = false;
      const long = step("long", {
        cache: false,
        run: async (_inputs, ctx) => {
          setTimeout(() => controller.abort(), 10);
          await new Promise<void>((resolve) =>
            ctx.signal.addEventListener("abort", () => {
              sawAbort = true;
              resolve();
            }),
          );
          return { v: 1 };
        },
      });
      const next = step("next", {
        inputs: { v: long.output("v") },
        run: async () => {
          downstreamRan = true;
          return { w: 2 };
        },
      });
      const result = await run(definePipeline({ name: "cancel", steps: [long, next] }), {
        signal: controller.signal,
      });
      assert.equal(result.status, "cancelled");
      assert.ok(sawAbort);
      assert.equal(downstreamRan, false);
      assert.deepEqual(statuses(result), { long: "cancelled", next: "cancelled" });
      const parent = await env.platform.tracking.runs.get(result.trackingRunId as string);
      assert.equal(parent.info.status, "KILLED");
    });

    test("records lineage: a parent tracking run with the DAG and a child run per step", async () => {
      const prepare = step("prepare", {
        cache: false,
        inputs: { seed: param<number>("seed") },
        run: async ({ seed }, ctx) => {
          ctx.log(`seeding with ${seed}`);
          return { rows: [seed, seed + 1] };
        },
      });
      const train = step("train", {
        cache: false,
        inputs: { rows: prepare.output("rows") },
        run: async ({ rows }, ctx) => {
          ctx.logMetric("auc", 0.75);
          return { model: new Uint8Array(rows) };
        },
      });
      const result = await run(
        definePipeline({
          name: "lineage",
          params: { seed: { type: "integer", default: 7 } },
          steps: [prepare, train],
        }),
        { experiment: "lineage-exp" },
      );
      assert.equal(result.status, "succeeded");
      const parent = await env.platform.tracking.runs.get(result.trackingRunId as string);
      const tag = (r: typeof parent, key: string) => r.data.tags.find((t) => t.key === key)?.value;
      assert.equal(parent.info.status, "FINISHED");
      assert.equal(tag(parent, "plinth.pipeline.run_id"), result.runId);
      assert.deepEqual(JSON.parse(tag(parent, "plinth.pipeline.dag") ?? "{}").steps, [
        { name: "prepare", upstream: [], foreach: false, cache: false },
        { name: "train", upstream: ["prepare"], foreach: false, cache: false },
      ]);
      assert.deepEqual(parent.data.params, [{ key: "seed", value: "7" }]);

      const [p, t] = result.steps;
      const prepRun = await env.platform.tracking.runs.get(p?.trackingRunId as string);
      const trainRun = await env.platform.tracking.runs.get(t?.trackingRunId as string);
      for (const child of [prepRun, trainRun]) {
        assert.equal(tag(child, "mlflow.parentRunId"), parent.info.runId);
        assert.equal(child.info.experimentId, parent.info.experimentId);
        assert.equal(child.info.status, "FINISHED");
      }
      // The output hash of one step is the input hash of the next.
      assert.equal(tag(prepRun, "plinth.output.rows"), p?.outputs?.rows?.sha256);
      assert.equal(tag(trainRun, "plinth.input.rows"), p?.outputs?.rows?.sha256);
      assert.equal(tag(trainRun, "plinth.output.model"), t?.outputs?.model?.sha256);
      assert.deepEqual(prepRun.data.params, [{ key: "seed", value: "7" }]);
      assert.match(tag(prepRun, "plinth.step.log") ?? "", /seeding with 7/);
      assert.equal(trainRun.data.metrics.find((m) => m.key === "auc")?.value, 0.75);
      assert.ok(trainRun.data.metrics.some((m) => m.key === "duration_ms"));
      assert.deepEqual(await result.output("train", "model"), new Uint8Array([7, 8]));

      const children = await env.platform.tracking.runs.search({
        experimentIds: [parent.info.experimentId],
        filter: `tags.mlflow.parentRunId = '${parent.info.runId}'`,
      });
      assert.deepEqual(children.items.map((r) => r.info.runName).sort(), ["prepare", "train"]);
    });

    test("passes files and directories between steps as content-addressed paths", async () => {
      const write = step("write", {
        cache: false,
        run: async (_inputs, ctx) => {
          const dir = await ctx.scratchDir("model");
          await mkdir(join(dir, "sub"), { recursive: true });
          await writeFile(join(dir, "weights.bin"), "w1");
          await writeFile(join(dir, "sub", "meta.json"), '{"k":1}');
          const file = join(await ctx.scratchDir("file"), "notes.txt");
          await writeFile(file, "hello");
          return { model: pathOutput(dir), notes: pathOutput(file) };
        },
      });
      const read = step("read", {
        cache: false,
        inputs: { model: write.output("model"), notes: write.output("notes") },
        run: async ({ model, notes }) => ({
          text: `${await readFile(join(model.path, "weights.bin"), "utf8")}|${await readFile(join(model.path, "sub", "meta.json"), "utf8")}|${await readFile(notes.path, "utf8")}`,
        }),
      });
      const result = await run(definePipeline({ name: "paths", steps: [write, read] }));
      assert.equal(result.status, "succeeded", JSON.stringify(result.steps.map((s) => s.error)));
      assert.equal(await result.output("read", "text"), 'w1|{"k":1}|hello');
      assert.equal(result.steps[0]?.outputs?.model?.encoding, "directory");
      const copy = (await result.output("write", "notes")) as PathValue;
      assert.ok(isPathValue(copy));
      assert.equal(await readFile(copy.path, "utf8"), "hello");
    });
  });
}
