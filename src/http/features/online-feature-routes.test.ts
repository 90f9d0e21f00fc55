import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { writeServingRepo } from "../../features/testing/write-serving-repo.ts";
import { startTestServer, type TestServer } from "../testing/start-test-server.ts";

let server: TestServer;
let bare: TestServer;
let repoDir = "";
before(async () => {
  repoDir = mkdtempSync(join(tmpdir(), "plinth-serving-"));
  const repo = await writeServingRepo(repoDir);
  server = await startTestServer({ featuresModule: repo.modulePath, bodyLimitBytes: 256 * 1024 });
  const store = await server.platform.features();
  await store.materializeIncremental(new Date());
  bare = await startTestServer();
});
after(async () => {
  await server.close();
  await bare.close();
  rmSync(repoDir, { recursive: true, force: true });
});

async function post(path: string, body: unknown, target = server) {
  const response = await fetch(`${target.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text) as Record<string, unknown>, text };
}

function assertError(
  r: Awaited<ReturnType<typeof post>>,
  status: number,
  code: string,
  field?: string,
): void {
  assert.equal(r.status, status, r.text);
  assert.equal(r.json.error_code, code, r.text);
  if (field !== undefined) assert.equal(r.json.field, field, r.text);
  assert.doesNotMatch(r.text, /\bat .+\.(ts|js):\d+/);
}

type Wire = {
  metadata: { feature_names: string[] };
  results: { values: unknown[]; statuses: string[]; event_timestamps: (string | null)[] }[];
};

describe("POST /api/features/online", () => {
  test("answers Feast's shape: per feature, values, statuses and event times", async () => {
    const r = await post("/api/features/online", {
      feature_service: "driver_v1",
      entities: { driver_id: [1001, "1002", 9], bonus: [1, 2, 3] },
    });
    assert.equal(r.status, 200, r.text);
    const body = r.json as unknown as Wire;
    assert.deepEqual(body.metadata.feature_names, [
      "driver_id",
      "conv_rate",
      "trips",
      "city",
      "trips_today",
      "conv_plus_bonus",
    ]);
    const byName = Object.fromEntries(
      body.metadata.feature_names.map((n, i) => [n, body.results[i]!]),
    );
    assert.deepEqual(byName.driver_id!.values, [1001, 1002, 9]);
    assert.deepEqual(byName.conv_rate!.values, [0.25, 0.5, null]);
    assert.deepEqual(byName.conv_rate!.statuses, ["PRESENT", "PRESENT", "NOT_FOUND"]);
    // Beyond 2^53 an int64 comes back as text, so no digit is lost.
    assert.deepEqual(byName.trips!.values, [5, "9007199254740993", null]);
    assert.deepEqual(byName.city!.statuses, ["PRESENT", "NULL_VALUE", "NOT_FOUND"]);
    assert.deepEqual(byName.trips_today!.statuses, ["NOT_FOUND", "NOT_FOUND", "NOT_FOUND"]);
    assert.deepEqual(byName.conv_plus_bonus!.values, [1.25, 2.5, null]);
    assert.match(String(byName.conv_rate!.event_timestamps[0]), /^\d{4}-\d\d-\d\dT.*Z$/);
    assert.equal(byName.conv_rate!.event_timestamps[2], null);
  });

  test("takes feature references and full names", async () => {
    const r = await post("/api/features/online", {
      features: ["driver_stats:city", "conv_plus"],
      entities: { driver_id: [1001], bonus: [0] },
      full_feature_names: true,
    });
    assert.equal(r.status, 200, r.text);
    const body = r.json as unknown as Wire;
    assert.deepEqual(body.metadata.feature_names, [
      "driver_id",
      "driver_stats__city",
      "conv_plus__conv_plus_bonus",
    ]);
    assert.deepEqual(
      body.results.map((x) => x.values[0]),
      [1001, "Paris", 0.25],
    );
  });

  test("bad requests are typed errors naming the field", async () => {
    const url = "/api/features/online";
    const ok = { feature_service: "driver_v1", entities: { driver_id: [1001], bonus: [1] } };
    assertError(await post(url, "{nope"), 400, "MALFORMED_REQUEST");
    assertError(await post(url, "[]"), 400, "MALFORMED_REQUEST");
    assertError(await post(url, '{"entities":{},"__proto__":{"x":1}}'), 400, "MALFORMED_REQUEST");
    assertError(
      await post(url, { feature_service: "driver_v1" }),
      400,
      "INVALID_ARGUMENT",
      "entities",
    );
    assertError(
      await post(url, { entities: ok.entities }),
      400,
      "INVALID_ARGUMENT",
      "feature_service",
    );
    assertError(
      await post(url, { ...ok, features: ["driver_stats"] }),
      400,
      "INVALID_ARGUMENT",
      "feature_service",
    );
    assertError(await post(url, { ...ok, surprise: 1 }), 400, "INVALID_ARGUMENT");
    assertError(await post(url, { ...ok, entities: {} }), 400, "INVALID_ARGUMENT", "entities");
    assertError(
      await post(url, { ...ok, entities: { driver_id: [1001, 1002], bonus: [1] } }),
      400,
      "INVALID_ARGUMENT",
      "entities.bonus",
    );
    assertError(
      await post(url, { ...ok, entities: { driver_id: [{ $ne: 0 }], bonus: [1] } }),
      400,
      "INVALID_ARGUMENT",
      "entities.driver_id[0]",
    );
    assertError(await post(url, { ...ok, entities: { driver_id: 1001 } }), 400, "INVALID_ARGUMENT");
    assertError(
      await post(url, { ...ok, entities: { driver_id: ["x"], bonus: [1] } }),
      400,
      "FEATURES_KEY_TYPE_MISMATCH",
      "driver_id",
    );
    assertError(
      await post(url, { ...ok, entities: { bonus: [1] } }),
      400,
      "FEATURES_INVALID_ENTITY_INPUT",
      "driver_id",
    );
    assertError(
      await post(url, { ...ok, entities: { driver_id: [1] } }),
      400,
      "FEATURES_INVALID_ENTITY_INPUT",
      "bonus",
    );
    assertError(
      await post(url, { ...ok, feature_service: "nope" }),
      404,
      "FEATURES_UNKNOWN_SERVICE",
    );
    assertError(
      await post(url, { features: ["nope:x"], entities: ok.entities }),
      404,
      "FEATURES_UNKNOWN_VIEW",
    );
    assertError(
      await post(url, { features: ["driver_stats:nope"], entities: ok.entities }),
      404,
      "FEATURES_UNKNOWN_FEATURE",
    );
    const many = Array.from({ length: 1001 }, (_, i) => i);
    assertError(
      await post(url, { ...ok, entities: { driver_id: many, bonus: many } }),
      413,
      "PAYLOAD_TOO_LARGE",
      "entities",
    );
    const huge = Array.from({ length: 40_000 }, () => 1001);
    assertError(
      await post(url, { ...ok, entities: { driver_id: huge } }),
      413,
      "PAYLOAD_TOO_LARGE",
    );
  });

  test("a server without feature definitions says how to configure them", async () => {
    assertError(
      await post("/api/features/online", { feature_service: "x", entities: { id: [1] } }, bare),
      503,
      "FEATURES_NOT_CONFIGURED",
      "featuresModule",
    );
  });
});

describe("POST /api/features/push/{pushSource}", () => {
  test("pushed rows are served at once, as rows or as columns", async () => {
    const now = new Date().toISOString();
    const r = await post("/api/features/push/live_trips", {
      rows: [{ driver_id: 1001, event_ts: now, trips_today: 7 }],
    });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json, {
      push_source: "live_trips",
      rows: 1,
      written: { trips_live: 1 },
      appended_offline: true,
    });
    const df = await post("/api/features/push/live_trips", {
      df: { driver_id: [1002], event_ts: [now], trips_today: [2] },
    });
    assert.equal(df.status, 200, df.text);
    const read = await post("/api/features/online", {
      features: ["trips_live"],
      entities: { driver_id: [1001, 1002] },
    });
    const body = read.json as unknown as Wire;
    assert.deepEqual(body.results[1]!.values, [7, 2]);
    assert.deepEqual(body.results[1]!.statuses, ["PRESENT", "PRESENT"]);
  });

  test("bad pushes are typed errors naming the field", async () => {
    const url = "/api/features/push/live_trips";
    const row = { driver_id: 1001, event_ts: new Date().toISOString(), trips_today: 1 };
    assertError(
      await post("/api/features/push/nope", { rows: [row] }),
      404,
      "FEATURES_UNKNOWN_PUSH_SOURCE",
    );
    assertError(await post(url, {}), 400, "INVALID_ARGUMENT", "rows");
    assertError(await post(url, { rows: [row], df: {} }), 400, "INVALID_ARGUMENT", "rows");
    assertError(await post(url, { rows: "x" }), 400, "INVALID_ARGUMENT", "rows");
    assertError(
      await post(url, { rows: [{ ...row, trips_today: "many" }] }),
      400,
      "FEATURES_INVALID_PUSH",
      "trips_today",
    );
    assertError(
      await post(url, { rows: [{ ...row, extra: 1 }] }),
      400,
      "FEATURES_INVALID_PUSH",
      "extra",
    );
    assertError(
      await post(url, { rows: Array.from({ length: 10_001 }, () => ({ driver_id: 1 })) }),
      413,
      "PAYLOAD_TOO_LARGE",
      "rows",
    );
  });
});
