import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { createSeededRandom, type SeededRandom } from "../../core/seeded-random.ts";
import { rejectsWithCode } from "../../core/testing/rejects-with-code.ts";
import {
  deleteKeysWithPrefix,
  TEST_REDIS_URL,
  uniqueKeyPrefix,
} from "../../features/online/testing/redis-test-url.ts";
import { loadServedModel } from "../models/load-served-model.ts";
import type { ServedModel } from "../models/served-model.ts";
import type { RowPrediction, ServingRuntime } from "../serving-runtime.ts";
import {
  createServingFixture,
  FIXTURE_INPUTS,
  type ServingFixture,
} from "../testing/serving-fixture.ts";
import { createServingRuntime } from "./create-serving-runtime.ts";

let fx: ServingFixture;
let runtime: ServingRuntime;
let v1: ServedModel;
let v2: ServedModel;

before(async () => {
  fx = await createServingFixture();
  v1 = await loadServedModel(fx.platform, fx.model, "1");
  v2 = await loadServedModel(fx.platform, fx.model, "2");
  await fx.platform.deployments.create({
    name: "oip",
    variants: [
      { name: "champion", model: fx.model, alias: "champion", weight: 100, shadow: false },
      { name: "shadow", model: fx.model, version: "2", weight: 0, shadow: true },
    ],
  });
  runtime = await createServingRuntime({
    platform: fx.platform,
    predictionLog: fx.predictionLog,
    pollIntervalMs: 60_000,
  });
});
after(async () => {
  await runtime.close();
  await fx.close();
});

const tensors = (rows: number[][]) =>
  FIXTURE_INPUTS.map((name, j) => ({
    name,
    shape: [rows.length],
    datatype: name === "city" ? "BYTES" : "FP64",
    data: rows.map((r) => (name === "city" ? (r[j] === 1 ? "Paris" : "Lyon") : r[j])),
  }));

describe("Open Inference Protocol V2", () => {
  test("named tensors or one [n, inputs] tensor score like the model; versions route", async () => {
    const rows = [
      [0.3, 2, 1, 1, 0.8, 20],
      [0.9, 7, 0, 3, 1.2, 95],
    ];
    const paris = v1.categoryCodes[2]!.get("Paris")!;
    const lyon = v1.categoryCodes[2]!.get("Lyon")!;
    const flat = Float64Array.from(
      rows.flatMap((r) => r.map((x, j) => (j === 2 ? (x === 1 ? paris : lyon) : x))),
    );
    const answer = await runtime.infer("oip", undefined, { id: "q1", inputs: tensors(rows) });
    assert.equal(answer.model_name, "oip");
    assert.equal(answer.model_version, "1");
    assert.equal(answer.id, "q1");
    assert.deepEqual(answer.outputs, [
      { name: "probability", shape: [2], datatype: "FP64", data: [...v1.predict(flat, 2)] },
    ]);
    const matrix = rows.map((r) => r.map((x, j) => (j === 2 ? (x === 1 ? "Paris" : "Lyon") : x)));
    const single = await runtime.infer("oip", "2", {
      inputs: [{ name: "input", shape: [2, 6], datatype: "BYTES", data: matrix }],
    });
    assert.equal(single.model_version, "2");
    assert.deepEqual(single.outputs[0]!.data, [...v2.predict(flat, 2)]);
    assert.ok(
      (await fx.readLog("oip")).some((r) => r.requestId === "q1-0" && r.modelVersion === "1"),
    );
    await rejectsWithCode(
      runtime.infer("oip", "9", { inputs: tensors(rows) }),
      "SERVING_MODEL_NOT_FOUND",
      "version",
    );
    await rejectsWithCode(
      runtime.infer("nope", undefined, { inputs: tensors(rows) }),
      "DEPLOYMENT_NOT_FOUND",
    );
  });

  test("metadata and readiness", () => {
    assert.deepEqual(runtime.serverMetadata().name, "plinth");
    assert.equal(runtime.ready(), true);
    assert.equal(runtime.modelReady("oip"), true);
    assert.equal(runtime.modelReady("oip", "2"), true);
    assert.equal(runtime.modelReady("oip", "3"), false);
    assert.equal(runtime.modelReady("nope"), false);
    const meta = runtime.modelMetadata("oip");
    assert.deepEqual(meta.versions, ["1", "2"]);
    assert.equal(meta.platform, "plinth-gbdt");
    assert.deepEqual(
      meta.inputs.map((i) => [i.name, i.datatype]),
      FIXTURE_INPUTS.map((n) => [n, n === "city" ? "BYTES" : "FP64"]),
    );
    assert.deepEqual(meta.outputs, [{ name: "probability", datatype: "FP64", shape: [-1] }]);
    assert.throws(
      () => runtime.modelMetadata("nope"),
      (e: unknown) => isPlinthError(e, "DEPLOYMENT_NOT_FOUND"),
    );
  });

  test("bad tensors are SERVING_INVALID_INPUT naming the field", async () => {
    const good = tensors([[0.3, 2, 1, 1, 0.8, 20]]);
    const cases: Array<[unknown, string]> = [
      [null, "body"],
      [{}, "inputs"],
      [{ inputs: [] }, "inputs"],
      [{ inputs: good, extra: 1 }, "extra"],
      [{ inputs: good, id: 7 }, "id"],
      [{ inputs: good.slice(1) }, "inputs.conv_rate"],
      [{ inputs: [...good, good[0]] }, "inputs"],
      [{ inputs: [{ ...good[0], name: "other" }, ...good.slice(1)] }, "inputs.0.name"],
      [{ inputs: [{ ...good[0], shape: [2] }, ...good.slice(1)] }, "inputs.0.data"],
      [{ inputs: [{ ...good[0], shape: [1, 2] }, ...good.slice(1)] }, "inputs.0.data"],
      [{ inputs: [{ ...good[0], shape: [-1] }, ...good.slice(1)] }, "inputs.0.shape"],
      [{ inputs: [{ ...good[0], shape: [1e12] }, ...good.slice(1)] }, "inputs.0.shape"],
      [{ inputs: [{ ...good[0], shape: "1" }, ...good.slice(1)] }, "inputs.0.shape"],
      [{ inputs: [{ ...good[0], datatype: "FP128" }, ...good.slice(1)] }, "inputs.0.datatype"],
      [{ inputs: [{ ...good[0], data: ["0.3"] }, ...good.slice(1)] }, "inputs.0.data"],
      [
        { inputs: [{ ...good[0], datatype: "BYTES", data: ["0.3"] }, ...good.slice(1)] },
        "inputs.0.data",
      ],
      [
        { inputs: [{ ...good[0], datatype: "BOOL", data: [1] }, ...good.slice(1)] },
        "inputs.0.data",
      ],
      [
        { inputs: [{ ...good[0], data: [Number.POSITIVE_INFINITY] }, ...good.slice(1)] },
        "inputs.0.data",
      ],
      [{ inputs: [{ ...good[0], data: [[[0.3]]] }, ...good.slice(1)] }, "inputs.0.data"],
      [{ inputs: [{ ...good[0], data: "x" }, ...good.slice(1)] }, "inputs.0.data"],
      [{ inputs: [{ ...good[0], extra: 1 }, ...good.slice(1)] }, "inputs.0.extra"],
      [
        {
          inputs: [good[0], good[1], { ...good[2], datatype: "FP64", data: [1] }, ...good.slice(3)],
        },
        "inputs.2.data",
      ],
      [
        { inputs: [{ name: "input", shape: [1, 5], datatype: "FP64", data: [1, 2, 3, 4, 5] }] },
        "inputs.0.shape",
      ],
      [{ inputs: good, outputs: [{ name: "nope" }] }, "outputs.0.name"],
      [{ inputs: [7] }, "inputs.0"],
    ];
    for (const [body, field] of cases) {
      await assert.rejects(runtime.infer("oip", undefined, body), (e: unknown) => {
        assert.ok(isPlinthError(e), String(e));
        assert.equal(
          e.code,
          "SERVING_INVALID_INPUT",
          `${JSON.stringify(body)?.slice(0, 300)}: ${e.message}`,
        );
        assert.equal(e.field, field, e.message);
        return true;
      });
    }
  });

  test("the Prometheus text is well formed: HELP/TYPE once per family, cumulative buckets", () => {
    const text = runtime.metrics.toPrometheus();
    const families = text.split("\n").filter((l) => l.startsWith("# TYPE "));
    assert.equal(new Set(families).size, families.length);
    const buckets = text
      .split("\n")
      .filter((l) =>
        l.startsWith(
          'plinth_serving_request_duration_seconds_bucket{deployment="oip",variant="champion"',
        ),
      )
      .map((l) => Number(l.split(" ").pop()));
    assert.equal(buckets.length, 16);
    assert.deepEqual(
      buckets,
      [...buckets].sort((a, b) => a - b),
    );
    const count = text.match(
      /plinth_serving_request_duration_seconds_count\{deployment="oip",variant="champion"\} (\d+)/,
    );
    assert.equal(Number(count?.[1]), buckets[buckets.length - 1]);
    for (const line of text.split("\n")) {
      if (line === "" || line.startsWith("#")) continue;
      assert.match(line, /^[a-z_]+\{[^}]*\} -?[\d.e+-]+$/, line);
    }
  });
});

/** A random JSON value, biased towards the shapes the parsers look for, nested at most `depth`. */
function randomJson(random: SeededRandom, depth: number): unknown {
  const keys = [
    "entities",
    "request",
    "instances",
    "explain",
    "inputs",
    "name",
    "shape",
    "datatype",
    "data",
    "driver_id",
    "bonus",
    "amount",
    "city",
    "conv_rate",
    "__proto__",
    "constructor",
    "id",
    "outputs",
    "",
  ];
  const pick = random.nextInt(depth <= 0 ? 6 : 9);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return random.next() < 0.5;
    case 2:
      return [0, -1, 1.5, 1e308, -0, 2 ** 53 + 2, 1001, 7][random.nextInt(8)];
    case 3:
      return [
        "",
        "Paris",
        "FP64",
        "BYTES",
        "1001",
        "x".repeat(random.nextInt(3000)),
        "\u0000",
        "__proto__",
      ][random.nextInt(8)];
    case 4:
      return random.nextInt(5);
    case 5:
      return keys[random.nextInt(keys.length)];
    case 6:
    case 7: {
      const out: Record<string, unknown> = {};
      const n = random.nextInt(5);
      for (let i = 0; i < n; i++)
        out[keys[random.nextInt(keys.length)]!] = randomJson(random, depth - 1);
      return JSON.parse(JSON.stringify(out));
    }
    default:
      return Array.from({ length: random.nextInt(4) }, () => randomJson(random, depth - 1));
  }
}

/** `value` with one random node replaced by random JSON, a key added, or a key removed. */
function mutate(value: unknown, random: SeededRandom): unknown {
  if (random.next() < 0.25 || value === null || typeof value !== "object") {
    return randomJson(random, 2);
  }
  if (Array.isArray(value)) {
    const copy = [...value];
    if (copy.length === 0 || random.next() < 0.1) copy.push(randomJson(random, 2));
    else {
      const i = random.nextInt(copy.length);
      copy[i] = mutate(copy[i], random);
    }
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (keys.length === 0 || random.next() < 0.1) {
    copy[String(randomJson(random, 0))] = randomJson(random, 2);
  } else {
    const k = keys[random.nextInt(keys.length)]!;
    if (random.next() < 0.1) delete copy[k];
    else copy[k] = mutate(copy[k], random);
  }
  return copy;
}

describe("fuzz", () => {
  test("random and mutated hostile JSON gets a typed 4xx error or an answer, never a bug", async () => {
    const random = createSeededRandom(5);
    const validPredict = {
      instances: [{ entities: { driver_id: 1001 }, request: { bonus: 1, amount: 3 } }],
      explain: 2,
    };
    const validInfer = { id: "f", inputs: tensors([[0.3, 2, 1, 1, 0.8, 20]]) };
    let answered = 0;
    for (let i = 0; i < 3000; i++) {
      const predictBody = i % 3 === 0 ? randomJson(random, 4) : mutate(validPredict, random);
      const inferBody = i % 3 === 0 ? randomJson(random, 4) : mutate(validInfer, random);
      const calls = [
        [predictBody, () => runtime.predict("oip", predictBody)],
        [inferBody, () => runtime.infer("oip", undefined, inferBody)],
      ] as const;
      for (const [body, call] of calls) {
        try {
          await call();
          answered++;
        } catch (error) {
          assert.ok(
            isPlinthError(error),
            `${JSON.stringify(body)?.slice(0, 300)} threw ${String(error)}`,
          );
          assert.ok(
            error.httpStatus >= 400 && error.httpStatus < 500,
            `${error.code}: ${error.message}`,
          );
          assert.ok(error.message.length < 2000, error.message.slice(0, 300));
        }
      }
    }
    // Most mutants are refused; the point is that none is a bug. Some still parse.
    assert.ok(answered > 0 && answered < 6000, String(answered));
  });
});

describe("serving from a Redis online store", { skip: TEST_REDIS_URL === "" }, () => {
  test("the same predictions as from SQLite", async () => {
    const keyPrefix = uniqueKeyPrefix();
    const redisFx = await createServingFixture({ redis: { url: TEST_REDIS_URL, keyPrefix } });
    try {
      await redisFx.platform.deployments.create({
        name: "drivers",
        variants: [
          { name: "champion", model: redisFx.model, alias: "champion", weight: 100, shadow: false },
        ],
      });
      const r = await createServingRuntime({ platform: redisFx.platform, pollIntervalMs: 60_000 });
      try {
        const body = { entities: { driver_id: 1001 }, request: { bonus: 0.5, amount: 40 } };
        const answer = (await r.predict("drivers", body)) as RowPrediction;
        const model = await loadServedModel(redisFx.platform, redisFx.model, "1");
        const paris = model.categoryCodes[2]!.get("Paris")!;
        assert.equal(
          answer.outputs.probability,
          model.predict(Float64Array.of(0.25, 5, paris, Number.NaN, 0.75, 40), 1)[0],
        );
      } finally {
        await r.close();
      }
    } finally {
      await redisFx.close();
      await deleteKeysWithPrefix(TEST_REDIS_URL, keyPrefix);
    }
  });
});
