import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { rejectsWithCode } from "../../core/testing/rejects-with-code.ts";
import type { FeatureRegistry } from "./feature-registry.ts";
import type { RegistryChange } from "./registry-plan.ts";
import { fraudDefinitions } from "./testing/fraud-definitions.ts";

/** A fresh, empty registry of one backend, and how to make its next write fail. */
export interface RegistryUnderTest {
  readonly registry: FeatureRegistry;
  /** Makes the storage refuse the next write of an object named `name` (a trigger, say). */
  failWritesOf(name: string): Promise<void>;
  cleanup(): Promise<void>;
}

const summary = (changes: readonly RegistryChange[]) =>
  changes.map(
    (c) =>
      `${c.action} ${c.kind} ${c.name} v${c.fromVersion}->v${c.toVersion}${c.breaking.length > 0 ? " BREAKING" : ""}`,
  );

/**
 * Registers the feature-registry contract for one backend.
 *
 * @example
 * runFeatureRegistryContract("sqlite", async () => ({ registry, failWritesOf, cleanup }));
 */
export function runFeatureRegistryContract(
  name: string,
  open: () => Promise<RegistryUnderTest>,
): void {
  const withRegistry = (fn: (r: RegistryUnderTest) => Promise<void>) => async () => {
    const r = await open();
    try {
      await fn(r);
    } finally {
      await r.cleanup();
    }
  };

  describe(`feature registry contract: ${name}`, () => {
    test(
      "a first apply adds everything at v1; applying the same definitions again changes nothing",
      withRegistry(async ({ registry }) => {
        const defs = fraudDefinitions();
        const plan = await registry.plan(defs);
        assert.equal(plan.baseRevision, 0);
        assert.deepEqual(summary(plan.changes), [
          "add entity driver vnull->v1",
          "add pushSource live_trips vnull->v1",
          "add featureView driver_stats vnull->v1",
          "add onDemandFeatureView scaled vnull->v1",
          "add featureService fraud_v1 vnull->v1",
        ]);
        const result = await registry.apply(defs, { actor: "ana", module: "features.ts" });
        assert.equal(result.applied, true);
        assert.equal(result.record.revision, 1);
        const listed = await registry.list();
        assert.equal(listed.revision, 1);
        const view = listed.objects.find((o) => o.kind === "featureView")!;
        assert.equal(view.version, 1);
        assert.equal(view.status, "active");
        assert.deepEqual(view.spec, {
          entities: ["driver"],
          joinKeys: ["driver_id:int64"],
          features: { rating: "float64", trips: "int64" },
          source: { pushSource: "live_trips" },
          ttlSeconds: 3600,
          online: true,
          offline: true,
          owner: "risk@example.test",
          tags: { team: "risk" },
          description: "per-driver trip statistics",
        });
        const service = listed.objects.find((o) => o.kind === "featureService")!;
        assert.deepEqual(service.spec, {
          features: {
            "driver_stats:rating": "float64",
            "driver_stats:trips": "int64",
            "scaled:rating_x_amount": "float64",
          },
          owner: "",
          tags: {},
          description: "",
        });

        assert.deepEqual((await registry.plan(fraudDefinitions())).changes, []);
        const again = await registry.apply(fraudDefinitions(), { actor: "ben" });
        assert.equal(again.applied, false);
        assert.equal(again.record.revision, 1);
        const history = await registry.history();
        assert.equal(history.length, 1, "a no-op apply is not recorded");
        assert.equal(history[0]!.actor, "ana");
        assert.equal(history[0]!.module, "features.ts");
        assert.equal(history[0]!.changes.length, 5);
      }),
    );

    test(
      "safe changes are field-level and keep versions: ttl, description, a new feature, a new transform",
      withRegistry(async ({ registry }) => {
        await registry.apply(fraudDefinitions());
        const changed = fraudDefinitions({
          ttlSeconds: 60,
          description: "updated",
          withAcceptance: true,
          scale: 3,
        });
        const plan = await registry.plan(changed);
        assert.equal(plan.hasBreakingChanges, false);
        const byName = new Map(plan.changes.map((c) => [c.name, c]));
        assert.deepEqual(byName.get("driver_stats")!.fields, [
          { path: "description", before: "per-driver trip statistics", after: "updated" },
          { path: "features.acceptance", after: "float64" },
          { path: "ttlSeconds", before: 3600, after: 60 },
        ]);
        assert.deepEqual(
          byName.get("scaled")!.fields.map((f) => f.path),
          ["transformHash"],
          "an edited transform shows as a change",
        );
        assert.deepEqual([...byName.keys()].sort(), ["driver_stats", "scaled"]);
        const result = await registry.apply(changed, { actor: "ana" });
        assert.equal(result.record.revision, 2);
        const [view] = await registry.lookup("driver_stats");
        assert.equal(view!.version, 1);
        assert.equal(view!.createdRevision, 1);
        assert.equal(view!.updatedRevision, 2);
        assert.equal((view!.spec as { ttlSeconds: number }).ttlSeconds, 60);
      }),
    );

    test(
      "breaking changes are refused and change nothing; forced, they make new versions and keep the old",
      withRegistry(async ({ registry }) => {
        await registry.apply(fraudDefinitions());
        const before = await registry.list();
        const typeChange = fraudDefinitions({ ratingType: "string" });
        const plan = await registry.plan(typeChange);
        const view = plan.changes.find((c) => c.name === "driver_stats")!;
        assert.deepEqual(view.breaking, ["feature 'rating' changes type from float64 to string"]);
        assert.equal(view.toVersion, 2);
        await assert.rejects(registry.apply(typeChange), (e: unknown) => {
          assert.ok(isPlinthError(e, "FEATURES_BREAKING_CHANGE"));
          assert.equal(e.field, "driver_stats");
          assert.match(e.message, /feature view 'driver_stats' feature 'rating' changes type/);
          assert.match(e.message, /driver_stats@v2/);
          assert.match(e.message, /--force/);
          return true;
        });
        assert.deepEqual(await registry.list(), before, "a refused apply changes nothing");
        assert.equal((await registry.history()).length, 1);

        const forced = await registry.apply(typeChange, { force: true, actor: "ops" });
        assert.equal(forced.record.forced, true);
        const versions = await registry.lookup("driver_stats");
        assert.deepEqual(
          versions.map((o) => [o.version, o.status, (o.spec as { features: object }).features]),
          [
            [2, "active", { rating: "string", trips: "int64" }],
            [1, "superseded", { rating: "float64", trips: "int64" }],
          ],
        );
        const [v1] = await registry.lookup("driver_stats", { version: 1 });
        assert.equal(
          await registry.findVersion("featureView", "driver_stats", v1!.specHash),
          1,
          "the spec an old training set used still resolves to its version",
        );
        const service = (await registry.lookup("fraud_v1"))[0]!;
        assert.equal(service.version, 2, "the service's own type change bumped it too");
      }),
    );

    test(
      "what is breaking: join keys, removed features, views and services that a service reads",
      withRegistry(async ({ registry }) => {
        await registry.apply(fraudDefinitions({ withCityStats: true }));
        const reasons = async (variant: Parameters<typeof fraudDefinitions>[0]) =>
          Object.fromEntries(
            (await registry.plan(fraudDefinitions(variant))).changes
              .filter((c) => c.breaking.length > 0)
              .map((c) => [`${c.kind}:${c.name}`, c.breaking]),
          );
        assert.deepEqual(await reasons({ withCityStats: true, keyType: "string" }), {
          "entity:driver": ["join keys change from [driver_id:int64] to [driver_id:string]"],
          "pushSource:live_trips": ["column 'driver_id' changes type from int64 to string"],
          "featureView:city_stats": [
            "join keys change from [driver_id:int64] to [driver_id:string]",
          ],
          "featureView:driver_stats": [
            "join keys change from [driver_id:int64] to [driver_id:string]",
          ],
        });
        assert.deepEqual(await reasons({ withCityStats: true, withoutTrips: true }), {
          "featureView:driver_stats": [
            "feature 'trips' is removed but feature service 'fraud_v1' reads it",
          ],
          "featureService:fraud_v1": [
            "no longer returns 'driver_stats:trips', which models trained on it read",
          ],
        });
        assert.deepEqual(await reasons({}), {}, "removing a view no service reads is safe");
        assert.deepEqual(await reasons({ withCityStats: true, withService: false }), {
          "featureService:fraud_v1": [
            "is removed; models deployed with it would lose their features",
          ],
        });
        assert.deepEqual(await reasons({ withCityStats: true, withPushSource: false }), {
          "pushSource:live_trips": ["is removed; producers pushing to it would be refused"],
        });
      }),
    );

    test(
      "a removed object keeps its versions; defining it again makes the next version",
      withRegistry(async ({ registry }) => {
        await registry.apply(fraudDefinitions({ withCityStats: true }));
        const removed = await registry.apply(fraudDefinitions());
        assert.deepEqual(summary(removed.record.changes), [
          "remove featureView city_stats v1->vnull",
        ]);
        assert.equal(
          (await registry.list()).objects.some((o) => o.name === "city_stats"),
          false,
        );
        assert.equal((await registry.lookup("city_stats"))[0]!.status, "removed");
        const readded = await registry.apply(fraudDefinitions({ withCityStats: true }));
        assert.deepEqual(summary(readded.record.changes), ["add featureView city_stats vnull->v2"]);
        assert.deepEqual(
          (await registry.lookup("city_stats")).map((o) => `${o.version}:${o.status}`),
          ["2:active", "1:removed"],
        );
      }),
    );

    test(
      "an apply that fails part-way changes nothing",
      withRegistry(async ({ registry, failWritesOf }) => {
        await registry.apply(fraudDefinitions());
        const before = await registry.list();
        await failWritesOf("scaled");
        // driver_stats is written first (in plan order), then the write of scaled fails.
        await assert.rejects(
          registry.apply(fraudDefinitions({ withAcceptance: true, ttlSeconds: 5, scale: 3 })),
          /injected failure/,
        );
        assert.deepEqual(await registry.list(), before);
        assert.equal((await registry.history()).length, 1);
      }),
    );

    test(
      "applies planned against a stale revision conflict; concurrent applies commit once",
      withRegistry(async ({ registry }) => {
        const plan = await registry.plan(fraudDefinitions());
        await registry.apply(fraudDefinitions());
        await rejectsWithCode(
          registry.apply(fraudDefinitions({ ttlSeconds: 1 }), {
            expectedRevision: plan.baseRevision,
          }),
          "FEATURES_REGISTRY_CONFLICT",
          "revision",
        );
        const outcomes = await Promise.allSettled(
          [7, 8, 9].map((ttl) => registry.apply(fraudDefinitions({ ttlSeconds: ttl }))),
        );
        for (const o of outcomes) {
          if (o.status === "rejected")
            assert.ok(isPlinthError(o.reason, "FEATURES_REGISTRY_CONFLICT"), String(o.reason));
        }
        const history = await registry.history();
        const applied = outcomes.filter((o) => o.status === "fulfilled" && o.value.applied).length;
        assert.equal(history.length, 1 + applied);
        assert.deepEqual(
          history.map((h) => h.revision),
          Array.from({ length: history.length }, (_, i) => history.length - i),
          "revisions have no gaps and no repeats",
        );
      }),
    );

    test(
      "bad lookups and options get typed errors naming the field",
      withRegistry(async ({ registry }) => {
        await registry.apply(fraudDefinitions());
        await rejectsWithCode(registry.lookup("nope"), "FEATURES_NOT_IN_REGISTRY", "nope");
        await rejectsWithCode(
          registry.lookup("driver_stats", { version: 9 }),
          "FEATURES_NOT_IN_REGISTRY",
          "driver_stats",
        );
        await rejectsWithCode(registry.lookup(""), "INVALID_ARGUMENT", "name");
        await rejectsWithCode(
          registry.lookup("driver", { version: 0 }),
          "INVALID_ARGUMENT",
          "version",
        );
        await rejectsWithCode(
          registry.lookup("driver", { kind: "table" as never }),
          "INVALID_ARGUMENT",
          "kind",
        );
        await rejectsWithCode(registry.history({ limit: 0 }), "INVALID_ARGUMENT", "limit");
        await rejectsWithCode(
          registry.apply(fraudDefinitions({ ttlSeconds: 2 }), { actor: 5 as never }),
          "INVALID_ARGUMENT",
          "actor",
        );
        await rejectsWithCode(
          registry.apply(fraudDefinitions({ ttlSeconds: 2 }), { actor: "x".repeat(5000) }),
          "INVALID_ARGUMENT",
          "actor",
        );
        assert.equal((await registry.lookup("driver", { kind: "entity" })).length, 1);
      }),
    );
  });
}
