import assert from "node:assert/strict";
import { test } from "node:test";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { wasserstein1 } from "./distances.ts";
import { ksStatistic, ksTwoSample } from "./ks-two-sample.ts";

const rng = createSeededRandom(3);

function sample(n: number, shift: number, decimals: number): Float64Array {
  const scale = 10 ** decimals;
  return Float64Array.from(
    { length: n },
    () => Math.round((rng.next() + shift) * scale) / scale,
  ).sort();
}

/** D by definition: the largest ECDF gap at any data point, counting by brute force. */
function bruteD(a: Float64Array, b: Float64Array): number {
  let d = 0;
  for (const x of [...a, ...b]) {
    const fa = a.filter((v) => v <= x).length / a.length;
    const fb = b.filter((v) => v <= x).length / b.length;
    d = Math.max(d, Math.abs(fa - fb));
  }
  return d;
}

test("the KS statistic equals the brute-force ECDF gap, ties included", () => {
  for (let trial = 0; trial < 200; trial++) {
    const a = sample(1 + Math.floor(rng.next() * 40), 0, 1);
    const b = sample(1 + Math.floor(rng.next() * 40), rng.next() * 0.3, 1);
    assert.ok(Math.abs(ksStatistic(a, b) - bruteD(a, b)) < 1e-15, `trial ${trial}`);
  }
});

/** Every way to split the pooled values into groups of n1 and n2: the exact null distribution. */
function permutationPValue(a: Float64Array, b: Float64Array): number {
  const pooled = Float64Array.from([...a, ...b]);
  const n1 = a.length;
  const observed = bruteD(a, b);
  let extreme = 0;
  let total = 0;
  const choose = (start: number, picked: number[]) => {
    if (picked.length === n1) {
      const inA = new Set(picked);
      const x = Float64Array.from(picked.map((i) => pooled[i]!)).sort();
      const y = pooled.filter((_, i) => !inA.has(i)).sort();
      total++;
      if (bruteD(x, y) >= observed - 1e-12) extreme++;
      return;
    }
    for (let i = start; i <= pooled.length - (n1 - picked.length); i++)
      choose(i + 1, [...picked, i]);
  };
  choose(0, []);
  return extreme / total;
}

test("the exact KS p-value equals the permutation distribution, equal and unequal sizes", () => {
  for (const [n1, n2] of [
    [5, 5],
    [4, 7],
    [6, 5],
    [3, 9],
  ] as const) {
    // Distinct values (6 decimals): the exact method assumes no ties, as SciPy's does.
    const a = sample(n1, 0, 6);
    const b = sample(n2, 0.25, 6);
    const result = ksTwoSample(a, b);
    assert.equal(result.method, "exact");
    assert.ok(
      Math.abs(result.pValue - permutationPValue(a, b)) < 1e-12,
      `${n1}x${n2}: ${result.pValue} vs ${permutationPValue(a, b)}`,
    );
  }
});

test("Wasserstein-1 of equal-size samples is the mean gap between order statistics", () => {
  for (let trial = 0; trial < 50; trial++) {
    const n = 1 + Math.floor(rng.next() * 60);
    const a = sample(n, 0, 2);
    const b = sample(n, rng.next(), 2);
    let gap = 0;
    for (let i = 0; i < n; i++) gap += Math.abs(a[i]! - b[i]!);
    assert.ok(Math.abs(wasserstein1(a, b) - gap / n) < 1e-12, `trial ${trial}`);
  }
});
