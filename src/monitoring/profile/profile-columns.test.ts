import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { categorical, exactQuantile, numeric, sortedFinite } from "../testing/columns.ts";
import { topCategories } from "./category-counts.ts";
import type { CategoricalProfile, NumericProfile } from "./feature-profile.ts";
import { estimateDistinct } from "./hyperloglog.ts";
import { varianceOf } from "./numeric-moments.ts";
import { profileColumns } from "./profile-columns.ts";
import { SKETCH_RELATIVE_ACCURACY, sketchQuantile } from "./quantile-sketch.ts";

const rng = createSeededRandom(7);

function numericProfile(values: ArrayLike<number>, options = {}): NumericProfile {
  const profile = profileColumns([numeric("x", values)], options).features[0]!;
  assert.equal(profile.kind, "numeric");
  return profile as NumericProfile;
}

function throwsCode(run: () => unknown, code: string, field: string): void {
  assert.throws(run, (e: unknown) => isPlinthError(e) && e.code === code && e.field === field);
}

describe("numeric profiles", () => {
  test("keep NaN, +Infinity and -Infinity apart and summarise the finite values exactly", () => {
    const values = [3, Number.NaN, -1, Number.POSITIVE_INFINITY, 4, Number.NaN, 1.5, -Infinity, 10];
    const p = numericProfile(values);
    assert.equal(p.count, 9);
    assert.equal(p.missing, 2);
    assert.equal(p.positiveInfinity, 1);
    assert.equal(p.negativeInfinity, 1);
    const finite = [3, -1, 4, 1.5, 10];
    const mean = finite.reduce((s, x) => s + x, 0) / finite.length;
    const sampleVariance = finite.reduce((s, x) => s + (x - mean) ** 2, 0) / (finite.length - 1);
    assert.deepEqual(
      { count: p.moments.count, min: p.moments.min, max: p.moments.max },
      { count: 5, min: -1, max: 10 },
    );
    assert.ok(Math.abs(p.moments.mean - mean) < 1e-15);
    assert.ok(Math.abs(varianceOf(p.moments)! - sampleVariance) < 1e-12);
  });

  test("quantiles are within the documented relative accuracy of the exact ones", () => {
    const n = 50_000;
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // Heavy-tailed, both signs, with exact zeros: the hard cases for a bucketed sketch.
      const u = rng.next();
      values[i] = u < 0.05 ? 0 : (rng.next() < 0.3 ? -1 : 1) * Math.exp(8 * rng.next() - 4);
    }
    const p = numericProfile(values);
    const sorted = sortedFinite(values);
    for (let k = 0; k <= 100; k++) {
      const q = k / 100;
      const exact = exactQuantile(sorted, q);
      const estimate = sketchQuantile(p.sketch, q, p.moments.min, p.moments.max);
      assert.ok(
        Math.abs(estimate - exact) <= SKETCH_RELATIVE_ACCURACY * Math.abs(exact) + 1e-300,
        `q=${q}: ${estimate} vs exact ${exact}`,
      );
    }
    assert.equal(sketchQuantile(p.sketch, 0, p.moments.min, p.moments.max), p.moments.min);
    assert.equal(sketchQuantile(p.sketch, 1, p.moments.min, p.moments.max), p.moments.max);
  });

  test("histogram bins follow NumPy's edges, and reference edges count outliers apart", () => {
    const values = [0, 1, 2, 2.5, 5, 7.5, 10, Number.NaN];
    const p = numericProfile(values, { bins: 4 });
    assert.deepEqual(p.histogram.edges, [0, 2.5, 5, 7.5, 10]);
    // [0,2.5) [2.5,5) [5,7.5) [7.5,10]: an edge value goes up, the last edge stays in.
    assert.deepEqual(p.histogram.counts, [3, 1, 1, 2]);
    const reference = profileColumns([numeric("x", values)], { bins: 4 });
    const current = numericProfile([-3, 0, 10, 11, 12], { edgesFrom: reference });
    assert.deepEqual(current.histogram.edges, p.histogram.edges);
    assert.deepEqual(current.histogram.counts, [1, 0, 0, 1]);
    assert.equal(current.histogram.underflow, 1);
    assert.equal(current.histogram.overflow, 2);
  });

  test("a constant column gets NumPy's ±0.5 edges; an all-missing one an empty summary", () => {
    assert.deepEqual(numericProfile([4, 4, 4], { bins: 2 }).histogram.edges, [3.5, 4, 4.5]);
    const empty = numericProfile([Number.NaN, Number.NaN]);
    assert.equal(empty.moments.count, 0);
    assert.equal(empty.missing, 2);
    assert.ok(Number.isNaN(sketchQuantile(empty.sketch, 0.5)));
    assert.equal(estimateDistinct(empty.distinct), 0);
    assert.deepEqual(profileColumns([]), { rows: 0, features: [] });
  });

  test("estimates distinct values within the sketch's error", () => {
    const many = Float64Array.from({ length: 200_000 }, (_, i) => (i % 50_000) * 0.37 - 900);
    const estimate = estimateDistinct(numericProfile(many).distinct);
    assert.ok(Math.abs(estimate - 50_000) / 50_000 < 3 * 0.0163, `estimate ${estimate}`);
    const few = [1, 2, 3, 3, 0, -0, 2];
    assert.equal(estimateDistinct(numericProfile(few).distinct), 4);
  });
});

describe("categorical profiles", () => {
  test("count values exactly, missing apart, most frequent first", () => {
    const p = profileColumns([categorical("c", ["b", "a", null, "b", "c", "b", "a"])])
      .features[0] as CategoricalProfile;
    assert.equal(p.count, 7);
    assert.equal(p.missing, 1);
    assert.deepEqual(topCategories(p.categories, 2), [
      { value: "b", count: 3 },
      { value: "a", count: 2 },
    ]);
    assert.equal(p.categories.errorBound, 0);
    assert.equal(estimateDistinct(p.distinct), 3);
  });

  test("beyond capacity, counts undercount by at most the error bound", () => {
    const values: string[] = [];
    const truth = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const v = `v${Math.floor(rng.next() ** 3 * 500)}`;
      values.push(v);
      truth.set(v, (truth.get(v) ?? 0) + 1);
    }
    const p = profileColumns([categorical("c", values)], { categoryCapacity: 20 })
      .features[0] as CategoricalProfile;
    assert.ok(p.categories.values.length <= 20);
    assert.ok(p.categories.errorBound > 0);
    p.categories.values.forEach((v, i) => {
      const c = p.categories.counts[i]!;
      assert.ok(c <= truth.get(v)! && truth.get(v)! <= c + p.categories.errorBound, v);
    });
    for (const [v, c] of truth) {
      if (!p.categories.values.includes(v)) assert.ok(c <= p.categories.errorBound, v);
    }
  });
});

describe("bad input", () => {
  test("is refused with the column named", () => {
    throwsCode(
      () => profileColumns([numeric("a", [1, 2]), numeric("b", [1])]),
      "MONITORING_INVALID_INPUT",
      "b",
    );
    throwsCode(
      () => profileColumns([numeric("a", [1]), numeric("a", [2])]),
      "MONITORING_INVALID_INPUT",
      "a",
    );
    const bad = {
      kind: "categorical" as const,
      name: "c",
      codes: Int32Array.of(0, 3),
      dictionary: ["x"],
    };
    throwsCode(() => profileColumns([bad]), "MONITORING_INVALID_INPUT", "c");
    throwsCode(
      () => profileColumns([numeric("a", [1])], { bins: 0 }),
      "MONITORING_INVALID_INPUT",
      "bins",
    );
    throwsCode(
      () => profileColumns([numeric("a", [1])], { categoryCapacity: 1.5 }),
      "MONITORING_INVALID_INPUT",
      "categoryCapacity",
    );
  });
});
