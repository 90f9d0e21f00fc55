import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TEST_POSTGRES_URL } from "../../metadata/testing/metadata-backends.ts";
import { loadPipelineFile } from "../../pipelines/definition/load-pipeline-file.ts";
import { createMetadataRegisteredPipelineStore } from "../../pipelines/registered/metadata/create-metadata-registered-pipeline-store.ts";
import { createMetadataScheduleStore } from "../../pipelines/schedules/metadata/create-metadata-schedule-store.ts";
import { createPipelineModuleDir } from "../../pipelines/testing/write-pipeline-module.ts";
import { startTestServer, type TestServer } from "../testing/start-test-server.ts";

const modules = createPipelineModuleDir("plinth-pipeline-routes-");
after(() => modules.cleanup());
const FILE = modules.write(
  "api.ts",
  `const square = step("square", {
  cache: false,
  inputs: { n: param<number>("n") },
  run: async ({ n }, ctx) => {
    ctx.log("squaring " + n);
    return { value: n * n };
  },
});
const wait = step("wait", {
  cache: false,
  inputs: { value: square.output("value"), hold: param<boolean>("hold") },
  run: async ({ value, hold }, ctx) => {
    if (hold) await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
    return { value };
  },
});
export default definePipeline({
  name: "api-demo",
  params: { n: { type: "integer" }, hold: { type: "boolean", default: false } },
  steps: [square, wait],
});
`,
);

const backends: Array<{ name: string; metadataUrl?: string }> = [{ name: "sqlite" }];
if (TEST_POSTGRES_URL !== undefined && TEST_POSTGRES_URL !== "") {
  const schema = `plinth_routes_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  backends.push({ name: "postgres", metadataUrl: `${TEST_POSTGRES_URL}?schema=${schema}` });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of backends) {
  describe(`pipeline REST API on ${backend.name}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(
        backend.metadataUrl === undefined ? {} : { metadataUrl: backend.metadataUrl },
      );
      const { pipeline, moduleUrl } = await loadPipelineFile(FILE);
      await createMetadataRegisteredPipelineStore(server.platform.metadata).register({
        name: pipeline.name,
        module: moduleUrl,
        description: "",
        params: pipeline.params,
      });
    });
    after(async () => {
      if (backend.metadataUrl !== undefined) {
        const schema = new URL(backend.metadataUrl).searchParams.get("schema");
        await server.platform.metadata.db.schema
          .dropSchema(schema as string)
          .cascade()
          .execute();
      }
      await server.close();
    });

    async function call(method: string, path: string, body?: unknown) {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body:
          body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return {
        status: response.status,
        json: JSON.parse(text) as Record<string, unknown>,
        location: response.headers.get("location"),
      };
    }
    async function until(runId: string, done: (run: Record<string, unknown>) => boolean) {
      for (let i = 0; i < 500; i++) {
        const run = (await call("GET", `/api/pipelines/runs/${runId}`)).json;
        if (done(run)) return run;
        await sleep(20);
      }
      throw new Error(`run ${runId} never reached the state`);
    }

    test("triggers a run with params, and reports its steps and logs", async () => {
      const listed = await call("GET", "/api/pipelines");
      assert.ok(
        (listed.json.pipelines as Array<{ name: string }>).some((p) => p.name === "api-demo"),
      );
      const started = await call("POST", "/api/pipelines/runs", {
        pipeline: "api-demo",
        params: { n: "7" },
        experiment: "api-exp",
      });
      assert.equal(started.status, 201, JSON.stringify(started.json));
      const runId = started.json.run_id as string;
      assert.match(runId, /^[0-9a-f]{32}$/);
      assert.equal(started.location, `/api/pipelines/runs/${runId}`);
      const run = await until(runId, (r) => r.status !== "running");
      assert.equal(run.status, "succeeded", JSON.stringify(run));
      assert.equal(run.triggered_by, "api");
      assert.deepEqual(run.params, { n: 7, hold: false });
      assert.deepEqual(
        (run.steps as Array<{ step: string; status: string }>).map((s) => [s.step, s.status]),
        [
          ["square", "succeeded"],
          ["wait", "succeeded"],
        ],
      );
      const logs = await call("GET", `/api/pipelines/runs/${runId}/logs?step=square`);
      assert.match(JSON.stringify(logs.json), /squaring 7/);
      const runs = await call("GET", "/api/pipelines/runs?pipeline=api-demo&limit=5");
      assert.ok((runs.json.runs as Array<{ run_id: string }>).some((r) => r.run_id === runId));
      const cancel = await call("POST", `/api/pipelines/runs/${runId}/cancel`);
      assert.deepEqual(cancel.json, { run_id: runId, outcome: "finished" });
    });

    test("cancels a live run through the API", async () => {
      const started = await call("POST", "/api/pipelines/runs", {
        pipeline: "api-demo",
        params: { n: 2, hold: true },
      });
      const runId = started.json.run_id as string;
      await until(runId, (r) =>
        (r.steps as Array<{ step: string; status: string }>).some(
          (s) => s.step === "wait" && s.status === "running",
        ),
      );
      const cancel = await call("POST", `/api/pipelines/runs/${runId}/cancel`);
      assert.equal(cancel.json.outcome, "requested");
      const run = await until(runId, (r) => r.status !== "running");
      assert.equal(run.status, "cancelled");
      assert.equal(run.cancel_requested, true);
    });

    test("bad requests are typed errors naming the field, and start nothing", async () => {
      const before = (await call("GET", "/api/pipelines/runs?limit=10000")).json.runs as unknown[];
      const cases: Array<[unknown, number, string, string | undefined]> = [
        ["{not json", 400, "MALFORMED_REQUEST", "body"],
        [[1, 2], 400, "MALFORMED_REQUEST", "body"],
        [{}, 400, "INVALID_ARGUMENT", "pipeline"],
        [{ pipeline: 5 }, 400, "INVALID_ARGUMENT", "pipeline"],
        [{ pipeline: "../etc" }, 400, "INVALID_ARGUMENT", "pipeline"],
        [
          { pipeline: "api-demo", params: { n: { nested: 1 } } },
          400,
          "INVALID_ARGUMENT",
          "params.n",
        ],
        [{ pipeline: "api-demo", params: [] }, 400, "INVALID_ARGUMENT", "params"],
        [{ pipeline: "api-demo", extra: 1 }, 400, "INVALID_ARGUMENT", "extra"],
        [
          { pipeline: "api-demo", params: { n: "seven" } },
          400,
          "PIPELINES_INVALID_PARAM",
          "params.n",
        ],
        [{ pipeline: "api-demo", params: {} }, 400, "PIPELINES_INVALID_PARAM", "params.n"],
        [
          { pipeline: "api-demo", params: { n: 1, m: 2 } },
          400,
          "PIPELINES_INVALID_PARAM",
          "params.m",
        ],
        [{ pipeline: "api-demo", params: { n: 1.5 } }, 400, "PIPELINES_INVALID_PARAM", "params.n"],
        [{ pipeline: "nope" }, 404, "PIPELINES_NOT_REGISTERED", "pipeline"],
        [
          { pipeline: "api-demo", params: { n: "x".repeat(200_000) } },
          400,
          "INVALID_ARGUMENT",
          "params.n",
        ],
      ];
      for (const [body, status, code, field] of cases) {
        const r = await call("POST", "/api/pipelines/runs", body);
        assert.equal(
          r.status,
          status,
          `${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(r.json)}`,
        );
        assert.equal(r.json.error_code, code, JSON.stringify(body).slice(0, 80));
        if (field !== undefined) assert.equal(r.json.field, field, JSON.stringify(r.json));
      }
      const missing = "0".repeat(32);
      for (const [method, path] of [
        ["GET", `/api/pipelines/runs/${missing}`],
        ["GET", `/api/pipelines/runs/${missing}/logs`],
        ["POST", `/api/pipelines/runs/${missing}/cancel`],
      ] as const) {
        const r = await call(method, path);
        assert.equal(r.status, 404, path);
        assert.equal(r.json.error_code, "PIPELINES_RUN_NOT_FOUND");
      }
      const limit = await call("GET", "/api/pipelines/runs?limit=abc");
      assert.equal(limit.status, 400);
      assert.equal(limit.json.field, "limit");
      const unknownQuery = await call("GET", "/api/pipelines/runs?color=red");
      assert.equal(unknownQuery.status, 400);
      const after = (await call("GET", "/api/pipelines/runs?limit=10000")).json.runs as unknown[];
      assert.equal(after.length, before.length, "no bad request started a run");
    });

    test("the server fires a stored schedule", async () => {
      const schedules = createMetadataScheduleStore(server.platform.metadata);
      const s = await schedules.add({
        pipelineName: "api-demo",
        cron: "* * * * * *",
        params: { n: 3 },
      });
      let fired: Array<{ run_id: string; triggered_by: string }> = [];
      for (let i = 0; i < 200 && fired.length === 0; i++) {
        await sleep(50);
        const runs = await call("GET", "/api/pipelines/runs?pipeline=api-demo&limit=100");
        fired = (runs.json.runs as typeof fired).filter(
          (r) => r.triggered_by === `schedule:${s.scheduleId}`,
        );
      }
      await schedules.remove(s.scheduleId);
      assert.ok(fired.length >= 1, "a scheduled run started");
      const run = await until(fired[0]?.run_id as string, (r) => r.status !== "running");
      assert.equal(run.status, "succeeded");
      assert.deepEqual(run.params, { n: 3, hold: false });
      const [fire] = await schedules.fires(s.scheduleId);
      assert.ok(fire?.runId !== null);
    });
  });
}
