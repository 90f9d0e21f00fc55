import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createSeededRandom } from "../../core/seeded-random.ts";
import {
  NO_CREATED_TIME,
  type OnlineRecord,
  type OnlineStore,
  type OnlineValue,
} from "./online-store.ts";

/** A fresh, empty store for one test, more connections to the same storage, and cleanup. */
export interface OnlineStoreFixture {
  /** The store under test. */
  readonly store: OnlineStore;
  /** Another client of the same storage (another connection or process-level handle). */
  openAnother(): Promise<OnlineStore>;
  /** Closes every client and removes everything written. */
  cleanup(): Promise<void>;
}

const T0 = Date.UTC(2024, 0, 1) * 1000;

function record(
  entityKey: string,
  eventSeconds: number,
  values: Record<string, OnlineValue>,
  createdSeconds: number | null = eventSeconds,
  expiresAtMs: number | null = null,
): OnlineRecord {
  return {
    entityKey,
    eventMicros: T0 + eventSeconds * 1_000_000,
    createdMicros: createdSeconds === null ? NO_CREATED_TIME : T0 + createdSeconds * 1_000_000,
    values,
    expiresAtMs,
  };
}

/**
 * The behaviour every {@link OnlineStore} backend must show. A backend's test file calls
 * this with a factory of empty stores; the backend is done when the suite passes.
 *
 * @example
 * runOnlineStoreContract("sqlite", async () => { ... return { store, openAnother, cleanup }; });
 */
export function runOnlineStoreContract(
  name: string,
  makeStore: () => Promise<OnlineStoreFixture>,
): void {
  describe(`OnlineStore contract: ${name}`, () => {
    let fixture: OnlineStoreFixture;
    let store: OnlineStore;
    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });
    afterEach(() => fixture.cleanup());

    const readOne = async (view: string, key: string) =>
      (await store.read([{ view, entityKeys: [key] }]))[0]![0];

    test("records round-trip with every value shape, per view, in request order", async () => {
      const values = {
        i: "9007199254740993",
        f: 0.1,
        neg: -2.5e-300,
        inf: "-Infinity",
        s: 'quo"te, comma: ünïcode \u2028 \n',
        b: false,
        t: T0,
        n: null,
      };
      assert.equal(
        await store.write("v", [record("7", 10, values), record("8", 11, { i: "1" })]),
        2,
      );
      assert.equal(await store.write("w", [record("7", 12, { x: true })]), 1);
      const [v, w, none] = await store.read([
        { view: "v", entityKeys: ["8", "missing", "7"] },
        { view: "w", entityKeys: ["7", "8"] },
        { view: "v", entityKeys: [] },
      ]);
      assert.deepEqual(v, [
        { eventMicros: T0 + 11_000_000, createdMicros: T0 + 11_000_000, values: { i: "1" } },
        undefined,
        { eventMicros: T0 + 10_000_000, createdMicros: T0 + 10_000_000, values },
      ]);
      assert.deepEqual(w, [
        { eventMicros: T0 + 12_000_000, createdMicros: T0 + 12_000_000, values: { x: true } },
        undefined,
      ]);
      assert.deepEqual(none, []);
      assert.equal(await store.write("v", []), 0);
    });

    test("an older event never overwrites a newer one; ties go to the later created time", async () => {
      await store.write("v", [record("k", 10, { a: 1 }, 20)]);
      assert.equal(await store.write("v", [record("k", 9, { a: 2 }, 99)]), 0, "older event");
      assert.equal(await store.write("v", [record("k", 10, { a: 3 }, 19)]), 0, "older created");
      assert.equal(await store.write("v", [record("k", 10, { a: 4 }, null)]), 0, "no created");
      assert.deepEqual((await readOne("v", "k"))?.values, { a: 1 });
      assert.equal(await store.write("v", [record("k", 10, { a: 5 }, 20)]), 1, "same times");
      assert.deepEqual((await readOne("v", "k"))?.values, { a: 5 });
      assert.equal(await store.write("v", [record("k", 10, { a: 6 }, 21)]), 1, "later created");
      assert.equal(await store.write("v", [record("k", 11, { b: 7 }, 0)]), 1, "later event");
      // The whole record is replaced: a feature missing from the new write is gone.
      assert.deepEqual(await readOne("v", "k"), {
        eventMicros: T0 + 11_000_000,
        createdMicros: T0,
        values: { b: 7 },
      });
      // One batch holding several versions of a key keeps the newest, whatever the order.
      await store.write("v", [
        record("m", 5, { a: 5 }),
        record("m", 8, { a: 8 }),
        record("m", 6, { a: 6 }),
      ]);
      assert.deepEqual((await readOne("v", "m"))?.values, { a: 8 });
    });

    test("concurrent writers in random order leave every entity at its newest event", async () => {
      const rng = createSeededRandom(7);
      const clients = [store, await fixture.openAnother(), await fixture.openAnother()];
      const keys = Array.from({ length: 40 }, (_, i) => `"user ${i}",${i % 3}`);
      const versions = keys.flatMap((key) =>
        Array.from({ length: 12 }, (_, v) => record(key, v, { v, key }, v * 2)),
      );
      for (let i = versions.length - 1; i > 0; i--) {
        const j = rng.nextInt(i + 1);
        [versions[i], versions[j]] = [versions[j]!, versions[i]!];
      }
      const writes: Promise<number>[] = [];
      for (let i = 0; i < versions.length; i += 7) {
        writes.push(clients[(i / 7) % clients.length]!.write("v", versions.slice(i, i + 7)));
      }
      await Promise.all(writes);
      const [got] = await store.read([{ view: "v", entityKeys: keys }]);
      assert.deepEqual(
        got!.map((r) => r?.values),
        keys.map((key) => ({ v: 11, key })),
      );
    });

    test("delete removes entities of one view; dropView removes exactly one view", async () => {
      const hostile = ['"a*b?[c]\\\\"', "x:y", '"ü\\n"', ""];
      for (const view of ["v", "v2", "v_x"]) {
        await store.write(
          view,
          hostile.map((k) => record(k, 1, { view })),
        );
      }
      assert.equal(await store.delete("v", [hostile[0]!, "never-written"]), 1);
      assert.equal(await readOne("v", hostile[0]!), undefined);
      assert.deepEqual((await readOne("v2", hostile[0]!))?.values, { view: "v2" });
      assert.equal(await store.dropView("v"), hostile.length - 1);
      for (const k of hostile) assert.equal(await readOne("v", k), undefined);
      for (const k of hostile) assert.deepEqual((await readOne("v_x", k))?.values, { view: "v_x" });
      assert.equal(await store.dropView("v"), 0);
      assert.equal(await store.delete("v2", []), 0);
    });

    test("records past their expiry are not read, and a later write may start over", async () => {
      const now = Date.now();
      await store.write("v", [
        record("gone", 1, { a: 1 }, 1, now - 1),
        record("soon", 1, { a: 2 }, 1, now + 400),
        record("kept", 1, { a: 3 }, 1, null),
      ]);
      assert.equal(await readOne("v", "gone"), undefined);
      assert.deepEqual((await readOne("v", "soon"))?.values, { a: 2 });
      await sleep(600);
      assert.equal(await readOne("v", "soon"), undefined);
      await store.purgeExpired();
      assert.deepEqual((await readOne("v", "kept"))?.values, { a: 3 });
      // Nothing is stored any more, so an older event is accepted.
      assert.equal(await store.write("v", [record("soon", 0, { a: 9 })]), 1);
      assert.deepEqual((await readOne("v", "soon"))?.values, { a: 9 });
    });

    test("thousands of records go through one write and one read", async () => {
      const n = 5000;
      const records = Array.from({ length: n }, (_, i) => record(String(i), i, { i, s: `s${i}` }));
      assert.equal(await store.write("big", records), n);
      const keys = records.map((r) => r.entityKey);
      const [got] = await store.read([{ view: "big", entityKeys: keys }]);
      assert.equal(got!.length, n);
      assert.deepEqual(
        got!.map((r) => r?.values),
        records.map((_, i) => ({ i, s: `s${i}` })),
      );
    });
  });
}
