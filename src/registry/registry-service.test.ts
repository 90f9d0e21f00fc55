import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { rejectsWithCode as rejectsWith } from "../core/testing/rejects-with-code.ts";
import type { MetadataStore } from "../metadata/metadata-store.ts";
import { metadataBackends } from "../metadata/testing/metadata-backends.ts";
import { createRegistryService, type RegistryService } from "./registry-service.ts";

for (const backend of metadataBackends()) {
  describe(`registry on ${backend.name}`, () => {
    let store: MetadataStore;
    let cleanup: () => Promise<void>;
    let registry: RegistryService;
    before(async () => {
      ({ store, cleanup } = await backend.open());
      registry = createRegistryService(store);
    });
    after(() => cleanup());

    test("models: create, get, duplicate, rename, update, delete", async () => {
      const m = await registry.models.create(
        { name: "fraud", description: "scores payments", tags: [{ key: "team", value: "risk" }] },
        { actor: "ana" },
      );
      assert.equal(m.name, "fraud");
      assert.deepEqual(m.tags, [{ key: "team", value: "risk" }]);
      assert.deepEqual(m.latestVersions, []);
      await rejectsWith(registry.models.create({ name: "fraud" }), "REGISTRY_MODEL_EXISTS", "name");
      await rejectsWith(registry.models.create({ name: "" }), "INVALID_ARGUMENT", "name");
      await rejectsWith(registry.models.create({ name: "a/b" }), "INVALID_ARGUMENT", "name");
      await rejectsWith(registry.models.get("missing"), "REGISTRY_MODEL_NOT_FOUND", "name");

      await registry.versions.create({
        name: "fraud",
        source: "mlflow-artifacts:/1/r/artifacts/model",
        runId: "r",
      });
      await registry.aliases.set("fraud", "champion", "1");
      const renamed = await registry.models.rename("fraud", "fraud-v2", { actor: "ben" });
      assert.equal(renamed.name, "fraud-v2");
      assert.deepEqual(renamed.aliases, [{ alias: "champion", version: "1" }]);
      assert.equal((await registry.versions.get("fraud-v2", "1")).name, "fraud-v2");
      await rejectsWith(registry.models.get("fraud"), "REGISTRY_MODEL_NOT_FOUND");
      const updated = await registry.models.update("fraud-v2", "new words");
      assert.equal(updated.description, "new words");
      const history = await registry.history("fraud-v2");
      assert.deepEqual(
        history.map((h) => [h.action, h.actor]),
        [
          ["create_registered_model", "ana"],
          ["create_model_version", "anonymous"],
          ["set_registered_model_alias", "anonymous"],
          ["rename_registered_model", "ben"],
          ["update_registered_model", "anonymous"],
        ],
      );
      assert.deepEqual(history[4]!.before, { description: "scores payments" });
      assert.deepEqual(history[4]!.after, { description: "new words" });
      await registry.models.delete("fraud-v2");
      await rejectsWith(registry.models.get("fraud-v2"), "REGISTRY_MODEL_NOT_FOUND");
      assert.equal(
        (await registry.versions.search({ filter: "name = 'fraud-v2'" })).items.length,
        0,
      );
    });

    test("versions: numbering never reuses a deleted number; concurrent creates number uniquely", async () => {
      await registry.models.create({ name: "ranker" });
      const created = await Promise.all(
        Array.from({ length: 6 }, () =>
          registry.versions.create({ name: "ranker", source: "s3://b/m" }),
        ),
      );
      assert.deepEqual(
        created.map((v) => Number(v.version)).sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6],
      );
      await registry.versions.delete("ranker", "6");
      await rejectsWith(
        registry.versions.get("ranker", "6"),
        "REGISTRY_VERSION_NOT_FOUND",
        "version",
      );
      const next = await registry.versions.create({ name: "ranker", source: "s3://b/m" });
      assert.equal(next.version, "7");
      await rejectsWith(
        registry.versions.create({ name: "nope", source: "x" }),
        "REGISTRY_MODEL_NOT_FOUND",
      );
      await rejectsWith(
        registry.versions.create({ name: "ranker", source: "" }),
        "INVALID_ARGUMENT",
        "source",
      );
      await rejectsWith(registry.versions.get("ranker", "abc"), "INVALID_ARGUMENT", "version");
      await rejectsWith(registry.versions.get("ranker", "-1"), "INVALID_ARGUMENT", "version");
    });

    test("versions: signature and tags round-trip; a bad signature names its field", async () => {
      await registry.models.create({ name: "sig" });
      const signature = {
        inputs: [
          { name: "amount", type: "double" as const },
          { name: "country", type: "category" as const },
        ],
        outputs: [{ name: "score", type: "double" as const }],
      };
      const v = await registry.versions.create({
        name: "sig",
        source: "file:///m",
        signature,
        tags: [{ key: "validated", value: "false" }],
        description: "first",
      });
      assert.deepEqual(v.signature, signature);
      assert.deepEqual(v.tags, [{ key: "validated", value: "false" }]);
      await registry.versions.setTag("sig", "1", "validated", "true");
      assert.deepEqual((await registry.versions.get("sig", "1")).tags, [
        { key: "validated", value: "true" },
      ]);
      await registry.versions.deleteTag("sig", "1", "validated");
      assert.deepEqual((await registry.versions.get("sig", "1")).tags, []);
      await rejectsWith(
        registry.versions.create({
          name: "sig",
          source: "x",
          signature: { inputs: [{ name: "a", type: "tensor" }], outputs: [] } as never,
        }),
        "INVALID_ARGUMENT",
        "signature.inputs.0.type",
      );
      assert.equal((await registry.versions.search({ filter: "name = 'sig'" })).items.length, 1);
    });

    test("stages: transitions, archive_existing_versions, latest versions per stage", async () => {
      await registry.models.create({ name: "churn" });
      for (let i = 0; i < 3; i++)
        await registry.versions.create({ name: "churn", source: `s${i}` });
      await registry.versions.transitionStage("churn", "1", "production", false);
      await registry.versions.transitionStage("churn", "2", "Production", false);
      const v3 = await registry.versions.transitionStage("churn", "3", "Production", true, {
        actor: "ops",
      });
      assert.equal(v3.currentStage, "Production");
      assert.equal((await registry.versions.get("churn", "1")).currentStage, "Archived");
      assert.equal((await registry.versions.get("churn", "2")).currentStage, "Archived");
      const latest = await registry.models.latestVersions("churn");
      assert.deepEqual(
        latest.map((v) => [v.version, v.currentStage]),
        [
          ["2", "Archived"],
          ["3", "Production"],
        ],
      );
      assert.deepEqual(
        (await registry.models.latestVersions("churn", ["Production"])).map((v) => v.version),
        ["3"],
      );
      await rejectsWith(
        registry.versions.transitionStage("churn", "1", "Live", false),
        "INVALID_ARGUMENT",
        "stage",
      );
      await rejectsWith(
        registry.versions.transitionStage("churn", "1", "Archived", true),
        "INVALID_ARGUMENT",
        "archive_existing_versions",
      );
      const audit = (await registry.history("churn")).filter(
        (h) => h.action === "transition_model_version_stage",
      );
      assert.equal(audit.length, 5);
      assert.deepEqual(audit.at(-1)!.before, { stage: "None" });
      assert.deepEqual(audit.at(-1)!.after, { stage: "Production" });
      assert.equal(audit.at(-1)!.actor, "ops");
    });

    test("aliases: set, move, resolve, delete; a missing alias is REGISTRY_ALIAS_NOT_FOUND", async () => {
      await registry.models.create({ name: "search" });
      await registry.versions.create({ name: "search", source: "a" });
      await registry.versions.create({ name: "search", source: "b" });
      await registry.aliases.set("search", "champion", "1");
      await registry.aliases.set("search", "challenger", "2");
      assert.equal((await registry.aliases.resolve("search", "champion")).version, "1");
      await registry.aliases.set("search", "champion", "2");
      const v2 = await registry.aliases.resolve("search", "champion");
      assert.deepEqual(v2.aliases.sort(), ["challenger", "champion"]);
      await registry.aliases.delete("search", "challenger");
      await rejectsWith(
        registry.aliases.resolve("search", "challenger"),
        "REGISTRY_ALIAS_NOT_FOUND",
        "alias",
      );
      await rejectsWith(
        registry.aliases.delete("search", "challenger"),
        "REGISTRY_ALIAS_NOT_FOUND",
      );
      await rejectsWith(registry.aliases.set("search", "latest", "1"), "INVALID_ARGUMENT", "alias");
      await rejectsWith(registry.aliases.set("search", "v3", "1"), "INVALID_ARGUMENT", "alias");
      await rejectsWith(
        registry.aliases.set("search", "bad alias!", "1"),
        "INVALID_ARGUMENT",
        "alias",
      );
      await rejectsWith(registry.aliases.set("search", "x", "9"), "REGISTRY_VERSION_NOT_FOUND");
      await registry.versions.delete("search", "2");
      await rejectsWith(registry.aliases.resolve("search", "champion"), "REGISTRY_ALIAS_NOT_FOUND");
      const moves = (await registry.history("search")).filter(
        (h) => h.action === "set_registered_model_alias",
      );
      assert.deepEqual(moves[2]!.before, { alias: "champion", version: "1" });
      assert.deepEqual(moves[2]!.after, { alias: "champion", version: "2" });
    });

    test("search: models by name and tag, versions by run id, pages", async () => {
      for (const n of ["cat-a", "cat-b", "cat-c", "dog-a"]) {
        await registry.models.create({ name: n, tags: [{ key: "kind", value: n.slice(0, 3) }] });
        await registry.versions.create({ name: n, source: "x", runId: `run-${n}` });
      }
      const cats = await registry.models.search({ filter: "name LIKE 'cat-%'", maxResults: 2 });
      assert.deepEqual(
        cats.items.map((m) => m.name),
        ["cat-a", "cat-b"],
      );
      const rest = await registry.models.search({
        filter: "name LIKE 'cat-%'",
        maxResults: 2,
        pageToken: cats.nextPageToken,
      });
      assert.deepEqual(
        rest.items.map((m) => m.name),
        ["cat-c"],
      );
      assert.deepEqual(
        (await registry.models.search({ filter: "tags.kind = 'dog'" })).items.map((m) => m.name),
        ["dog-a"],
      );
      const byRun = await registry.versions.search({ filter: "run_id = 'run-cat-b'" });
      assert.deepEqual(
        byRun.items.map((v) => v.name),
        ["cat-b"],
      );
      await rejectsWith(
        registry.models.search({ filter: "name = " }),
        "TRACKING_INVALID_FILTER",
        "filter",
      );
    });
  });
}
