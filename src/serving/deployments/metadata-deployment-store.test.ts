import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { rejectsWithCode } from "../../core/testing/rejects-with-code.ts";
import type { MetadataStore } from "../../metadata/metadata-store.ts";
import { metadataBackends } from "../../metadata/testing/metadata-backends.ts";
import { createRegistryService, type RegistryService } from "../../registry/registry-service.ts";
import { createMetadataDeploymentStore } from "./create-metadata-deployment-store.ts";
import type { DeploymentVariant } from "./deployment.ts";
import type { DeploymentStore } from "./deployment-store.ts";

const champion: DeploymentVariant = {
  name: "champion",
  model: "fraud",
  alias: "champion",
  weight: 90,
  shadow: false,
};
const challenger: DeploymentVariant = {
  name: "challenger",
  model: "fraud",
  version: "2",
  weight: 10,
  shadow: false,
};

for (const backend of metadataBackends()) {
  describe(`deployment store on ${backend.name}`, () => {
    let store: MetadataStore;
    let cleanup: () => Promise<void>;
    let registry: RegistryService;
    let deployments: DeploymentStore;
    before(async () => {
      ({ store, cleanup } = await backend.open());
      registry = createRegistryService(store);
      deployments = createMetadataDeploymentStore(store, registry);
      await registry.models.create({ name: "fraud" });
      for (let i = 0; i < 2; i++) {
        await registry.versions.create({
          name: "fraud",
          source: `mlflow-artifacts:/1/r${i}/artifacts/model`,
          runId: `r${i}`,
        });
      }
    });
    after(() => cleanup());

    test("create, get, list, setVariants, delete", async () => {
      const created = await deployments.create({
        name: "fraud-live",
        variants: [champion, challenger],
        stickyKey: "card_id",
      });
      assert.equal(created.threshold, 0.5);
      assert.equal(created.description, "");
      assert.equal(created.stickyKey, "card_id");
      assert.deepEqual(await deployments.get("fraud-live"), created);
      await rejectsWithCode(
        deployments.create({ name: "fraud-live", variants: [{ ...champion, weight: 100 }] }),
        "DEPLOYMENT_ALREADY_EXISTS",
        "name",
      );
      await deployments.create({
        name: "a.other",
        variants: [{ ...champion, weight: 100 }],
        threshold: 0.7,
        description: "second",
      });
      assert.deepEqual(
        (await deployments.list()).map((d) => d.name),
        ["a.other", "fraud-live"],
      );
      const moved = await deployments.setVariants("fraud-live", [
        { ...champion, weight: 50 },
        { ...challenger, weight: 50 },
        { name: "shadow", model: "fraud", version: "1", weight: 0, shadow: true },
      ]);
      assert.ok(moved.updatedAt > created.updatedAt);
      assert.equal(moved.stickyKey, "card_id");
      assert.deepEqual(
        (await deployments.get("fraud-live")).variants.map((v) => [v.name, v.weight, v.shadow]),
        [
          ["champion", 50, false],
          ["challenger", 50, false],
          ["shadow", 0, true],
        ],
      );
      await deployments.delete("a.other");
      await rejectsWithCode(deployments.get("a.other"), "DEPLOYMENT_NOT_FOUND", "name");
      await rejectsWithCode(deployments.delete("a.other"), "DEPLOYMENT_NOT_FOUND", "name");
      await rejectsWithCode(
        deployments.setVariants("nope", [{ ...champion, weight: 100 }]),
        "DEPLOYMENT_NOT_FOUND",
      );
    });

    test("bad specs are DEPLOYMENT_INVALID naming the field, and nothing is written", async () => {
      const one = (v: Record<string, unknown>) => ({
        name: "bad",
        variants: [{ ...champion, weight: 100, ...v }],
      });
      const cases: Array<[unknown, string]> = [
        [{ name: "", variants: [champion] }, "name"],
        [{ name: "-x", variants: [champion] }, "name"],
        [{ name: "a/b", variants: [champion] }, "name"],
        [{ name: "x".repeat(129), variants: [champion] }, "name"],
        [{ name: 7, variants: [champion] }, "name"],
        [{ name: "bad" }, "variants"],
        [{ name: "bad", variants: [] }, "variants"],
        [{ name: "bad", variants: "champion" }, "variants"],
        [{ name: "bad", variants: Array.from({ length: 40 }, () => champion) }, "variants"],
        [{ name: "bad", variants: [{ ...champion, weight: 100 }], extra: 1 }, ""],
        [one({ weight: -1 }), "variants.0.weight"],
        [one({ weight: Number.NaN }), "variants.0.weight"],
        [one({ weight: "100" }), "variants.0.weight"],
        [one({ shadow: "no" }), "variants.0.shadow"],
        [one({ version: "1" }), "variants.0.alias"],
        [one({ alias: undefined }), "variants.0.alias"],
        [one({ alias: "bad alias" }), "variants.0.alias"],
        [one({ alias: undefined, version: "0" }), "variants.0.version"],
        [one({ alias: undefined, version: 2 }), "variants.0.version"],
        [one({ model: "missing" }), "variants.0.model"],
        [one({ alias: undefined, version: "99" }), "variants.0.version"],
        [one({ name: "../x" }), "variants.0.name"],
        [{ name: "bad", variants: [champion, { ...champion }] }, "variants.1.name"],
        [{ name: "bad", variants: [champion, challenger], threshold: 1.5 }, "threshold"],
        [{ name: "bad", variants: [champion, challenger], threshold: "0.5" }, "threshold"],
        [{ name: "bad", variants: [champion] }, "variants.weight"],
        [{ name: "bad", variants: [{ ...champion, shadow: true, weight: 100 }] }, "variants"],
        [{ name: "bad", variants: [champion, challenger], stickyKey: "" }, "stickyKey"],
        [null, "spec"],
        ["fraud", "spec"],
      ];
      for (const [spec, field] of cases) {
        await assert.rejects(deployments.create(spec as never), (e: unknown) => {
          assert.equal((e as { code?: string }).code, "DEPLOYMENT_INVALID", JSON.stringify(spec));
          if (field !== "")
            assert.equal((e as { field?: string }).field, field, JSON.stringify(spec));
          return true;
        });
      }
      await rejectsWithCode(deployments.get("bad"), "DEPLOYMENT_NOT_FOUND");
      await rejectsWithCode(deployments.get("x".repeat(10_000)), "DEPLOYMENT_NOT_FOUND");
      await deployments.create({ name: "keep", variants: [{ ...champion, weight: 100 }] });
      await rejectsWithCode(
        deployments.setVariants("keep", [{ ...champion, weight: 99 }]),
        "DEPLOYMENT_INVALID",
        "variants.weight",
      );
      await rejectsWithCode(
        deployments.setVariants("keep", [{ ...champion, model: "missing", weight: 100 }]),
        "DEPLOYMENT_INVALID",
        "variants.0.model",
      );
      await rejectsWithCode(
        deployments.setVariants("keep", { bad: true } as never),
        "DEPLOYMENT_INVALID",
        "variants",
      );
      assert.deepEqual((await deployments.get("keep")).variants, [{ ...champion, weight: 100 }]);
    });
  });
}
