import assert from "node:assert/strict";
import { test } from "node:test";
import { metadataBackends } from "../../metadata/testing/metadata-backends.ts";
import { createMetadataAlertStore } from "../alerts/metadata/create-metadata-alert-store.ts";
import { createMonitoringScheduler } from "./create-monitoring-scheduler.ts";

test("a pass that throws is recorded on its tick and the scheduler carries on; two schedulers share ticks", async () => {
  const backend = metadataBackends()[0]!;
  const { store: metadata, cleanup } = await backend.open();
  const store = createMetadataAlertStore(metadata);
  const errors: unknown[] = [];
  const passes: Record<string, number> = { a: 0, b: 0 };
  const make = (name: string) =>
    createMonitoringScheduler({
      store,
      intervalMs: 40,
      claimant: name,
      pass: async () => {
        passes[name] = (passes[name] ?? 0) + 1;
        throw new Error(`metric source exploded in ${name}`);
      },
      onError: (e) => errors.push(e),
    });
  const schedulers = [make("a"), make("b")];
  try {
    for (;;) {
      const rows = await metadata.db.selectFrom("monitoring_ticks").selectAll().execute();
      if (rows.filter((r) => r.error !== null).length >= 4) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    for (const s of schedulers) await s.stop();
  }
  const rows = await metadata.db.selectFrom("monitoring_ticks").selectAll().execute();
  // Every tick was claimed once, and each claimed tick ran exactly one pass.
  assert.equal(new Set(rows.map((r) => r.tick_time)).size, rows.length);
  assert.equal((passes.a ?? 0) + (passes.b ?? 0), rows.length);
  for (const r of rows) assert.equal(r.error, `metric source exploded in ${r.claimed_by}`);
  assert.equal(errors.length, rows.length);
  await cleanup();
});
