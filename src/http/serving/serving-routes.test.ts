import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { createSeededRandom } from "../../core/seeded-random.ts";
import {
  createServingFixture,
  FIXTURE_INPUTS,
  type ServingFixture,
} from "../../serving/testing/serving-fixture.ts";
import { createServer } from "../create-server.ts";

let fx: ServingFixture;
let app: FastifyInstance;
let url = "";
let port = 0;

before(async () => {
  fx = await createServingFixture();
  await fx.platform.deployments.create({
    name: "drivers",
    variants: [
      { name: "champion", model: fx.model, alias: "champion", weight: 100, shadow: false },
    ],
  });
  app = await createServer(fx.platform);
  url = await app.listen({ host: "127.0.0.1", port: 0 });
  port = Number(new URL(url).port);
});
after(async () => {
  await app.close();
  await fx.close();
});

interface Answer {
  status: number;
  type: string;
  text: string;
  json: Record<string, unknown>;
}

/** Sends raw bytes (so hostile bodies go out exactly as written) and reads the answer. */
function call(
  method: string,
  path: string,
  body?: Buffer | string | object,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const bytes =
    body === undefined
      ? undefined
      : Buffer.isBuffer(body)
        ? body
        : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        headers: {
          ...(bytes === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            // /metrics is text
          }
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers["content-type"]),
            text,
            json,
          });
        });
      },
    );
    req.on("error", reject);
    req.end(bytes);
  });
}

const row = (driver: number, amount = 20) => ({
  entities: { driver_id: driver },
  request: { bonus: 0.5, amount },
});

const tensors = (rows: (number | string)[][]) =>
  FIXTURE_INPUTS.map((name, j) => ({
    name,
    shape: [rows.length],
    datatype: name === "city" ? "BYTES" : "FP64",
    data: rows.map((r) => r[j]),
  }));

function assertTypedError(a: Answer, status: number, code: string, field?: string): void {
  assert.equal(a.status, status, a.text);
  assert.equal(a.json.error_code, code, a.text);
  assert.equal(typeof a.json.error, "string", a.text);
  if (field !== undefined) assert.equal(a.json.field, field, a.text);
}

describe("POST /api/deployments/{name}/predict", () => {
  test("scores one row: outputs, model, version, variant and request id", async () => {
    const a = await call("POST", "/api/deployments/drivers/predict", row(1001));
    assert.equal(a.status, 200, a.text);
    assert.match(a.type, /^application\/json/);
    assert.equal(a.json.deployment, "drivers");
    assert.equal(a.json.variant, "champion");
    assert.deepEqual(a.json.model, { name: fx.model, version: "1" });
    const p = (a.json.outputs as { probability: number }).probability;
    assert.ok(p > 0 && p < 1, String(p));
    assert.match(String(a.json.request_id), /\S/);
    const again = await call("POST", "/api/deployments/drivers/predict", row(1001));
    assert.equal((again.json.outputs as { probability: number }).probability, p);
    assert.notEqual(again.json.request_id, a.json.request_id);
  });

  test("scores a batch in order, takes x-request-id, and explains on request", async () => {
    const a = await call(
      "POST",
      "/api/deployments/drivers/predict",
      { instances: [row(1001, 5), row(1002, 90), row(4242, 50)], explain: 2 },
      { "x-request-id": "req-7" },
    );
    assert.equal(a.status, 200, a.text);
    const predictions = a.json.predictions as {
      request_id: string;
      outputs: { probability: number };
      contributions: unknown[];
    }[];
    assert.deepEqual(
      predictions.map((p) => p.request_id),
      ["req-7-0", "req-7-1", "req-7-2"],
    );
    for (const p of predictions) assert.equal(p.contributions.length, 2);
    const single = await call("POST", "/api/deployments/drivers/predict", row(1002, 90));
    assert.equal(
      predictions[1]!.outputs.probability,
      (single.json.outputs as { probability: number }).probability,
    );
  });

  test("unknown deployment 404, bad fields 400 naming them, oversize 413, wrong method 404", async () => {
    assertTypedError(
      await call("POST", "/api/deployments/nope/predict", row(1001)),
      404,
      "DEPLOYMENT_NOT_FOUND",
    );
    assertTypedError(
      await call("POST", "/api/deployments/drivers/predict", {
        entities: { driver_id: "abc" },
        request: { bonus: 1, amount: 2 },
      }),
      400,
      "SERVING_INVALID_INPUT",
      "entities.driver_id",
    );
    assertTypedError(
      await call("POST", "/api/deployments/drivers/predict", {
        entities: { driver_id: 1001 },
        request: { bonus: 1 },
      }),
      400,
      "SERVING_INVALID_INPUT",
      "request.amount",
    );
    assertTypedError(
      await call("POST", "/api/deployments/drivers/predict", { ...row(1001), extra: 1 }),
      400,
      "SERVING_INVALID_INPUT",
      "extra",
    );
    assertTypedError(
      await call("POST", "/api/deployments/drivers/predict", "{nope"),
      400,
      "MALFORMED_REQUEST",
      "body",
    );
    assertTypedError(
      await call("POST", "/api/deployments/drivers/predict", "x".repeat(33 * 1024 * 1024)),
      413,
      "PAYLOAD_TOO_LARGE",
      "body",
    );
    assertTypedError(
      await call("POST", "/api/deployments/drivers/predict", row(1001), {
        "content-type": "text/plain",
      }),
      400,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    assertTypedError(
      await call("POST", "/api/deployments/drivers/predict", row(1001), {
        "x-request-id": "x".repeat(200),
      }),
      400,
      "INVALID_ARGUMENT",
      "x-request-id",
    );
    assertTypedError(
      await call("GET", "/api/deployments/drivers/predict"),
      404,
      "ENDPOINT_NOT_FOUND",
    );
    assertTypedError(
      await call("POST", "/api/deployments/%E0%A4%A/predict", row(1001)),
      400,
      "INVALID_ARGUMENT",
      "name",
    );
  });
});

describe("Open Inference Protocol V2", () => {
  test("server metadata, liveness and readiness", async () => {
    const meta = await call("GET", "/v2");
    assert.equal(meta.status, 200);
    assert.equal(meta.json.name, "plinth");
    assert.ok(Array.isArray(meta.json.extensions));
    assert.deepEqual((await call("GET", "/v2/health/live")).json, { live: true });
    const ready = await call("GET", "/v2/health/ready");
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json, { ready: true });
  });

  test("model metadata, readiness and infer, by deployment and by version", async () => {
    const meta = await call("GET", "/v2/models/drivers");
    assert.equal(meta.status, 200, meta.text);
    assert.equal(meta.json.name, "drivers");
    assert.deepEqual(meta.json.versions, ["1"]);
    assert.deepEqual(
      (meta.json.inputs as { name: string }[]).map((i) => i.name),
      FIXTURE_INPUTS,
    );
    assert.equal((await call("GET", "/v2/models/drivers/versions/1")).status, 200);
    assert.deepEqual((await call("GET", "/v2/models/drivers/ready")).json, {
      name: "drivers",
      ready: true,
    });
    assert.equal((await call("GET", "/v2/models/drivers/versions/1/ready")).status, 200);
    const rows = [
      [0.3, 2, "Paris", 1, 0.8, 20],
      [0.9, 7, "Lyon", 3, 1.2, 95],
    ];
    const infer = await call("POST", "/v2/models/drivers/infer", {
      id: "q1",
      inputs: tensors(rows),
    });
    assert.equal(infer.status, 200, infer.text);
    assert.equal(infer.json.model_name, "drivers");
    assert.equal(infer.json.model_version, "1");
    assert.equal(infer.json.id, "q1");
    const outputs = infer.json.outputs as { name: string; shape: number[]; data: number[] }[];
    assert.equal(outputs[0]!.name, "probability");
    assert.deepEqual(outputs[0]!.shape, [2]);
    const byVersion = await call("POST", "/v2/models/drivers/versions/1/infer", {
      inputs: tensors(rows),
    });
    assert.deepEqual((byVersion.json.outputs as { data: number[] }[])[0]!.data, outputs[0]!.data);
  });

  test("unknown models and versions 404, bad tensors 400, other paths 404, in OIP's shape", async () => {
    // An OIP model is a deployment: an unknown name is the runtime's DEPLOYMENT_NOT_FOUND.
    assertTypedError(await call("GET", "/v2/models/nope"), 404, "DEPLOYMENT_NOT_FOUND");
    assertTypedError(await call("GET", "/v2/models/nope/ready"), 404, "DEPLOYMENT_NOT_FOUND");
    assertTypedError(
      await call("GET", "/v2/models/drivers/versions/9"),
      404,
      "SERVING_MODEL_NOT_FOUND",
    );
    assertTypedError(
      await call("POST", "/v2/models/nope/infer", { inputs: tensors([[0, 0, "Paris", 0, 0, 0]]) }),
      404,
      "DEPLOYMENT_NOT_FOUND",
    );
    assertTypedError(
      await call("POST", "/v2/models/drivers/infer", { inputs: [{ name: "conv_rate" }] }),
      400,
      "SERVING_INVALID_INPUT",
    );
    assertTypedError(await call("GET", "/v2/models/drivers/infer"), 404, "ENDPOINT_NOT_FOUND");
    assertTypedError(await call("POST", "/v2"), 404, "ENDPOINT_NOT_FOUND");
    assertTypedError(await call("GET", "/v2/repository/index"), 404, "ENDPOINT_NOT_FOUND");
    assertTypedError(await call("GET", "/v2/models/"), 400, "INVALID_ARGUMENT", "name");
  });
});

describe("deployment routes and /metrics", () => {
  test("create, read, re-split and delete; the server serves each change at once", async () => {
    const created = await call("POST", "/api/deployments", {
      name: "pinned",
      variants: [{ name: "v2", model: fx.model, version: "2", weight: 100, shadow: false }],
    });
    assert.equal(created.status, 201, created.text);
    assert.equal((created.json.status as { ready: boolean }).ready, true);
    const scored = await call("POST", "/api/deployments/pinned/predict", row(1001));
    assert.equal(scored.status, 200, scored.text);
    assert.deepEqual(scored.json.model, { name: fx.model, version: "2" });

    const listed = await call("GET", "/api/deployments");
    assert.deepEqual(
      (listed.json.deployments as { name: string }[]).map((d) => d.name),
      ["drivers", "pinned"],
    );
    const one = await call("GET", "/api/deployments/drivers");
    assert.equal(one.status, 200);
    const status = one.json.status as { ready: boolean; variants: { version: string }[] };
    assert.equal(status.ready, true);
    assert.equal(status.variants[0]!.version, "1");

    const split = await call("PUT", "/api/deployments/pinned/variants", {
      variants: [
        { name: "a", model: fx.model, version: "1", weight: 50, shadow: false },
        { name: "b", model: fx.model, version: "2", weight: 50, shadow: false },
      ],
    });
    assert.equal(split.status, 200, split.text);
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const a = await call("POST", "/api/deployments/pinned/predict", row(1001));
      seen.add(String(a.json.variant));
    }
    assert.deepEqual([...seen].sort(), ["a", "b"]);

    assert.deepEqual((await call("DELETE", "/api/deployments/pinned")).json, { deleted: "pinned" });
    assertTypedError(
      await call("POST", "/api/deployments/pinned/predict", row(1001)),
      404,
      "DEPLOYMENT_NOT_FOUND",
    );
    assert.equal(
      (await call("GET", "/api/deployments/pinned")).json.error_code,
      "DEPLOYMENT_NOT_FOUND",
    );
  });

  test("refuses bad deployment bodies with the field, and writes nothing", async () => {
    const bad: [string, string, unknown, number, string][] = [
      ["POST", "/api/deployments", [], 400, "MALFORMED_REQUEST"],
      ["POST", "/api/deployments", { name: "x" }, 400, "DEPLOYMENT_INVALID"],
      [
        "POST",
        "/api/deployments",
        {
          name: "x",
          variants: [{ name: "a", model: "ghost", alias: "champion", weight: 100, shadow: false }],
        },
        400,
        "DEPLOYMENT_INVALID",
      ],
      [
        "POST",
        "/api/deployments",
        {
          name: "drivers",
          variants: [{ name: "a", model: fx.model, alias: "champion", weight: 100, shadow: false }],
        },
        409,
        "DEPLOYMENT_ALREADY_EXISTS",
      ],
      [
        "PUT",
        "/api/deployments/drivers/variants",
        { variants: [], more: 1 },
        400,
        "DEPLOYMENT_INVALID",
      ],
      [
        "PUT",
        "/api/deployments/drivers/variants",
        {
          variants: [{ name: "a", model: fx.model, alias: "champion", weight: 60, shadow: false }],
        },
        400,
        "DEPLOYMENT_INVALID",
      ],
      ["PUT", "/api/deployments/ghost/variants", { variants: [] }, 400, "DEPLOYMENT_INVALID"],
      ["DELETE", "/api/deployments/ghost", undefined, 404, "DEPLOYMENT_NOT_FOUND"],
    ];
    for (const [method, path, body, status, code] of bad) {
      const a = await call(method, path, body as object);
      assert.equal(a.status, status, `${method} ${path}: ${a.text}`);
      assert.equal(a.json.error_code, code, `${method} ${path}: ${a.text}`);
    }
    const listed = await call("GET", "/api/deployments");
    assert.deepEqual(
      (listed.json.deployments as { name: string }[]).map((d) => d.name),
      ["drivers"],
    );
    const drivers = await call("GET", "/api/deployments/drivers");
    assert.equal((drivers.json.variants as unknown[]).length, 1);
  });

  test("/metrics is Prometheus text with request, error, latency and prediction-log series", async () => {
    await call("POST", "/api/deployments/drivers/predict", row(1001));
    await call("POST", "/api/deployments/drivers/predict", "{bad");
    const m = await call("GET", "/metrics");
    assert.equal(m.status, 200);
    assert.match(m.type, /^text\/plain; version=0\.0\.4/);
    assert.match(m.text, /deployment="drivers"/);
    assert.match(m.text, /variant="champion"/);
    assert.match(m.text, /_bucket\{[^}]*le="\+Inf"/);
    assert.match(m.text, /code="MALFORMED_REQUEST"/);
    assert.match(m.text, /^plinth_prediction_log_queue_depth \d+$/m);
    assert.match(m.text, /^plinth_prediction_log_dropped_total \d+$/m);
    for (const line of m.text.split("\n")) {
      if (line === "" || line.startsWith("#")) continue;
      assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.e+]+|NaN|[+-]Inf$/, line);
    }
  });

  test("every other path still reaches the Fastify app", async () => {
    assert.equal((await call("GET", "/health")).json.status, "ok");
    assert.equal((await call("GET", "/api/openapi.json")).json.openapi, "3.1.0");
    assert.equal((await call("GET", "/api/deployments/x/predict/more")).status, 404);
  });
});

describe("fuzz: random and hostile JSON", () => {
  /** Deep, huge, wrong-typed and prototype-polluting values, mixed with valid fragments. */
  function hostileValue(rng: ReturnType<typeof createSeededRandom>, depth: number): unknown {
    const k = rng.nextInt(14);
    if (depth > 3) return k % 2 === 0 ? 1 : "x";
    switch (k) {
      case 0:
        return null;
      case 1:
        return rng.next() < 0.5 ? 1e308 * 10 : -1e308;
      case 2:
        return "x".repeat(rng.nextInt(5000));
      case 3:
        return rng.nextInt(1_000_000) - 500_000;
      case 4:
        return rng.next() < 0.5;
      case 5:
        return [hostileValue(rng, depth + 1), hostileValue(rng, depth + 1)];
      case 6:
        return JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}');
      case 7:
        return { driver_id: hostileValue(rng, depth + 1) };
      case 8:
        return { bonus: hostileValue(rng, depth + 1), amount: hostileValue(rng, depth + 1) };
      case 9:
        return 2 ** 53 + 2;
      case 10:
        return "\u0000\ud800";
      case 11:
        return {};
      case 12:
        return row(1001);
      default:
        return Array.from({ length: rng.nextInt(20) }, () => hostileValue(rng, depth + 1));
    }
  }

  const rawBodies = [
    "[".repeat(100_000) + "]".repeat(100_000),
    '{"a":'.repeat(50_000) + "1" + "}".repeat(50_000),
    "1".repeat(10_000),
    "-",
    "null",
    '"text"',
    "[]",
    "{}",
    '{"entities":{"driver_id":1e999},"request":{}}',
    '{"entities":{"__proto__":{"driver_id":1001}},"request":{"bonus":1,"amount":1}}',
    '{"instances":' + JSON.stringify(Array.from({ length: 5000 }, () => row(1001))) + "}",
    '{"inputs":[{"name":"x","shape":[1e9,1e9],"datatype":"FP64","data":[]}]}',
    '{"inputs":[{"name":"conv_rate","shape":[-1],"datatype":"FP64","data":[1]}]}',
  ];
  const invalidUtf8 = [
    Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
    Buffer.from([0xc0, 0xaf]),
    Buffer.concat([
      Buffer.from('{"entities":{"driver_id":1001},"request":{"bonus":"'),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from('"}}'),
    ]),
  ];
  const paths = [
    "/api/deployments/drivers/predict",
    "/v2/models/drivers/infer",
    "/v2/models/drivers/versions/1/infer",
  ];

  test("never a 500, never a crash: every answer is 200 or a typed 4xx with error", async () => {
    const rng = createSeededRandom(99);
    const bodies: (string | Buffer)[] = [...rawBodies, ...invalidUtf8];
    for (let i = 0; i < 150; i++) {
      const top = rng.nextInt(4);
      const value =
        top === 0
          ? hostileValue(rng, 0)
          : top === 1
            ? {
                entities: hostileValue(rng, 1),
                request: hostileValue(rng, 1),
                explain: hostileValue(rng, 2),
              }
            : top === 2
              ? { instances: hostileValue(rng, 1) }
              : {
                  inputs: [
                    {
                      name: hostileValue(rng, 2),
                      shape: hostileValue(rng, 2),
                      datatype: hostileValue(rng, 2),
                      data: hostileValue(rng, 2),
                    },
                  ],
                };
      bodies.push(JSON.stringify(value) ?? "null");
    }
    let ok = 0;
    for (const body of bodies) {
      for (const path of paths) {
        const a = await call("POST", path, Buffer.isBuffer(body) ? body : Buffer.from(body));
        if (a.status === 200) {
          ok++;
          continue;
        }
        assert.ok(
          a.status >= 400 && a.status < 500,
          `${path} ${a.status}: ${a.text.slice(0, 300)} for ${String(body).slice(0, 200)}`,
        );
        assert.equal(typeof a.json.error, "string", a.text.slice(0, 300));
        assert.equal(typeof a.json.error_code, "string", a.text.slice(0, 300));
      }
    }
    assert.ok(ok > 0, "some fuzzed bodies are valid and score");
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.hasOwn(Object.prototype, "driver_id"), false);
    // The server is still up and scoring.
    const after = await call("POST", "/api/deployments/drivers/predict", row(1001));
    assert.equal(after.status, 200);
  });
});
