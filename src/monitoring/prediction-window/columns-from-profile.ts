import type { FeatureColumn } from "../../training/dataset/training-dataset.ts";
import type { DatasetProfile, FeatureProfile } from "../profile/feature-profile.ts";
import { bucketMidpoint } from "../profile/quantile-sketch.ts";

/** Rows a column rebuilt from a profile has at most: drift tests on more add nothing but time. */
export const MAX_REBUILT_ROWS = 100_000;
/** The value standing in for the categories a Misra-Gries summary dropped. */
export const OTHER_CATEGORY = "(other)";

/**
 * Columns that stand in for the data a profile was made from, so the drift tests (which
 * compare samples) can run against a stored reference profile: each numeric sketch bucket
 * becomes its count of copies of the bucket's midpoint (within 1/256 of every value it
 * holds; the lowest and highest bucket the exact min and max), each category its count of codes, missing rows NaN or no code, ±Infinity kept.
 * A profile of more than {@link MAX_REBUILT_ROWS} rows is scaled down to that many,
 * proportionally (largest remainders), which keeps every share to within 1/100,000 and
 * keeps the reference over 1000 rows, so Evidently's test choice is the same.
 */
export function columnsFromProfile(profile: DatasetProfile): FeatureColumn[] {
  const rows = profile.rows;
  const target = Math.min(rows, MAX_REBUILT_ROWS);
  return profile.features.map((feature) => rebuild(feature, rows, target));
}

function rebuild(feature: FeatureProfile, rows: number, target: number): FeatureColumn {
  if (feature.kind === "numeric") {
    const parts: { value: number; count: number }[] = [
      { value: Number.NaN, count: feature.missing },
      { value: Number.POSITIVE_INFINITY, count: feature.positiveInfinity },
      { value: Number.NEGATIVE_INFINITY, count: feature.negativeInfinity },
    ];
    const { buckets, counts: bucketCounts } = feature.sketch;
    const { min, max } = feature.moments;
    for (const [i, bucket] of buckets.entries()) {
      // The extreme buckets stand for the exact min and max the profile kept, so the rebuilt
      // column has the reference's true range (a bucket holding 0 has a denormal midpoint,
      // which would make every current 0 "out of range"); others are clamped into the range.
      const value =
        i === 0
          ? min
          : i === buckets.length - 1
            ? max
            : Math.min(max, Math.max(min, bucketMidpoint(bucket)));
      parts.push({ value, count: bucketCounts[i]! });
    }
    const counts = scale(
      parts.map((p) => p.count),
      target,
    );
    const values = new Float64Array(target);
    let at = 0;
    parts.forEach((p, i) => {
      values.fill(p.value, at, at + counts[i]!);
      at += counts[i]!;
    });
    return { kind: "numeric", name: feature.name, values };
  }
  const dictionary = [...feature.categories.values];
  const kept = [feature.missing, ...feature.categories.counts];
  // A summary past its capacity keeps only the frequent values; the rest become one value.
  const other = rows - kept.reduce((a, b) => a + b, 0);
  if (other > 0) {
    dictionary.push(OTHER_CATEGORY);
    kept.push(other);
  }
  const counts = scale(kept, target);
  const codes = new Int32Array(target);
  let at = 0;
  counts.forEach((count, i) => {
    codes.fill(i - 1, at, at + count);
    at += count;
  });
  return { kind: "categorical", name: feature.name, codes, dictionary };
}

/** Integer counts summing to `target`, proportional to `counts` (which sum to the profile's rows). */
function scale(counts: readonly number[], target: number): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return counts.map(() => 0);
  const wanted = target;
  const exact = counts.map((c) => (c / total) * wanted);
  const out = exact.map(Math.floor);
  let left = wanted - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    out[i]!++;
  }
  return out;
}
