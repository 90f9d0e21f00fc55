import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { rejectsWithCode } from "../../core/testing/rejects-with-code.ts";
import type { MetadataStore } from "../../metadata/metadata-store.ts";
import { metadataBackends } from "../../metadata/testing/metadata-backends.ts";
import { createMetadataPipelineRunStore } from "./metadata/create-metadata-pipeline-run-store.ts";
import type { PipelineRunStore } from "./pipeline-run-store.ts";

const DAG = {
  steps: [
    { name: "a", upstream: [], foreach: false, cache: true },
    { name: "b", upstream: ["a"], foreach: true, cache: false },
  ],
};
const STORED = { encoding: "json" as const, sha256: "a".repeat(64), size: 3 };

for (const backend of metadataBackends()) {
  describe(`pipeline run store on ${backend.name}`, () => {
    let metadata: MetadataStore;
    let cleanup: () => Promise<void>;
    let runs: PipelineRunStore;
    before(async () => {
      ({ store: metadata, cleanup } = await backend.open());
      runs = createMetadataPipelineRunStore(metadata);
    });
    after(() => cleanup());

    test("records a run and its steps, and reads them back typed", async () => {
      await runs.createRun({
        runId: "r1",
        pipelineName: "p",
        params: { n: 3, name: "x", on: true },
        dag: DAG,
        steps: ["b", "a"],
        resumedFrom: null,
        trackingRunId: "t1",
      });
      const fresh = await runs.getRun("r1");
      assert.equal(fresh.status, "running");
      assert.deepEqual(fresh.params, { n: 3, name: "x", on: true });
      assert.deepEqual(fresh.dag, DAG);
      assert.deepEqual(
        fresh.steps.map((s) => [s.step, s.status, s.attempts]),
        [
          ["a", "pending", 0],
          ["b", "pending", 0],
        ],
      );
      await runs.updateStep("r1", "a", {
        status: "succeeded",
        attempts: 2,
        cacheKey: "k1",
        inputs: { n: { param: 3 } },
        outputs: { rows: STORED },
        startTime: 1_700_000_000_000,
        endTime: 1_700_000_000_500,
      });
      await runs.updateStep("r1", "b", {
        status: "failed",
        attempts: 1,
        error: { code: undefined, message: "boom", stack: "Error: boom" },
      });
      await runs.finishRun("r1", "failed", "step 'b' failed: boom");
      const done = await runs.getRun("r1");
      assert.equal(done.status, "failed");
      assert.equal(done.error, "step 'b' failed: boom");
      assert.equal(typeof done.endTime, "number");
      const [a, b] = done.steps;
      assert.deepEqual(a?.outputs, { rows: STORED });
      assert.deepEqual(a?.inputs, { n: { param: 3 } });
      assert.equal(a?.startTime, 1_700_000_000_000);
      assert.equal(a?.attempts, 2);
      assert.deepEqual(b?.error, { message: "boom", stack: "Error: boom" });
      assert.equal(b?.outputs, null);
    });

    test("finds the newest successful step by cache key, ignoring reused and failed ones", async () => {
      for (const [runId, status, end] of [
        ["c1", "succeeded", 100],
        ["c2", "succeeded", 200],
        ["c3", "cached", 300],
        ["c4", "failed", 400],
      ] as const) {
        await runs.createRun({
          runId,
          pipelineName: "q",
          params: {},
          dag: DAG,
          steps: ["a"],
          resumedFrom: null,
          trackingRunId: null,
        });
        await runs.updateStep(runId, "a", { status, cacheKey: "shared", endTime: end });
      }
      assert.equal((await runs.findSucceeded("shared"))?.runId, "c2");
      assert.equal(await runs.findSucceeded("other"), undefined);
      const listed = await runs.listRuns({ pipelineName: "q", limit: 2 });
      assert.equal(listed.length, 2);
      assert.ok(listed.every((r) => r.pipelineName === "q"));
    });

    test("an unknown run id is PIPELINES_RUN_NOT_FOUND", async () => {
      await rejectsWithCode(runs.getRun("nope"), "PIPELINES_RUN_NOT_FOUND", "run_id");
    });
  });
}
