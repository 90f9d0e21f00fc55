import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { metadataBackends } from "../../../metadata/testing/metadata-backends.ts";
import type { AlertEvent, AlertRuleState } from "../alert-types.ts";
import { createMetadataAlertStore } from "./create-metadata-alert-store.ts";

const state = (end: number, over: Partial<AlertRuleState> = {}): AlertRuleState => ({
  rule: "drift",
  deployment: "fraud",
  metric: "drift_share",
  state: "pending",
  consecutive: 1,
  firingSince: null,
  lastWindowEnd: end,
  lastValue: 0.75,
  message: "m",
  updatedAt: end + 5,
  ...over,
});
const event = (id: string, end: number, over: Partial<AlertEvent> = {}): AlertEvent => ({
  eventId: id,
  rule: "drift",
  deployment: "fraud",
  metric: "drift_share",
  kind: "fired",
  windowStart: end - 10,
  windowEnd: end,
  value: 0.75,
  op: ">",
  threshold: 0.5,
  consecutive: 2,
  message: "fired",
  createdAt: end + 5,
  ...over,
});

for (const backend of metadataBackends()) {
  describe(`metadata alert store (${backend.name})`, () => {
    test("a window is applied once, with its event, in order; a stale or repeated window is refused", async () => {
      const { store: metadata, cleanup } = await backend.open();
      try {
        const store = createMetadataAlertStore(metadata);
        assert.equal(await store.getState("drift"), undefined);
        assert.equal(await store.applyWindow(state(100), undefined), true);
        assert.deepEqual(await store.getState("drift"), state(100));
        assert.equal(await store.applyWindow(state(100), event("dup", 100)), false);
        assert.equal(await store.applyWindow(state(90), undefined), false);
        const firing = state(110, {
          state: "firing",
          consecutive: 2,
          firingSince: 90,
          lastValue: Number.NaN,
        });
        assert.equal(await store.applyWindow(firing, event("e1", 110)), true);
        assert.deepEqual(await store.getState("drift"), { ...firing, lastValue: null });
        assert.equal(
          await store.applyWindow(
            state(120, { state: "ok", consecutive: 0 }),
            event("e2", 120, { kind: "resolved", value: 0.1 }),
          ),
          true,
        );
        await store.applyWindow(
          state(10, { rule: "other", deployment: "search" }),
          event("e3", 10, { rule: "other", deployment: "search", kind: "no_data", value: null }),
        );
        const events = await store.listEvents();
        assert.deepEqual(
          events.map((e) => e.eventId),
          ["e2", "e1", "e3"],
        );
        assert.deepEqual(events[1], event("e1", 110));
        assert.deepEqual(
          (await store.listEvents({ deployment: "fraud", limit: 1 })).map((e) => e.eventId),
          ["e2"],
        );
        assert.deepEqual(
          (await store.listEvents({ rule: "other" })).map((e) => e.value),
          [null],
        );
        assert.deepEqual(
          (await store.listStates("search")).map((s) => s.rule),
          ["other"],
        );
        assert.equal((await store.listStates()).length, 2);
      } finally {
        await cleanup();
      }
    });

    test("delivery attempts are kept in order; a tick is claimed by one claimant", async () => {
      const { store: metadata, cleanup } = await backend.open();
      try {
        const store = createMetadataAlertStore(metadata);
        for (const attempt of [2, 1]) {
          await store.recordDelivery({
            eventId: "e1",
            attempt,
            url: "http://127.0.0.1:1/hook",
            status: attempt === 2 ? "delivered" : "failed",
            httpStatus: attempt === 2 ? 200 : 503,
            error: attempt === 2 ? null : "HTTP 503",
            at: attempt,
          });
        }
        assert.deepEqual(
          (await store.listDeliveries("e1")).map((d) => [d.attempt, d.status, d.httpStatus]),
          [
            [1, "failed", 503],
            [2, "delivered", 200],
          ],
        );
        const claims = await Promise.all(["a", "b", "c"].map((c) => store.claimTick(60_000, c)));
        assert.equal(claims.filter(Boolean).length, 1);
        await store.recordTick(60_000, "boom");
        assert.equal(await store.claimTick(120_000, "b"), true);
      } finally {
        await cleanup();
      }
    });
  });
}
