import assert from "node:assert/strict";
import { test } from "node:test";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { sortFloat64 } from "./sort-float64.ts";

test("radix sort orders finite doubles exactly as the built-in sort", () => {
  const rng = createSeededRandom(9);
  const generators: (() => number)[] = [
    () => rng.next(),
    () => (rng.next() - 0.5) * 1e6,
    () => Math.floor(rng.next() * 7) - 3,
    () => (rng.next() < 0.5 ? -1 : 1) * 10 ** (rng.next() * 600 - 300),
    () =>
      [0, -0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1][
        Math.floor(rng.next() * 8)
      ]!,
  ];
  for (const [g, generate] of generators.entries()) {
    for (const n of [0, 1, 255, 256, 1000, 50_000]) {
      const values = Float64Array.from({ length: n }, generate);
      const expected = values.slice().sort();
      const got = sortFloat64(values);
      assert.equal(got, values, "sorts in place");
      for (let i = 0; i < n; i++) {
        assert.ok(
          Object.is(got[i], expected[i]),
          `generator ${g}, n ${n}, index ${i}: ${got[i]} vs ${expected[i]}`,
        );
      }
    }
  }
});

test("a subarray view is sorted in place without touching its neighbours", () => {
  const backing = Float64Array.from({ length: 3000 }, (_, i) => 3000 - i);
  const view = backing.subarray(1000, 2000);
  sortFloat64(view);
  assert.equal(backing[999], 2001);
  assert.equal(backing[1000], 1001);
  assert.equal(backing[1999], 2000);
  assert.equal(backing[2000], 1000);
});
