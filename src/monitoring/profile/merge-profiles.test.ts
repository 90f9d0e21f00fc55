import assert from "node:assert/strict";
import { test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { createSeededRandom } from "../../core/seeded-random.ts";
import type { FeatureColumn } from "../../training/dataset/training-dataset.ts";
import { categorical, exactQuantile, numeric, sortedFinite } from "../testing/columns.ts";
import type { DatasetProfile, NumericProfile } from "./feature-profile.ts";
import { mergeProfiles } from "./merge-profiles.ts";
import { profileColumns } from "./profile-columns.ts";
import { SKETCH_RELATIVE_ACCURACY, sketchQuantile } from "./quantile-sketch.ts";

const HOURS = 24;
const PER_HOUR = 2000;

/** A day of serving data: a drifting amount with gaps and infinities, and a merchant. */
function day(): { amount: Float64Array; merchant: (string | null)[] } {
  const rng = createSeededRandom(11);
  const n = HOURS * PER_HOUR;
  const amount = new Float64Array(n);
  const merchant: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    const hour = Math.floor(i / PER_HOUR);
    const u = rng.next();
    amount[i] =
      u < 0.03
        ? Number.NaN
        : u < 0.035
          ? Number.POSITIVE_INFINITY
          : (50 + hour) * -Math.log(rng.next());
    merchant.push(u > 0.98 ? null : `m${Math.floor(rng.next() ** 2 * 40)}`);
  }
  return { amount, merchant };
}

function columnsOf(amount: Float64Array, merchant: (string | null)[]): FeatureColumn[] {
  return [numeric("amount", amount), categorical("merchant", merchant)];
}

function numericOf(profile: DatasetProfile): NumericProfile {
  return profile.features[0] as NumericProfile;
}

test("merging hourly profiles gives the daily profile", () => {
  const { amount, merchant } = day();
  const reference = profileColumns(columnsOf(amount.subarray(0, 5000), merchant.slice(0, 5000)));
  const daily = profileColumns(columnsOf(amount, merchant), { edgesFrom: reference });
  const hourly = Array.from({ length: HOURS }, (_, h) => {
    const from = h * PER_HOUR;
    const to = from + PER_HOUR;
    return profileColumns(columnsOf(amount.subarray(from, to), merchant.slice(from, to)), {
      edgesFrom: reference,
    });
  });
  const merged = hourly.reduce(mergeProfiles);
  const [d, m] = [numericOf(daily), numericOf(merged)];
  // Exactly mergeable parts are equal, not merely close.
  assert.deepEqual(
    { ...m, moments: undefined },
    { ...d, moments: undefined },
    "counts, sketch, histogram and distinct registers",
  );
  assert.deepEqual(merged.features[1], daily.features[1], "category counts");
  assert.equal(m.moments.count, d.moments.count);
  assert.equal(m.moments.min, d.moments.min);
  assert.equal(m.moments.max, d.moments.max);
  assert.ok(Math.abs(m.moments.mean - d.moments.mean) <= 1e-12 * Math.abs(d.moments.mean));
  assert.ok(Math.abs(m.moments.m2 - d.moments.m2) <= 1e-10 * d.moments.m2);
  // And the merged sketch answers within its bound of the exact quantiles.
  const sorted = sortedFinite(amount);
  for (let k = 0; k <= 100; k++) {
    const exact = exactQuantile(sorted, k / 100);
    const estimate = sketchQuantile(m.sketch, k / 100, m.moments.min, m.moments.max);
    assert.ok(Math.abs(estimate - exact) <= SKETCH_RELATIVE_ACCURACY * exact, `q=${k / 100}`);
  }
});

test("merging is associative", () => {
  const { amount, merchant } = day();
  const parts = [0, 1, 2].map((p) =>
    profileColumns(
      columnsOf(
        amount.subarray(p * 9000, (p + 1) * 9000),
        merchant.slice(p * 9000, (p + 1) * 9000),
      ),
    ),
  );
  const left = mergeProfiles(mergeProfiles(parts[0]!, parts[1]!), parts[2]!);
  const right = mergeProfiles(parts[0]!, mergeProfiles(parts[1]!, parts[2]!));
  assert.deepEqual(numericOf(left).sketch, numericOf(right).sketch);
  assert.deepEqual(left.features[1], right.features[1]);
  assert.ok(
    Math.abs(numericOf(left).moments.m2 - numericOf(right).moments.m2) <=
      1e-10 * numericOf(left).moments.m2,
  );
});

test("histograms with different edges merge approximately, from the sketch", () => {
  const a = profileColumns([numeric("x", [1, 2, 3, 4])]);
  const b = profileColumns([numeric("x", [10, 20, 30])]);
  const h = numericOf(mergeProfiles(a, b)).histogram;
  assert.equal(h.approximate, true);
  assert.equal(h.edges[0], 1);
  assert.equal(h.edges.at(-1), 30);
  assert.equal(
    h.counts.reduce((s, c) => s + c, 0),
    7,
  );
});

test("a feature on one side only is kept; one of two kinds is refused", () => {
  const a = profileColumns([numeric("x", [1, 2])]);
  const b = profileColumns([numeric("y", [3])]);
  assert.deepEqual(
    mergeProfiles(a, b).features.map((f) => f.name),
    ["x", "y"],
  );
  const c = profileColumns([categorical("x", ["a"])]);
  assert.throws(
    () => mergeProfiles(a, c),
    (e: unknown) => isPlinthError(e, "MONITORING_INCOMPATIBLE_PROFILES") && e.field === "x",
  );
});
