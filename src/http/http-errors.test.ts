import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { listRoutes } from "./create-server.ts";
import { OPENAPI_DOCUMENT } from "./openapi.ts";
import { startTestServer, type TestServer } from "./testing/start-test-server.ts";

let server: TestServer;
before(async () => {
  server = await startTestServer({ bodyLimitBytes: 64 * 1024 });
});
after(() => server.close());

const api = (path: string) => `${server.url}/api/2.0/mlflow${path}`;

async function call(method: string, url: string, body?: unknown, contentType = "application/json") {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { "content-type": contentType },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // A non-JSON body is asserted on by the caller.
  }
  return { status: response.status, json, text };
}

/** Every error is typed, names its field, and never leaks a stack trace. */
function assertError(
  r: { status: number; json: Record<string, unknown>; text: string },
  status: number,
  code: string,
  mentions?: string,
) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.error_code, code, r.text);
  assert.equal(typeof r.json.message, "string");
  assert.doesNotMatch(r.text, /\bat .+\.(ts|js):\d+/);
  if (mentions !== undefined)
    assert.match(String(r.json.message), new RegExp(mentions.replace(/[.[\]]/g, "\\$&")));
}

async function newRun() {
  const exp = await call("POST", api("/experiments/create"), { name: `e-${Math.random()}` });
  const run = await call("POST", api("/runs/create"), { experiment_id: exp.json.experiment_id });
  return (run.json.run as { info: { run_id: string } }).info.run_id;
}

describe("malformed requests", () => {
  test("invalid JSON, non-object bodies and prototype pollution are 400 MALFORMED_REQUEST", async () => {
    assertError(
      await call("POST", api("/experiments/create"), "{not json"),
      400,
      "MALFORMED_REQUEST",
    );
    assertError(await call("POST", api("/experiments/create"), "[1,2]"), 400, "MALFORMED_REQUEST");
    assertError(
      await call("POST", api("/experiments/create"), '"just a string"'),
      400,
      "MALFORMED_REQUEST",
    );
    assertError(
      await call("POST", api("/experiments/create"), '{"name":"x","__proto__":{"admin":true}}'),
      400,
      "MALFORMED_REQUEST",
    );
  });

  test("a POST body that is not JSON is refused with MLflow's 400 INVALID_PARAMETER_VALUE", async () => {
    assertError(
      await call("POST", api("/experiments/create"), "name=x", "text/plain"),
      400,
      "INVALID_PARAMETER_VALUE",
      "Content-Type",
    );
  });

  test("wrong types and missing fields name the field", async () => {
    assertError(
      await call("POST", api("/experiments/create"), { name: 123 }),
      400,
      "INVALID_PARAMETER_VALUE",
      "'name'",
    );
    assertError(
      await call("POST", api("/experiments/create"), {}),
      400,
      "INVALID_PARAMETER_VALUE",
      "Missing value for required parameter 'name'",
    );
    const runId = await newRun();
    assertError(
      await call("POST", api("/runs/log-metric"), { run_id: runId, value: 1, timestamp: 1 }),
      400,
      "INVALID_PARAMETER_VALUE",
      "'key'",
    );
    assertError(
      await call("POST", api("/runs/log-metric"), {
        run_id: runId,
        key: "m",
        value: "high",
        timestamp: 1,
      }),
      400,
      "INVALID_PARAMETER_VALUE",
      "'value'",
    );
    assertError(
      await call("POST", api("/runs/log-batch"), {
        run_id: runId,
        metrics: [{ key: "m", value: 1, timestamp: "soon" }],
      }),
      400,
      "INVALID_PARAMETER_VALUE",
      "metrics[0].timestamp",
    );
    assertError(
      await call("GET", api("/metrics/get-history?run_id=" + runId)),
      400,
      "INVALID_PARAMETER_VALUE",
      "metric_key",
    );
    assertError(
      await call("GET", api(`/metrics/get-history?run_id=${runId}&metric_key=m&max_results=-5`)),
      400,
      "INVALID_PARAMETER_VALUE",
      "max_results",
    );
    assertError(
      await call("POST", api("/runs/search"), { experiment_ids: ["0"], filter: "metrics.x >>> 1" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    assertError(
      await call("POST", api("/runs/search"), { experiment_ids: "0; drop table runs" }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    assertError(
      await call("POST", api("/model-versions/transition-stage"), {
        name: "m",
        version: "1",
        stage: "Staging",
        archive_existing_versions: "maybe",
      }),
      400,
      "INVALID_PARAMETER_VALUE",
      "archive_existing_versions",
    );
  });

  test("hostile values: a huge filter, non-finite metrics as strings, SQL in strings", async () => {
    const runId = await newRun();
    assertError(
      await call("POST", api("/runs/search"), {
        experiment_ids: ["0"],
        filter: `params.a = '${"x".repeat(20_000)}'`,
      }),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    const nan = await call("POST", api("/runs/log-metric"), {
      run_id: runId,
      key: "m",
      value: "NaN",
      timestamp: 1,
    });
    assert.equal(nan.status, 200, nan.text);
    const run = await call("GET", api(`/runs/get?run_id=${runId}`));
    assert.deepEqual((run.json.run as { data: { metrics: unknown[] } }).data.metrics, [
      { key: "m", value: "NaN", timestamp: 1, step: 0 },
    ]);
    const sqlish = await call("POST", api("/runs/log-parameter"), {
      run_id: runId,
      key: "p",
      value: "'); drop table runs; --",
    });
    assert.equal(sqlish.status, 200);
    const found = await call("POST", api("/runs/search"), {
      experiment_ids: [(run.json.run as { info: { experiment_id: string } }).info.experiment_id],
      filter: "params.p = ''); drop table runs; --'",
    });
    assert.equal(found.status, 400); // the quote ends the literal early: a parse error, not an injection
  });

  test("oversize bodies are 413", async () => {
    const r = await call("POST", api("/experiments/create"), { name: "x".repeat(100 * 1024) });
    assertError(r, 413, "INVALID_PARAMETER_VALUE");
  });

  test("unknown routes are 404 ENDPOINT_NOT_FOUND; plinth routes use plinth's codes", async () => {
    assertError(await call("GET", api("/nope")), 404, "ENDPOINT_NOT_FOUND");
    const r = await call("GET", `${server.url}/api/registry/models/missing/history`);
    assertError(r, 404, "REGISTRY_MODEL_NOT_FOUND");
    assert.equal(r.json.field, "name");
  });
});

describe("unknown ids and conflicting writes", () => {
  test("missing objects are 404 RESOURCE_DOES_NOT_EXIST, a missing alias is 400", async () => {
    assertError(
      await call("GET", api(`/runs/get?run_id=${"a".repeat(32)}`)),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    assertError(
      await call("GET", api("/experiments/get?experiment_id=987654")),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    assertError(
      await call("GET", api("/registered-models/get?name=ghost")),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    await call("POST", api("/registered-models/create"), { name: "m-alias" });
    assertError(
      await call("GET", api("/registered-models/alias?name=m-alias&alias=champion")),
      400,
      "INVALID_PARAMETER_VALUE",
    );
    assertError(
      await call("GET", api("/model-versions/get?name=m-alias&version=3")),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
  });

  test("duplicates are RESOURCE_ALREADY_EXISTS; changed params are refused and the batch leaves nothing", async () => {
    await call("POST", api("/experiments/create"), { name: "dup" });
    assertError(
      await call("POST", api("/experiments/create"), { name: "dup" }),
      400,
      "RESOURCE_ALREADY_EXISTS",
    );
    await call("POST", api("/registered-models/create"), { name: "dup-model" });
    assertError(
      await call("POST", api("/registered-models/create"), { name: "dup-model" }),
      400,
      "RESOURCE_ALREADY_EXISTS",
    );

    const runId = await newRun();
    await call("POST", api("/runs/log-parameter"), { run_id: runId, key: "lr", value: "0.1" });
    assertError(
      await call("POST", api("/runs/log-batch"), {
        run_id: runId,
        metrics: [{ key: "ghost", value: 1, timestamp: 1 }],
        params: [{ key: "lr", value: "0.5" }],
      }),
      400,
      "INVALID_PARAMETER_VALUE",
      "Changing param values is not allowed",
    );
    const run = await call("GET", api(`/runs/get?run_id=${runId}`));
    assert.equal((run.json.run as { data: { metrics?: unknown[] } }).data.metrics, undefined);
  });

  test("log-batch limits: over 1000 metrics is 400 and writes nothing", async () => {
    const runId = await newRun();
    const metrics = Array.from({ length: 1001 }, (_, i) => ({
      key: "m",
      value: i,
      timestamp: i,
      step: i,
    }));
    assertError(
      await call("POST", api("/runs/log-batch"), { run_id: runId, metrics }),
      400,
      "INVALID_PARAMETER_VALUE",
      "1000 metrics",
    );
    const history = await call("GET", api(`/metrics/get-history?run_id=${runId}&metric_key=m`));
    assert.deepEqual(history.json, {});
  });
});

describe("artifacts", () => {
  test("path traversal is refused and nothing lands outside the artifact root", async () => {
    for (const path of [
      "..%2F..%2Fescape.txt",
      "0/%2E%2E/%2E%2E/escape.txt",
      "a/..%2F..%2F..%2Fescape.txt",
      "%2Fetc%2Fpasswd",
    ]) {
      const r = await call(
        "PUT",
        `${server.url}/api/2.0/mlflow-artifacts/artifacts/${path}`,
        "evil",
        "application/octet-stream",
      );
      assert.ok(r.status === 400 || r.status === 404, `${path}: ${r.status} ${r.text}`);
    }
    const list = await call("GET", `${server.url}/api/2.0/mlflow-artifacts/artifacts?path=..%2F..`);
    assertError(list, 400, "INVALID_PARAMETER_VALUE");
    assert.ok(!existsSync(join(server.home, "escape.txt")));
    assert.ok(!existsSync(join(server.home, "..", "escape.txt")));
    assert.ok(!readdirSync(server.home).includes("escape.txt"));
  });

  test("upload, list, download and delete round-trip, with streaming bodies bigger than the JSON limit", async () => {
    const big = Buffer.alloc(256 * 1024, 7);
    const put = await call(
      "PUT",
      `${server.url}/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/big.bin`,
      big.toString("latin1"),
      "application/octet-stream",
    );
    assert.equal(put.status, 200, put.text);
    const got = await fetch(
      `${server.url}/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/big.bin`,
    );
    assert.equal(got.status, 200);
    assert.equal(got.headers.get("content-type"), "application/octet-stream");
    assert.deepEqual(Buffer.from(await got.arrayBuffer()), big);
    const list = await call(
      "GET",
      `${server.url}/api/2.0/mlflow-artifacts/artifacts?path=0%2Fr%2Fartifacts`,
    );
    assert.deepEqual(list.json, {
      files: [{ path: "big.bin", is_dir: false, file_size: big.length }],
    });
    assertError(
      await call(
        "GET",
        `${server.url}/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/missing.bin`,
      ),
      404,
      "RESOURCE_DOES_NOT_EXIST",
    );
    const del = await call(
      "DELETE",
      `${server.url}/api/2.0/mlflow-artifacts/artifacts/0/r/artifacts/big.bin`,
    );
    assert.equal(del.status, 200);
    assert.deepEqual(
      (await call("GET", `${server.url}/api/2.0/mlflow-artifacts/artifacts?path=0%2Fr%2Fartifacts`))
        .json,
      {},
    );
    const mpu = await call("POST", `${server.url}/api/2.0/mlflow-artifacts/mpu/create/0/r/x`, {});
    assert.match(String(mpu.json.message), /^Multipart upload is not supported/);
  });
});

test("every plinth route outside the MLflow API is in the OpenAPI document", async () => {
  const documented = new Set(
    Object.entries(OPENAPI_DOCUMENT.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
    ),
  );
  const own = listRoutes(server.app).filter(
    (r) => !r.includes("/api/2.0/") && !r.startsWith("HEAD "),
  );
  assert.ok(own.length >= 3);
  for (const route of own)
    assert.ok(documented.has(route), `${route} is missing from the OpenAPI document`);
  const doc = await call("GET", `${server.url}/api/openapi.json`);
  assert.equal(doc.json.openapi, "3.1.0");
});
