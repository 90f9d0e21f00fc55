import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createContentAddressedStore } from "../../artifacts/content-addressed-store.ts";
import { isPlinthError } from "../../core/errors.ts";
import { hashJson } from "../../core/hash.ts";
import { newRunId } from "../../core/ids.ts";
import { metadataBackends, type TestBackend } from "../../metadata/testing/metadata-backends.ts";
import type { Pipeline } from "../definition/define-pipeline.ts";
import { loadPipelineFile } from "../definition/load-pipeline-file.ts";
import { isPathValue } from "../definition/path-value.ts";
import type { StepPlatform } from "../definition/step-platform.ts";
import { createOutputStore, type OutputStore } from "../run/output-store.ts";
import { stepCodeVersion } from "../run/step-cache-key.ts";
import { openTestPlatform } from "../testing/open-test-platform.ts";
import { createPipelineModuleDir } from "../testing/write-pipeline-module.ts";
import { attemptLoggedOf } from "./failed-attempt.ts";
import type { StepExecutor } from "./step-executor.ts";
import type { StepTask } from "./step-task.ts";

/** What an executor under test runs over. */
export interface ExecutorContractEnv {
  readonly pipeline: Pipeline;
  readonly moduleUrl: string;
  readonly platform: StepPlatform;
  readonly outputs: OutputStore;
  readonly scratchRoot: string;
}

/** An executor for one suite, and how to stop it (and whatever serves it). */
export interface ExecutorFixture {
  readonly executor: StepExecutor;
  close(): Promise<void>;
}

const modules = createPipelineModuleDir("plinth-executor-contract-");
const MARKS = join(modules.dir, "marks");
const FILE = modules.write(
  "contract.ts",
  `import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PlinthError } from ${JSON.stringify(new URL("../../core/errors.ts", import.meta.url).href)};
const MARKS = ${JSON.stringify(MARKS)};
const echo = step("echo", {
  inputs: { n: param<number>("n"), bytes: ref<Uint8Array>("source", "bytes") },
  run: async ({ n, bytes }, ctx) => {
    ctx.log("echoing " + n);
    ctx.logMetric("n", n, 3);
    return { sum: n + bytes.reduce((a, b) => a + b, 0), tracking: ctx.trackingRunId ?? null, attempt: ctx.attempt, index: ctx.index ?? null };
  },
});
const source = step("source", { run: async () => ({ bytes: new Uint8Array([1, 2, 3]) }) });
const item = step("item", {
  foreach: ref<number[]>("list", "values"),
  run: async ({ item }, ctx) => ({ squared: item * item, index: ctx.index }),
});
const list = step("list", { run: async () => ({ values: [1, 2, 3] }) });
const fail = step("fail", {
  inputs: { code: param<boolean>("code") },
  run: async ({ code }, ctx) => {
    ctx.log("about to fail");
    if (code) throw new PlinthError("TRAINING_INVALID_DATA", "column 'x' is empty", { field: "x" });
    throw new RangeError("plain failure");
  },
});
const bad = step("bad", {
  inputs: { token: param<string>("token") },
  run: async ({ token }) => ({ good: { token, pad: "x".repeat(4096) }, model: new Map([["a", 1]]) }),
});
const wait = step("wait", {
  inputs: { token: param<string>("token") },
  run: async ({ token }, ctx) => {
    // Listening before saying so: the test aborts as soon as it sees the mark.
    const aborted = new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
    await mkdir(MARKS, { recursive: true });
    await writeFile(join(MARKS, token + ".started"), "");
    await aborted;
    await writeFile(join(MARKS, token + ".aborted"), "");
    return { done: true };
  },
});
const files = step("files", {
  inputs: { text: param<string>("text") },
  run: async ({ text }, ctx) => {
    const file = join(await ctx.scratchDir("out"), "note.txt");
    await writeFile(file, text);
    return { note: pathOutput(file) };
  },
});
const readNote = step("read-note", {
  inputs: { note: ref<{ path: string }>("files", "note") },
  run: async ({ note }) => ({ text: await readFile(note.path, "utf8") }),
});
export default definePipeline({
  name: "executor-contract",
  params: {
    n: { type: "integer", default: 1 },
    code: { type: "boolean", default: true },
    token: { type: "string", default: "t" },
    text: { type: "string", default: "hello" },
  },
  steps: [source, echo, list, item, fail, bad, wait, files, readNote],
});
`,
);
after(() => modules.cleanup());

/**
 * What every step executor must do, whatever runs the steps: load inputs by content
 * address, hand the step its context, store its outputs and answer with their addresses;
 * keep a step's error (code, message, stack) and log; store nothing of a step with an
 * unstorable output; and abort a running step's signal.
 */
export function runStepExecutorContract(
  name: string,
  makeExecutor: (env: ExecutorContractEnv) => Promise<ExecutorFixture>,
): void {
  describe(`step executor contract: ${name}`, () => {
    let env: ExecutorContractEnv;
    let fixture: ExecutorFixture;
    let platformEnv: Awaited<ReturnType<typeof openTestPlatform>>;
    before(async () => {
      platformEnv = await openTestPlatform(metadataBackends()[0] as TestBackend);
      const { pipeline, moduleUrl } = await loadPipelineFile(FILE);
      const scratchRoot = await mkdtemp(join(tmpdir(), "plinth-contract-scratch-"));
      env = {
        pipeline,
        moduleUrl,
        platform: platformEnv.platform,
        outputs: createOutputStore(createContentAddressedStore(platformEnv.platform.artifacts)),
        scratchRoot,
      };
      fixture = await makeExecutor(env);
    });
    after(async () => {
      await fixture?.close();
      await rm(env.scratchRoot, { recursive: true, force: true });
      await platformEnv.cleanup();
    });

    const task = (
      step: string,
      inputs: StepTask["inputs"],
      extra: Partial<StepTask> = {},
    ): StepTask => {
      const definition = env.pipeline.steps.find((s) => s.name === step);
      assert.ok(definition, step);
      return {
        runId: newRunId(),
        pipelineName: env.pipeline.name,
        moduleUrl: env.moduleUrl,
        step,
        codeVersion: stepCodeVersion(definition),
        trackingRunId: "track-1",
        inputs,
        item: undefined,
        attempt: 1,
        ...extra,
      };
    };
    const run = (t: StepTask, signal = new AbortController().signal) =>
      fixture.executor.run(t, signal);

    test("runs a step on its inputs and answers with stored outputs, metrics and log", async () => {
      const bytes = await env.outputs.put(new Uint8Array([1, 2, 3]), "bytes");
      const result = await run(
        task("echo", { n: { param: 4 }, bytes: { output: bytes } }, { attempt: 2 }),
      );
      assert.equal(await env.outputs.get(result.outputs.sum!, async () => env.scratchRoot), 10);
      assert.equal(
        await env.outputs.get(result.outputs.tracking!, async () => env.scratchRoot),
        "track-1",
      );
      assert.equal(await env.outputs.get(result.outputs.attempt!, async () => env.scratchRoot), 2);
      assert.deepEqual(
        result.metrics.map((m) => [m.key, m.value, m.step]),
        [["n", 4, 3]],
      );
      assert.equal(result.logs.length, 1);
      assert.match(result.logs[0] as string, /^\S+ echoing 4$/);
    });

    test("runs one item of a fan-out step with its index", async () => {
      const value = await env.outputs.put(7, "item");
      const result = await run(task("item", {}, { item: { index: 5, value } }));
      assert.equal(await env.outputs.get(result.outputs.squared!, async () => env.scratchRoot), 49);
      assert.equal(await env.outputs.get(result.outputs.index!, async () => env.scratchRoot), 5);
    });

    test("a failing step rejects with its code, message, stack and log", async () => {
      await assert.rejects(run(task("fail", { code: { param: true } })), (e: unknown) => {
        assert.ok(isPlinthError(e, "TRAINING_INVALID_DATA"), String(e));
        assert.equal(e.field, "x");
        assert.equal(e.message, "column 'x' is empty");
        assert.match(e.stack ?? "", /contract\.ts/);
        assert.match(attemptLoggedOf(e).logs[0] ?? "", /about to fail/);
        return true;
      });
      await assert.rejects(run(task("fail", { code: { param: false } })), (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.equal(e.name, "RangeError");
        assert.equal(e.message, "plain failure");
        return true;
      });
    });

    test("an unstorable output fails the attempt and stores none of its outputs", async () => {
      const token = `token-${newRunId()}`;
      await assert.rejects(run(task("bad", { token: { param: token } })), (e: unknown) => {
        assert.ok(isPlinthError(e, "PIPELINES_UNSERIALISABLE_OUTPUT"), String(e));
        assert.equal(e.field, "steps.bad.outputs.model");
        return true;
      });
      const content = createContentAddressedStore(env.platform.artifacts);
      // Large enough to be stored as an artifact, had it been stored.
      assert.equal(await content.hasContent(hashJson({ token, pad: "x".repeat(4096) })), false);
    });

    test("files go out and come back by content", async () => {
      const written = await run(task("files", { text: { param: "file body" } }));
      assert.equal(written.outputs.note?.encoding, "file");
      const read = await run(task("read-note", { note: { output: written.outputs.note! } }));
      assert.equal(
        await env.outputs.get(read.outputs.text!, async () => env.scratchRoot),
        "file body",
      );
      const copy = await env.outputs.get(written.outputs.note!, () =>
        mkdtemp(join(env.scratchRoot, "copy-")),
      );
      assert.ok(isPathValue(copy));
      assert.equal(await readFile(copy.path, "utf8"), "file body");
    });

    test("aborting the signal aborts the running step", async () => {
      const token = `wait-${newRunId()}`;
      const controller = new AbortController();
      const pending = run(task("wait", { token: { param: token } }), controller.signal);
      const started = join(MARKS, `${token}.started`);
      for (let i = 0; i < 500 && !existsSync(started); i++) await sleep(10);
      assert.ok(existsSync(started), "the step started");
      controller.abort();
      await pending.catch(() => {}); // an executor may answer the abort either way
      const aborted = join(MARKS, `${token}.aborted`);
      for (let i = 0; i < 500 && !existsSync(aborted); i++) await sleep(10);
      assert.ok(existsSync(aborted), "the step saw its signal abort");
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
