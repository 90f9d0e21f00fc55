import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { resolveConfig } from "../core/config.ts";
import { isPlinthError } from "../core/errors.ts";
import { createLogger } from "../core/logger.ts";
import { openPlatform, type Platform } from "../platform.ts";
import { type ServingRepo, writeServingRepo } from "./testing/write-serving-repo.ts";

let home = "";
let repo: ServingRepo;
let platform: Platform;
before(async () => {
  home = mkdtempSync(join(tmpdir(), "plinth-feature-store-"));
  repo = await writeServingRepo(join(home, "repo"));
  platform = await openPlatform(
    resolveConfig({ overrides: { home, featuresModule: repo.modulePath }, env: {} }),
    { logger: createLogger({ level: "silent" }) },
  );
});
after(async () => {
  await platform.close();
  rmSync(home, { recursive: true, force: true });
});

test("the platform opens one feature store over the configured module and online store", async () => {
  const store = await platform.features();
  assert.equal(await platform.features(), store);
  assert.equal(store.online.location, `sqlite:${join(home, "online.sqlite")}`);
  const [stats] = await store.materializeIncremental(new Date(), { views: ["driver_stats"] });
  assert.equal(stats?.rowsRead, 2);
  const state = await store.materializationState();
  assert.equal(state.get("driver_stats")?.watermarkMs, stats?.endMs);
  assert.equal(state.has("trips_live"), false);
  // Readers are compiled once per selection.
  assert.equal(store.onlineReader("driver_v1"), store.onlineReader("driver_v1"));
  assert.equal(
    store.onlineReader(["driver_stats:city"]),
    store.onlineReader(["driver_stats:city"]),
  );
  assert.notEqual(
    store.onlineReader("driver_v1"),
    store.onlineReader("driver_v1", { fullFeatureNames: true }),
  );
  const service = store.definitions.featureServices.get("driver_v1")!;
  assert.equal(store.onlineReader(service), store.onlineReader(service));
  const result = await store.getOnlineFeatures({
    features: ["driver_stats:conv_rate", "conv_plus"],
    entityRows: [{ driver_id: 1001 }],
    requestData: [{ bonus: 1 }],
  });
  assert.deepEqual(result.rows[0]?.values, [1001n, 0.25, 1.25]);
  assert.equal(result.rows[0]?.eventTimestamps[1]?.getTime(), repo.latestEvent.getTime());
});

test("a features module that fails to load is reported on every call, never half-opened", async () => {
  const dir = mkdtempSync(join(home, "broken-"));
  const module = join(dir, "features.ts");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(module, "throw new Error('not yet');\n");
  const broken = await openPlatform(
    resolveConfig({ overrides: { home: dir, featuresModule: module }, env: {} }),
    { logger: createLogger({ level: "silent" }) },
  );
  try {
    await assert.rejects(broken.features(), (e: unknown) =>
      isPlinthError(e, "FEATURES_DEFINITIONS_LOAD_FAILED"),
    );
    await assert.rejects(broken.features(), (e: unknown) =>
      isPlinthError(e, "FEATURES_DEFINITIONS_LOAD_FAILED"),
    );
  } finally {
    await broken.close();
  }
});
