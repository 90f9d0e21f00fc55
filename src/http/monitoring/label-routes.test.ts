import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { TEST_POSTGRES_URL } from "../../metadata/testing/metadata-backends.ts";
import { createPredictionLog } from "../../serving/prediction-log/create-prediction-log.ts";
import { makeRecord } from "../../serving/prediction-log/testing/make-record.ts";
import { startTestServer, type TestServer } from "../testing/start-test-server.ts";

const T0 = Date.UTC(2026, 11, 6, 10);
const backends: Array<{ name: string; metadataUrl?: string }> = [{ name: "sqlite" }];
if (TEST_POSTGRES_URL !== undefined && TEST_POSTGRES_URL !== "") {
  const schema = `plinth_labels_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  backends.push({ name: "postgres", metadataUrl: `${TEST_POSTGRES_URL}?schema=${schema}` });
}

for (const backend of backends) {
  describe(`label REST API on ${backend.name}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({
        bodyLimitBytes: 64 * 1024,
        ...(backend.metadataUrl === undefined ? {} : { metadataUrl: backend.metadataUrl }),
      });
      const log = createPredictionLog({
        artifacts: server.platform.artifacts,
        maxQueue: 1000,
        segmentMaxRows: 1000,
        segmentMaxAgeMs: 3_600_000,
        flushIntervalMs: 60_000,
      });
      for (let i = 0; i < 10; i++) log.append(makeRecord(i, T0 + i * 1000));
      await log.close();
    });
    after(() => server.close());

    const post = (body: unknown, raw?: string) =>
      fetch(`${server.url}/api/monitoring/labels`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: raw ?? JSON.stringify(body),
      });

    test("ingests labels and reports coverage of a log window", async () => {
      const res = await post({
        deployment: "fraud",
        labels: [
          { requestId: "r1", label: 1, labelledAt: T0 + 1 },
          { requestId: "r2", label: 0 },
          { requestId: "ghost", label: 1, labelledAt: T0 + 5 },
          { entities: { user_id: 5, card: "c-5" }, at: T0 + 5500, label: 1 },
        ],
      });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), {
        deployment: "fraud",
        received: 4,
        inserted: 4,
        replaced: 0,
        by_request_id: 3,
        by_entity: 1,
      });
      const matched = await post({
        deployment: "fraud",
        from: T0,
        to: "2026-12-06T10:00:10Z",
        labels: [
          { requestId: "r3", label: 1 },
          { requestId: "nope", label: 1 },
          { entities: { user_id: 999 }, at: T0 + 1, label: 0 },
        ],
      });
      const m = (await matched.json()) as { unmatched: number; unmatched_sample: string[] };
      assert.equal(m.unmatched, 2);
      assert.deepEqual(m.unmatched_sample, ["nope", '{"user_id":999}']);
      const again = await post({ deployment: "fraud", labels: [{ requestId: "r2", label: 1 }] });
      assert.equal(((await again.json()) as { replaced: number }).replaced, 1);
      const coverage = await fetch(
        `${server.url}/api/monitoring/labels/coverage?deployment=fraud&from=${T0}&to=2026-12-06T10:00:10Z`,
      );
      assert.equal(coverage.status, 200);
      const c = (await coverage.json()) as Record<string, unknown>;
      assert.equal(c.predictions, 10);
      assert.equal(c.labelled, 4);
      assert.equal(c.coverage, 0.4);
      // "nope" was received now, outside the window, so only the ingest above reported it.
      assert.equal(c.unmatched, 2);
      assert.deepEqual(c.unmatched_sample, ['{"user_id":999}', "ghost"]);
      const none = await fetch(
        `${server.url}/api/monitoring/labels/coverage?deployment=fraud&from=0&to=1000`,
      );
      assert.deepEqual(((await none.json()) as { coverage: unknown }).coverage, null);
    });

    test("random and hostile JSON never gets a 5xx", async () => {
      const rng = createSeededRandom(7);
      const pick = <T>(xs: readonly T[]): T => xs[rng.nextInt(xs.length)]!;
      const atoms = [null, true, 0, -1, 1e308, -0, "", "x", "\u0000", "__proto__", "../..", [], {}];
      const value = (depth: number): unknown => {
        if (depth > 3 || rng.next() < 0.4) return pick(atoms);
        if (rng.next() < 0.5) return Array.from({ length: rng.nextInt(4) }, () => value(depth + 1));
        const keys = [
          "deployment",
          "labels",
          "requestId",
          "label",
          "entities",
          "at",
          "labelledAt",
          "constructor",
        ];
        return Object.fromEntries(
          Array.from({ length: rng.nextInt(5) }, () => [pick(keys), value(depth + 1)]),
        );
      };
      for (let i = 0; i < 300; i++) {
        const body =
          i % 3 === 0
            ? { deployment: "fuzz", labels: Array.from({ length: rng.nextInt(4) }, () => value(1)) }
            : value(0);
        const res = await post(body);
        assert.ok(
          res.status === 200 || (res.status >= 400 && res.status < 500),
          `${res.status} for ${JSON.stringify(body)}`,
        );
      }
      for (const query of [
        "deployment=%00&from=0&to=1",
        "deployment[]=a&from=0&to=1",
        "from=1e400&to=1&deployment=x",
      ]) {
        const res = await fetch(`${server.url}/api/monitoring/labels/coverage?${query}`);
        assert.ok(res.status >= 400 && res.status < 500, `${res.status} for ${query}`);
      }
    });

    test("bad input is a 4xx naming the field, and stores nothing", async () => {
      for (const [body, status, field] of [
        [{ deployment: "fraud", labels: [{ requestId: "x", label: "1" }] }, 400, "labels[0].label"],
        [
          { deployment: "fraud", labels: [{ requestId: ["x"], label: 1 }] },
          400,
          "labels[0].requestId",
        ],
        [{ deployment: "fraud", labels: {} }, 400, "labels"],
        [{ deployment: "../etc", labels: [] }, 400, "deployment"],
        [{ labels: [] }, 400, "deployment"],
        [{ deployment: "fraud", labels: [], extra: 1 }, 400, "extra"],
        [[1, 2], 400, "body"],
        [
          {
            deployment: "fraud",
            labels: Array.from({ length: 5000 }, () => ({ requestId: "z".repeat(20), label: 1 })),
          },
          413,
          "body",
        ],
      ] as const) {
        const res = await post(body);
        assert.equal(res.status, status, JSON.stringify(body).slice(0, 80));
        assert.equal(((await res.json()) as { field: string }).field, field);
      }
      // JSON has no Infinity, but 1e999 parses to it: refused, naming the row.
      const infinite = await post(
        undefined,
        '{"deployment":"fraud","labels":[{"requestId":"x","label":1},{"requestId":"y","label":1e999}]}',
      );
      assert.equal(infinite.status, 400);
      assert.equal(((await infinite.json()) as { field: string }).field, "labels[1].label");
      for (const raw of [
        "{",
        "null",
        '"text"',
        '{"deployment":"fraud","labels":[{"requestId":"x","label":NaN}]}',
      ]) {
        const res = await post(undefined, raw);
        assert.ok(res.status === 400, `${raw}: ${res.status}`);
      }
      for (const query of [
        "deployment=fraud&from=0",
        "deployment=fraud&from=x&to=1",
        "deployment=fraud&from=10&to=5",
        "from=0&to=1",
        "deployment=fraud&from=0&to=1&evil=1",
        "deployment=a%2Fb&from=0&to=1",
      ]) {
        const res = await fetch(`${server.url}/api/monitoring/labels/coverage?${query}`);
        assert.equal(res.status, 400, query);
      }
      const coverage = await fetch(
        `${server.url}/api/monitoring/labels/coverage?deployment=fraud&from=${T0}&to=${T0 + 100_000}`,
      );
      const c = (await coverage.json()) as { labelled: number };
      assert.equal(c.labelled, 4, "no bad batch stored anything");
    });
  });
}
