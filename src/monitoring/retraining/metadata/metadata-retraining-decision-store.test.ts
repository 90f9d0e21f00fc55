import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { metadataBackends } from "../../../metadata/testing/metadata-backends.ts";
import type { RetrainingDecision } from "../retraining-decision.ts";
import { createMetadataRetrainingDecisionStore } from "./create-metadata-retraining-decision-store.ts";

const decision = (over: Partial<RetrainingDecision> = {}): RetrainingDecision => ({
  decisionId: "d1",
  policy: "fraud-drift",
  deployment: "fraud",
  windowEnd: 3_600_000,
  trigger: "drift_share",
  triggered: true,
  outcome: "running",
  evidence: { metric: "drift_share", value: 0.75, threshold: { op: ">=", value: 0.5 } },
  pipelineRunId: null,
  modelName: null,
  modelVersion: null,
  gates: null,
  variants: null,
  reason: "drift_share = 0.75 >= 0.5",
  createdAt: 100,
  updatedAt: 100,
  ...over,
});

for (const backend of metadataBackends()) {
  describe(`metadata retraining decision store (${backend.name})`, () => {
    test("one decision per policy and window; updates, listing, running and last triggered", async () => {
      const { store: metadata, cleanup } = await backend.open();
      try {
        const store = createMetadataRetrainingDecisionStore(metadata);
        const claims = await Promise.all(
          ["a", "b", "c"].map((id) => store.claim(decision({ decisionId: id }))),
        );
        assert.deepEqual(claims.filter(Boolean).length, 1);
        const [first] = await store.list();
        assert.ok(first !== undefined);
        assert.deepEqual(first, decision({ decisionId: first.decisionId }));
        assert.deepEqual(
          (await store.listRunning()).map((d) => d.decisionId),
          [first.decisionId],
        );
        const variants = [
          { name: "champion", model: "fraud", alias: "champion", weight: 90, shadow: false },
          { name: "challenger", model: "fraud", alias: "challenger", weight: 10, shadow: false },
        ];
        const updated = await store.update(
          first.decisionId,
          {
            outcome: "split_applied",
            pipelineRunId: "run1",
            modelName: "fraud",
            modelVersion: "2",
            gates: { passed: true, decisions: [{ gate: "threshold auc >= 0.7", passed: true }] },
            variants,
            reason: "applied",
          },
          200,
        );
        assert.equal(updated.outcome, "split_applied");
        assert.deepEqual(updated.variants, variants);
        assert.deepEqual(updated.gates, {
          passed: true,
          decisions: [{ gate: "threshold auc >= 0.7", passed: true }],
        });
        assert.equal(updated.updatedAt, 200);
        assert.deepEqual(await store.listRunning(), []);
        await store.claim(
          decision({
            decisionId: "n",
            windowEnd: 7_200_000,
            triggered: false,
            outcome: "not_triggered",
            createdAt: 300,
          }),
        );
        await store.claim(
          decision({ decisionId: "c", windowEnd: 10_800_000, outcome: "cooldown", createdAt: 400 }),
        );
        await store.claim(
          decision({ decisionId: "o", policy: "other", deployment: "search", createdAt: 500 }),
        );
        assert.equal((await store.lastTriggered("fraud-drift"))?.decisionId, first.decisionId);
        assert.equal(await store.lastTriggered("nope"), undefined);
        assert.deepEqual(
          (await store.list({ deployment: "fraud" })).map((d) => d.decisionId),
          ["c", "n", first.decisionId],
        );
        assert.deepEqual(
          (await store.list({ policy: "other", limit: 5 })).map((d) => d.decisionId),
          ["o"],
        );
      } finally {
        await cleanup();
      }
    });
  });
}
