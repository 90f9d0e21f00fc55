import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { rejectsWithCode } from "../../core/testing/rejects-with-code.ts";
import { createSqliteMetadataStore } from "../../metadata/sqlite/create-sqlite-metadata-store.ts";
import { createMetadataDeploymentStore } from "../deployments/create-metadata-deployment-store.ts";
import { loadServedModel } from "../models/load-served-model.ts";
import type { ServedModel } from "../models/served-model.ts";
import type { BatchPrediction, RowPrediction, ServingRuntime } from "../serving-runtime.ts";
import { createServingFixture, type ServingFixture } from "../testing/serving-fixture.ts";
import { createServingRuntime } from "./create-serving-runtime.ts";

let fx: ServingFixture;
let runtime: ServingRuntime;
const models = new Map<string, ServedModel>();

/** What the model must see for driver 1001 (online) with the given request fields. */
function vector1001(bonus: number, amount: number): Float64Array {
  // conv_rate, trips, city (Paris's code), trips_today (not found), conv_plus_bonus, amount
  const city = models.get("1")!.categoryCodes[2]!.get("Paris")!;
  return Float64Array.of(0.25, 5, city, Number.NaN, 0.25 + bonus, amount);
}

function expected(version: string, row: Float64Array): number {
  return models.get(version)!.predict(row, 1)[0]!;
}

before(async () => {
  fx = await createServingFixture();
  for (const v of ["1", "2"]) models.set(v, await loadServedModel(fx.platform, fx.model, v));
  await fx.platform.deployments.create({
    name: "drivers",
    variants: [
      { name: "champion", model: fx.model, alias: "champion", weight: 100, shadow: false },
    ],
  });
  await fx.platform.deployments.create({
    name: "split",
    stickyKey: "driver_id",
    variants: [
      { name: "champion", model: fx.model, alias: "champion", weight: 80, shadow: false },
      { name: "challenger", model: fx.model, version: "2", weight: 20, shadow: false },
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

describe("serving runtime", () => {
  test("predicts with the online features and the request fields, as the model scores that vector", async () => {
    const answer = (await runtime.predict(
      "drivers",
      { entities: { driver_id: 1001 }, request: { bonus: 0.5, amount: 40 } },
      { requestId: "req-1" },
    )) as RowPrediction;
    assert.equal(answer.request_id, "req-1");
    assert.equal(answer.deployment, "drivers");
    assert.equal(answer.variant, "champion");
    assert.deepEqual(answer.model, { name: fx.model, version: "1" });
    assert.deepEqual(Object.keys(answer.outputs), ["probability"]);
    assert.equal(answer.outputs.probability, expected("1", vector1001(0.5, 40)));
    assert.equal(answer.contributions, undefined);
    const logged = (await fx.readLog("drivers")).find((r) => r.requestId === "req-1");
    assert.ok(logged);
    assert.equal(logged.shadow, false);
    assert.deepEqual(logged.entities, { driver_id: 1001 });
    assert.deepEqual(logged.features, {
      conv_rate: 0.25,
      trips: 5,
      city: "Paris",
      trips_today: null,
      conv_plus_bonus: 0.75,
      amount: 40,
    });
    assert.deepEqual(logged.outputs, answer.outputs);
  });

  test("a feature not found online is a missing value, counted, not an error", async () => {
    const answer = (await runtime.predict("drivers", {
      entities: { driver_id: 424242 },
      request: { bonus: 1, amount: 10 },
    })) as RowPrediction;
    const row = Float64Array.of(Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, 10);
    assert.equal(answer.outputs.probability, expected("1", row));
    const text = runtime.metrics.toPrometheus();
    assert.match(
      text,
      /plinth_serving_missing_features_total\{deployment="drivers",feature="conv_rate"\} [1-9]/,
    );
    assert.match(
      text,
      /plinth_serving_requests_total\{deployment="drivers",variant="champion"\} [1-9]/,
    );
    assert.match(
      text,
      /plinth_serving_feature_lookup_duration_seconds_count\{deployment="drivers"\} [1-9]/,
    );
  });

  test("a batch answers per instance with its own request id; explain gives top-k TreeSHAP", async () => {
    const answer = (await runtime.predict(
      "drivers",
      {
        instances: [
          { entities: { driver_id: 1001 }, request: { bonus: 0, amount: 5 } },
          { entities: { driver_id: 1002 }, request: { bonus: 2, amount: 90 } },
        ],
        explain: 3,
      },
      { requestId: "b" },
    )) as BatchPrediction;
    assert.equal(answer.deployment, "drivers");
    assert.deepEqual(
      answer.predictions.map((p) => p.request_id),
      ["b-0", "b-1"],
    );
    assert.equal(answer.predictions[0]!.outputs.probability, expected("1", vector1001(0, 5)));
    for (const p of answer.predictions) {
      assert.equal(p.contributions?.length, 3);
      const sizes = p.contributions!.map((c) => Math.abs(c.value));
      assert.deepEqual(
        sizes,
        [...sizes].sort((a, b) => b - a),
      );
    }
  });

  test("bad input is SERVING_INVALID_INPUT naming the field; unknown deployments are 404", async () => {
    const ok = { entities: { driver_id: 1001 }, request: { bonus: 1, amount: 3 } };
    const cases: Array<[unknown, string]> = [
      [null, "body"],
      [[ok], "body"],
      ["text", "body"],
      [{ ...ok, extra: 1 }, "extra"],
      [{ entities: {}, request: ok.request }, "entities.driver_id"],
      [{ entities: { driver_id: "x" }, request: ok.request }, "entities.driver_id"],
      [{ entities: { driver_id: 1.5 }, request: ok.request }, "entities.driver_id"],
      [{ entities: { driver_id: 1001, card: 1 }, request: ok.request }, "entities.card"],
      [{ entities: [1001], request: ok.request }, "entities"],
      [{ entities: ok.entities, request: "x" }, "request"],
      [{ entities: ok.entities, request: { amount: 3 } }, "request.bonus"],
      [{ entities: ok.entities, request: { bonus: "1", amount: 3 } }, "request.bonus"],
      [{ entities: ok.entities, request: { bonus: 1 } }, "request.amount"],
      [{ entities: ok.entities, request: { bonus: 1, amount: "3" } }, "request.amount"],
      [{ entities: ok.entities, request: { bonus: 1, amount: [3] } }, "request.amount"],
      [{ entities: ok.entities, request: { bonus: 1, amount: {} } }, "request.amount"],
      [{ entities: ok.entities, request: { ...ok.request, conv_rate: 0.9 } }, "request.conv_rate"],
      [{ entities: ok.entities, request: { ...ok.request, __proto__x: 1 } }, "request.__proto__x"],
      [
        JSON.parse(
          '{"entities":{"driver_id":1001,"__proto__":{"a":1}},"request":{"bonus":1,"amount":3}}',
        ),
        "entities.__proto__",
      ],
      [{ ...ok, explain: -1 }, "explain"],
      [{ ...ok, explain: 1.5 }, "explain"],
      [{ ...ok, explain: 1000 }, "explain"],
      [{ ...ok, explain: "3" }, "explain"],
      [{ instances: [] }, "instances"],
      [{ instances: {} }, "instances"],
      [{ instances: [ok, 7] }, "instances.1"],
      [{ instances: [ok, { ...ok, x: 1 }] }, "instances.1.x"],
      [
        { instances: [ok, { entities: {}, request: ok.request }] },
        "instances.1.entities.driver_id",
      ],
      [{ instances: [ok], entities: ok.entities }, "instances"],
      [{ instances: Array.from({ length: 1001 }, () => ok) }, "instances"],
      [
        { entities: ok.entities, request: { bonus: 1, ["k".repeat(100_000)]: 1, amount: 3 } },
        `request.${"k".repeat(192)}…`,
      ],
    ];
    const before = (await fx.readLog("drivers")).length;
    for (const [body, field] of cases) {
      await assert.rejects(runtime.predict("drivers", body), (e: unknown) => {
        assert.ok(isPlinthError(e), String(e));
        assert.equal(
          e.code,
          "SERVING_INVALID_INPUT",
          `${JSON.stringify(body)?.slice(0, 200)}: ${e.message}`,
        );
        assert.equal(e.field, field, e.message.slice(0, 300));
        assert.ok(e.message.length < 1000);
        return true;
      });
    }
    assert.equal(
      (await fx.readLog("drivers")).length,
      before,
      "nothing is logged for a refused request",
    );
    await rejectsWithCode(runtime.predict("nope", ok), "DEPLOYMENT_NOT_FOUND", "deployment");
    await rejectsWithCode(runtime.predict(42 as never, ok), "DEPLOYMENT_NOT_FOUND");
    await rejectsWithCode(
      runtime.predict("drivers", ok, { requestId: "bad id\n" }),
      "SERVING_INVALID_INPUT",
      "request_id",
    );
    assert.match(
      runtime.metrics.toPrometheus(),
      /plinth_serving_errors_total\{deployment="drivers",code="SERVING_INVALID_INPUT"\} [1-9]/,
    );
    assert.match(
      runtime.metrics.toPrometheus(),
      /plinth_serving_errors_total\{deployment="_unknown",code="DEPLOYMENT_NOT_FOUND"\} 2/,
    );
  });

  test("traffic splits by weight, sticky by key; shadows are logged, never returned", async () => {
    const counts = new Map<string, number>();
    const chosen = new Map<number, string>();
    const n = 2000;
    for (let id = 0; id < n; id++) {
      const answer = (await runtime.predict(
        "split",
        { entities: { driver_id: id }, request: { bonus: 0, amount: 1 } },
        { requestId: `s${id}` },
      )) as RowPrediction;
      // As on a server, where each request arrives by I/O, the event loop turns between
      // requests, so the shadows queued behind the answers get their turn.
      await new Promise((resolve) => setImmediate(resolve));
      counts.set(answer.variant, (counts.get(answer.variant) ?? 0) + 1);
      chosen.set(id, answer.variant);
      assert.equal(answer.model.version, answer.variant === "champion" ? "1" : "2");
    }
    assert.deepEqual([...counts.keys()].sort(), ["challenger", "champion"]);
    // 20% of 2000 is 400; a fair hash lands within ±4 standard deviations (±72).
    const challengers = counts.get("challenger")!;
    assert.ok(Math.abs(challengers - 400) < 72, `challenger got ${challengers} of ${n}`);
    for (let id = 0; id < 200; id++) {
      const again = (await runtime.predict("split", {
        entities: { driver_id: id },
        request: { bonus: 3, amount: 50 },
      })) as RowPrediction;
      assert.equal(again.variant, chosen.get(id), `driver ${id} moved variant`);
    }
    assert.match(
      runtime.metrics.toPrometheus(),
      /plinth_serving_shadows_skipped_total\{deployment="split"\} 0/,
    );
    await runtime.close();
    // close() waited for in-flight shadows; every live request has its shadow record.
    const records = await fx.readLog("split");
    const shadowed = records.filter((r) => r.shadow);
    const live = records.filter((r) => !r.shadow);
    assert.equal(live.length, n + 200);
    assert.equal(shadowed.length, n + 200);
    const liveIds = new Set(live.map((r) => r.requestId));
    assert.ok(
      shadowed.every((r) => liveIds.has(r.requestId)),
      "a shadow record shares its live request's id",
    );
    assert.ok(shadowed.every((r) => r.variant === "shadow" && r.modelVersion === "2"));
    const s7 = shadowed.find((r) => r.requestId === "s7");
    assert.ok(s7);
    const missingAll = Float64Array.of(
      Number.NaN,
      Number.NaN,
      Number.NaN,
      Number.NaN,
      Number.NaN,
      1,
    );
    assert.equal(s7.outputs.probability, expected("2", missingAll));
    runtime = await createServingRuntime({
      platform: fx.platform,
      predictionLog: fx.predictionLog,
      pollIntervalMs: 60_000,
    });
  });

  test("shadow scoring is bounded: beyond the in-flight limit shadows are skipped and counted", async () => {
    await fx.platform.deployments.create({
      name: "shed",
      variants: [
        { name: "live", model: fx.model, version: "1", weight: 100, shadow: false },
        { name: "shadow", model: fx.model, version: "2", weight: 0, shadow: true },
      ],
    });
    const r = await createServingRuntime({
      platform: fx.platform,
      predictionLog: fx.predictionLog,
      pollIntervalMs: 60_000,
    });
    const n = 1000;
    try {
      // A tight loop never lets the event loop turn, so shadows pile up behind the answers.
      for (let i = 0; i < n; i++) {
        await r.predict("shed", {
          entities: { driver_id: 1001 },
          request: { bonus: 0, amount: i },
        });
      }
    } finally {
      await r.close();
    }
    const skipped = Number(
      /plinth_serving_shadows_skipped_total\{deployment="shed"\} (\d+)/.exec(
        r.metrics.toPrometheus(),
      )?.[1],
    );
    const records = await fx.readLog("shed");
    const shadows = records.filter((x) => x.shadow).length;
    assert.equal(records.length - shadows, n);
    assert.ok(skipped > 0 && shadows > 0, `skipped ${skipped}, scored ${shadows}`);
    assert.equal(
      shadows + skipped,
      n,
      "every shadow was either scored and logged or counted as skipped",
    );
  });

  test("a batch refused for one variant's rows logs nothing, though another variant scored first", async () => {
    // Version 3 takes no `amount`: for its rows, `amount` is an extra field.
    const v3 = await fx.trainVersion(3, { withoutAmount: true });
    await fx.platform.deployments.create({
      name: "mixed",
      stickyKey: "driver_id",
      variants: [
        { name: "a", model: fx.model, version: "1", weight: 50, shadow: false },
        { name: "b", model: fx.model, version: v3, weight: 50, shadow: false },
      ],
    });
    await runtime.refresh();
    const rows = Array.from({ length: 40 }, (_, i) => ({
      entities: { driver_id: i },
      request: { bonus: 0, amount: 1 },
    }));
    await assert.rejects(runtime.predict("mixed", { instances: rows }), (e: unknown) => {
      assert.ok(isPlinthError(e, "SERVING_INVALID_INPUT"), String(e));
      assert.match(e.field ?? "", /^instances\.\d+\.request\.amount$/);
      return true;
    });
    assert.deepEqual(await fx.readLog("mixed"), []);
    const answer = (await runtime
      .predict("mixed", {
        instances: rows.map((r) => ({ entities: r.entities, request: { bonus: 0 } })),
      })
      .catch((e: unknown) => e)) as { field?: string };
    // Without amount, variant a's rows are refused instead: the same all-or-nothing.
    assert.match(answer.field ?? "", /^instances\.\d+\.request\.amount$/);
    assert.deepEqual(await fx.readLog("mixed"), []);

    // A shadow that cannot score the request fails on its own: the caller is answered.
    await fx.platform.deployments.create({
      name: "shadow-fails",
      variants: [
        { name: "live", model: fx.model, version: "1", weight: 100, shadow: false },
        { name: "shadow", model: fx.model, version: v3, weight: 0, shadow: true },
      ],
    });
    const r = await createServingRuntime({
      platform: fx.platform,
      predictionLog: fx.predictionLog,
      pollIntervalMs: 60_000,
    });
    const live = (await r.predict("shadow-fails", rows[0])) as RowPrediction;
    assert.equal(live.variant, "live");
    await r.close();
    const text = r.metrics.toPrometheus();
    assert.match(
      text,
      /plinth_serving_errors_total\{deployment="shadow-fails",code="shadow:SERVING_INVALID_INPUT"\} 1/,
    );
    assert.doesNotMatch(text, /deployment="shadow-fails",code="SERVING_INVALID_INPUT"/);
    assert.deepEqual(
      (await fx.readLog("shadow-fails")).map((x) => x.variant),
      ["live"],
    );
  });

  test("a deployment store that cannot be read leaves the runtime not ready, not crashed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "plinth-closed-"));
    const closed = await createSqliteMetadataStore({ path: join(dir, "m.sqlite") });
    await closed.close();
    const broken = createMetadataDeploymentStore(closed, fx.platform.registry);
    const r = await createServingRuntime({
      platform: { ...fx.platform, deployments: broken },
      pollIntervalMs: 60_000,
    });
    try {
      assert.equal(r.ready(), false);
      assert.deepEqual(r.deployments(), []);
      await rejectsWithCode(r.predict("drivers", {}), "DEPLOYMENT_NOT_FOUND");
    } finally {
      await r.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
