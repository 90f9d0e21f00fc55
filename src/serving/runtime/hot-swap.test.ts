import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { rejectsWithCode } from "../../core/testing/rejects-with-code.ts";
import { TEST_POSTGRES_URL } from "../../metadata/testing/metadata-backends.ts";
import { loadServedModel } from "../models/load-served-model.ts";
import type { BatchPrediction, RowPrediction } from "../serving-runtime.ts";
import { createServingFixture, type ServingFixture } from "../testing/serving-fixture.ts";
import { createServingRuntime } from "./create-serving-runtime.ts";

const backends: Array<{ name: string; postgresUrl?: string }> = [{ name: "sqlite" }];
if (TEST_POSTGRES_URL !== undefined && TEST_POSTGRES_URL !== "") {
  backends.push({ name: "postgres", postgresUrl: TEST_POSTGRES_URL });
}

const body = { entities: { driver_id: 1001 }, request: { bonus: 0.5, amount: 40 } };

/** Waits until `done()` holds, polling; bounded so a broken watcher fails the test instead of hanging it. */
async function until(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

for (const backend of backends) {
  describe(`hot swap, metadata on ${backend.name}`, () => {
    let fx: ServingFixture;
    const expected = new Map<string, number>();
    before(async () => {
      fx = await createServingFixture(
        backend.postgresUrl === undefined ? {} : { postgresUrl: backend.postgresUrl },
      );
      const city = (await loadServedModel(fx.platform, fx.model, "1")).categoryCodes[2]!.get(
        "Paris",
      )!;
      const row = Float64Array.of(0.25, 5, city, Number.NaN, 0.75, 40);
      for (const v of ["1", "2"]) {
        expected.set(v, (await loadServedModel(fx.platform, fx.model, v)).predict(row, 1)[0]!);
      }
      assert.notEqual(
        expected.get("1"),
        expected.get("2"),
        "the two versions must score differently",
      );
    });
    after(() => fx.close());

    test("an alias moving under concurrent load: no request fails, none mixes versions", async () => {
      await fx.platform.deployments.create({
        name: "swap",
        variants: [
          { name: "champion", model: fx.model, alias: "champion", weight: 100, shadow: false },
        ],
      });
      await fx.platform.registry.aliases.set(fx.model, "champion", "1");
      const runtime = await createServingRuntime({ platform: fx.platform, pollIntervalMs: 20 });
      try {
        let seq = 0;
        let firstV2DoneAt: number | undefined;
        let stop = false;
        let moved = false;
        let v2Seen = 0;
        const failures: unknown[] = [];
        const results: Array<{ started: number; version: string; probability: number }> = [];
        const worker = async (w: number): Promise<void> => {
          while (!stop) {
            const started = ++seq;
            try {
              if (w % 4 === 0) {
                const batch = (await runtime.predict("swap", {
                  instances: Array.from({ length: 10 }, () => body),
                })) as BatchPrediction;
                const versions = new Set(batch.predictions.map((p) => p.model.version));
                assert.equal(versions.size, 1, "a batch was served by a mix of versions");
                for (const p of batch.predictions) {
                  results.push({
                    started,
                    version: p.model.version,
                    probability: p.outputs.probability!,
                  });
                }
              } else {
                const p = (await runtime.predict("swap", body)) as RowPrediction;
                results.push({
                  started,
                  version: p.model.version,
                  probability: p.outputs.probability!,
                });
              }
              const last = results[results.length - 1]!;
              if (last.version === "2") {
                firstV2DoneAt ??= seq;
                v2Seen++;
              }
            } catch (error) {
              failures.push(error);
            }
            if (!moved && seq >= 200) {
              moved = true;
              await fx.platform.registry.aliases.set(fx.model, "champion", "2");
            }
            if (v2Seen >= 300 || seq > 200_000) stop = true;
            await new Promise((resolve) => setImmediate(resolve));
          }
        };
        await Promise.all(Array.from({ length: 32 }, (_, w) => worker(w)));
        assert.deepEqual(failures, []);
        assert.ok(v2Seen >= 300, "the swap never happened");
        const byVersion = new Map<string, number>();
        for (const r of results) {
          byVersion.set(r.version, (byVersion.get(r.version) ?? 0) + 1);
          // The version named is the one that scored: outputs and label agree.
          assert.equal(
            r.probability,
            expected.get(r.version),
            `version ${r.version} answered another version's score`,
          );
          // The swap is one reference change: a request begun after a v2 answer never sees v1.
          if (firstV2DoneAt !== undefined && r.started > firstV2DoneAt)
            assert.equal(r.version, "2");
        }
        assert.ok(
          (byVersion.get("1") ?? 0) > 0 && (byVersion.get("2") ?? 0) > 0,
          JSON.stringify([...byVersion]),
        );
        assert.match(
          runtime.metrics.toPrometheus(),
          /plinth_serving_model_swaps_total\{deployment="swap",variant="champion"\} 1/,
        );
        assert.deepEqual(
          runtime
            .deployments()
            .find((d) => d.name === "swap")
            ?.variants.map((v) => [v.name, v.version]),
          [["champion", "2"]],
        );
      } finally {
        await runtime.close();
      }
    });

    test("changes in the store reload: new variants, new and deleted deployments, a failing load kept out", async () => {
      await fx.platform.deployments.create({
        name: "store-change",
        variants: [{ name: "a", model: fx.model, version: "1", weight: 100, shadow: false }],
      });
      const runtime = await createServingRuntime({ platform: fx.platform, pollIntervalMs: 20 });
      try {
        const first = (await runtime.predict("store-change", body)) as RowPrediction;
        assert.deepEqual([first.variant, first.model.version], ["a", "1"]);
        await fx.platform.deployments.setVariants("store-change", [
          { name: "b", model: fx.model, version: "2", weight: 100, shadow: false },
        ]);
        await until(
          async () =>
            ((await runtime.predict("store-change", body)) as RowPrediction).variant === "b",
          "new variants",
        );
        assert.equal(
          ((await runtime.predict("store-change", body)) as RowPrediction).model.version,
          "2",
        );

        await fx.platform.deployments.create({
          name: "late",
          variants: [{ name: "x", model: fx.model, alias: "not-yet", weight: 100, shadow: false }],
        });
        await until(
          () => runtime.deployments().some((d) => d.name === "late" && d.lastError !== undefined),
          "the failed load",
        );
        assert.equal(runtime.ready(), false);
        assert.equal(runtime.modelReady("late"), false);
        await rejectsWithCode(runtime.predict("late", body), "SERVING_NOT_READY", "deployment");
        // The failing deployment does not hold the others back.
        assert.equal(((await runtime.predict("store-change", body)) as RowPrediction).variant, "b");
        await fx.platform.registry.aliases.set(fx.model, "not-yet", "1");
        await until(() => runtime.modelReady("late"), "the alias to resolve");
        assert.equal(((await runtime.predict("late", body)) as RowPrediction).model.version, "1");

        await fx.platform.deployments.delete("late");
        await until(() => !runtime.deployments().some((d) => d.name === "late"), "the deletion");
        await rejectsWithCode(runtime.predict("late", body), "DEPLOYMENT_NOT_FOUND");
      } finally {
        await runtime.close();
      }
    });

    test("a runtime limited to named deployments is not ready while one is missing", async () => {
      const runtime = await createServingRuntime({
        platform: fx.platform,
        deployments: ["store-change", "absent"],
        pollIntervalMs: 60_000,
      });
      try {
        assert.equal(runtime.ready(), false);
        assert.deepEqual(
          runtime.deployments().map((d) => d.name),
          ["store-change"],
        );
        await rejectsWithCode(runtime.predict("swap", body), "DEPLOYMENT_NOT_FOUND");
        await fx.platform.deployments.create({
          name: "absent",
          variants: [{ name: "a", model: fx.model, version: "1", weight: 100, shadow: false }],
        });
        await runtime.refresh();
        assert.equal(runtime.ready(), true);
      } finally {
        await runtime.close();
      }
    });
  });
}
