import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { isPlinthError } from "../../core/errors.ts";
import { startTestServer, type TestServer } from "../../http/testing/start-test-server.ts";
import { createEmbeddedTransport } from "./embedded-transport.ts";
import { createMlflowRestTransport } from "./mlflow-rest-transport.ts";
import { createTrackingClient } from "./tracking-client.ts";
import type { TrackingTransport } from "./tracking-transport.ts";

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const transports: Array<[string, () => TrackingTransport]> = [
  ["embedded", () => createEmbeddedTransport(server.platform.tracking)],
  ["MLflow REST", () => createMlflowRestTransport({ url: server.url })],
];

for (const [name, makeTransport] of transports) {
  describe(`tracking client over ${name}`, () => {
    test("logging returns at once; flush makes every value durable, split within batch limits", async () => {
      const client = createTrackingClient({ transport: makeTransport(), flushIntervalMs: 60_000 });
      const run = await client.startRun({
        experiment: `sdk-${name}`,
        runName: "gbdt",
        tags: { team: "risk" },
      });
      run.logParams({ maxDepth: 8, eta: 0.1, early: true });
      for (let i = 0; i < 2500; i++)
        run.logMetric("loss", 1 / (i + 1), { step: i, timestamp: 1000 + i });
      run.logMetrics({ auc: 0.9, logloss: 0.2 }, { step: 2499 });
      run.setTag("stage", "dev");
      await run.flush();
      const history = await server.platform.tracking.runs.metricHistory(run.runId, "loss");
      assert.equal(history.items.length, 2500);
      assert.deepEqual(history.items[2499], {
        key: "loss",
        value: 1 / 2500,
        timestamp: 3499,
        step: 2499,
      });
      const stored = await server.platform.tracking.runs.get(run.runId);
      assert.deepEqual(Object.fromEntries(stored.data.params.map((p) => [p.key, p.value])), {
        maxDepth: "8",
        eta: "0.1",
        early: "true",
      });
      assert.ok(stored.data.tags.some((t) => t.key === "team" && t.value === "risk"));
      assert.ok(stored.data.tags.some((t) => t.key === "stage" && t.value === "dev"));
      const info = await run.end();
      assert.equal(info.status, "FINISHED");
      assert.ok(info.endTime !== undefined);
    });

    test("a background flush sends values without an explicit flush", async () => {
      const client = createTrackingClient({ transport: makeTransport(), flushIntervalMs: 20 });
      const run = await client.startRun({ experiment: `sdk-bg-${name}` });
      run.logMetric("auc", 0.5);
      for (let i = 0; i < 100; i++) {
        if ((await server.platform.tracking.runs.get(run.runId)).data.metrics.length === 1) break;
        await sleep(20);
      }
      assert.equal((await server.platform.tracking.runs.get(run.runId)).data.metrics.length, 1);
    });

    test("bad keys throw at the call site; a refused batch surfaces at the next flush", async () => {
      const client = createTrackingClient({ transport: makeTransport(), flushIntervalMs: 60_000 });
      const run = await client.startRun({ experiment: `sdk-err-${name}` });
      assert.throws(
        () => run.logMetric("../up", 1),
        (e: unknown) => isPlinthError(e, "INVALID_ARGUMENT") && e.field === "key",
      );
      assert.throws(
        () => run.logMetric("ok", "1" as unknown as number),
        (e: unknown) => isPlinthError(e, "INVALID_ARGUMENT") && e.field === "value",
      );
      run.logParam("lr", "0.1");
      await run.flush();
      run.logParam("lr", "0.2");
      await assert.rejects(run.flush(), (e: unknown) => isPlinthError(e) && /lr/.test(e.message));
      await run.flush(); // the failure is reported once
    });
  });
}
