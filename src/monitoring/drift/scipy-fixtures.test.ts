// Every case in fixtures/scipy-drift.json, written by fixtures/make-fixtures.py from SciPy 1.10
// (and Evidently's drift rules restated there). Regenerate with
// `/usr/bin/python3 src/monitoring/drift/fixtures/make-fixtures.py`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { FeatureColumn } from "../../training/dataset/training-dataset.ts";
import { categorical, numeric } from "../testing/columns.ts";
import {
  type ColumnSpec,
  generateCategories,
  generateNumbers,
} from "../testing/generated-column.ts";
import { computeDrift } from "./compute-drift.ts";
import { chiSquareTest, twoProportionZTest } from "./count-tests.ts";
import {
  jensenShannonDistance,
  normedWasserstein,
  populationStabilityIndex,
  wasserstein1,
} from "./distances.ts";
import { chiSquareSurvival, normalSurvival } from "./gamma-functions.ts";
import { kolmogorovSurvival, smirnovSurvival } from "./kolmogorov-distribution.ts";
import { ksTwoSample } from "./ks-two-sample.ts";
import {
  alignCounts,
  type PreparedColumn,
  prepareCategorical,
  prepareNumeric,
  uniqueValues,
} from "./prepared-column.ts";

type Num = number | "NaN" | "Infinity" | "-Infinity";
interface Checksum {
  present: number;
  sum?: number;
  distinct?: number;
}
interface Pair {
  name: string;
  reference: ColumnSpec;
  current: ColumnSpec;
  checksum: [Checksum, Checksum];
  uniqueValues: number;
  jensenshannon: Num;
  psi: Num;
}
interface NumericCase extends Pair {
  ks: { statistic: Num; pValue: Num; method: "exact" | "asymptotic" };
  wasserstein: Num;
  wassersteinNormed: Num;
}
interface CountCase extends Pair {
  kind: "numeric" | "categorical";
  chisquare: { statistic: Num; pValue: Num };
  z: { statistic: Num; pValue: Num } | null;
}
interface DefaultCase {
  name: string;
  kind: "numeric" | "categorical";
  reference: ColumnSpec;
  current: ColumnSpec;
  stattest: string;
  score: Num;
  drifted: boolean;
}
interface Fixture {
  kstwo: [number, number, Num][];
  smirnov: [number, number, Num][];
  chi2: [number, number, Num][];
  norm: [number, Num][];
  numeric: NumericCase[];
  counts: CountCase[];
  defaults: DefaultCase[];
}

const FIXTURE = JSON.parse(
  readFileSync(new URL("./fixtures/scipy-drift.json", import.meta.url), "utf8"),
) as Fixture;

function value(x: Num): number {
  return typeof x === "number" ? x : Number(x);
}

/**
 * Relative 1e-9 plus a 1e-300 floor, except where noted: SciPy evaluates the same formulas in
 * a different summation order (and, for the smirnov sum, in double-double arithmetic).
 */
function close(
  actual: number,
  expected: Num,
  label: string,
  relative = 1e-9,
  absolute = 1e-300,
): void {
  const e = value(expected);
  if (Number.isNaN(e) || !Number.isFinite(e)) {
    assert.equal(actual, e, label);
    return;
  }
  const error = Math.abs(actual - e);
  assert.ok(
    error <= relative * Math.abs(e) + absolute,
    `${label}: got ${actual}, expected ${e} (difference ${error})`,
  );
}

function column(name: string, spec: ColumnSpec): FeatureColumn {
  return spec.kind === "categories"
    ? categorical(name, generateCategories(spec))
    : numeric(name, generateNumbers(spec));
}

function prepared(spec: ColumnSpec, sum: Checksum, label: string): PreparedColumn {
  const c = column("x", spec);
  const side = c.kind === "numeric" ? prepareNumeric(c.values) : prepareCategorical(c);
  // The generator must reproduce Python's values before any statistic is worth comparing.
  assert.equal(side.used, sum.present, `${label}: generated present values`);
  if (side.kind === "numeric")
    close(
      side.sorted.reduce((s, x) => s + x, 0),
      sum.sum!,
      `${label}: generated sum`,
      1e-12,
      1e-9,
    );
  else assert.equal(side.counts.size, sum.distinct, `${label}: generated distinct values`);
  return side;
}

describe("distributions against SciPy", () => {
  test("kstwo.sf: the two-sided KS distribution in every regime", () => {
    for (const [n, x, expected] of FIXTURE.kstwo)
      close(kolmogorovSurvival(n, x), expected, `kstwo.sf(${x}, ${n})`, 1e-10, 1e-16);
  });
  test("special.smirnov: the one-sided KS distribution", () => {
    for (const [n, x, expected] of FIXTURE.smirnov)
      close(smirnovSurvival(n, x), expected, `smirnov(${n}, ${x})`, 1e-10, 1e-16);
  });
  test("chi2.sf and norm.sf", () => {
    for (const [x, df, expected] of FIXTURE.chi2)
      close(chiSquareSurvival(x, df), expected, `chi2.sf(${x}, ${df})`, 1e-10, 1e-300);
    for (const [z, expected] of FIXTURE.norm)
      close(normalSurvival(z), expected, `norm.sf(${z})`, 1e-12, 1e-300);
  });
});

describe("numeric drift statistics against SciPy and Evidently", () => {
  for (const c of FIXTURE.numeric) {
    test(c.name, () => {
      const ref = prepared(c.reference, c.checksum[0], "reference") as ReturnType<
        typeof prepareNumeric
      >;
      const cur = prepared(c.current, c.checksum[1], "current") as ReturnType<
        typeof prepareNumeric
      >;
      assert.equal(uniqueValues(ref, cur), c.uniqueValues);
      const ks = ksTwoSample(ref.sorted, cur.sorted);
      assert.equal(ks.method, c.ks.method);
      close(ks.statistic, c.ks.statistic, "ks statistic", 1e-12, 0);
      close(ks.pValue, c.ks.pValue, "ks p-value", 1e-9, 1e-300);
      close(
        wasserstein1(ref.sorted, cur.sorted),
        c.wasserstein,
        "wasserstein_distance",
        1e-12,
        1e-15,
      );
      close(
        normedWasserstein(ref.sorted, cur.sorted),
        c.wassersteinNormed,
        "normed wasserstein",
        1e-12,
        1e-15,
      );
      close(jensenShannonDistance(ref, cur), c.jensenshannon, "jensenshannon", 1e-12, 1e-15);
      close(populationStabilityIndex(ref, cur), c.psi, "psi", 1e-12, 1e-15);
    });
  }
});

describe("count-based drift statistics against SciPy and Evidently", () => {
  for (const c of FIXTURE.counts) {
    test(c.name, () => {
      const ref = prepared(c.reference, c.checksum[0], "reference");
      const cur = prepared(c.current, c.checksum[1], "current");
      assert.equal(uniqueValues(ref, cur), c.uniqueValues);
      const counts = alignCounts(ref, cur);
      const chi = chiSquareTest(counts);
      if (counts.keys.length === 1) {
        // One value on both sides: SciPy's χ² has 0 degrees of freedom and answers NaN;
        // plinth answers "no difference" (p = 1), which is what the NaN stands for.
        assert.equal(value(c.chisquare.pValue), Number.NaN);
        assert.deepEqual(chi, { statistic: 0, pValue: 1 });
      } else {
        close(chi.statistic, c.chisquare.statistic, "chi-square statistic", 1e-12, 1e-12);
        close(chi.pValue, c.chisquare.pValue, "chi-square p-value", 1e-9, 1e-300);
      }
      if (c.z !== null) {
        const z = twoProportionZTest(counts);
        close(Math.abs(z.statistic), Math.abs(value(c.z.statistic)), "z statistic", 1e-12, 0);
        // Evidently forms 2·(1 − Φ(|z|)), which is 0 below ~1e-16; plinth keeps the tail.
        close(z.pValue, c.z.pValue, "z p-value", 1e-9, 1e-15);
      }
      close(jensenShannonDistance(ref, cur), c.jensenshannon, "jensenshannon", 1e-12, 1e-15);
      close(populationStabilityIndex(ref, cur), c.psi, "psi", 1e-12, 1e-15);
    });
  }
});

test("Evidently's default test selection, scores and verdicts, as one drift table", () => {
  const reference = FIXTURE.defaults.map((c, i) => column(`${i}:${c.name}`, c.reference));
  const current = FIXTURE.defaults.map((c, i) => column(`${i}:${c.name}`, c.current));
  // One table, but each case keeps its own row count: compute column by column.
  FIXTURE.defaults.forEach((c, i) => {
    const table = computeDrift({ reference: [reference[i]!], current: [current[i]!] });
    const row = table.columns[0]!;
    assert.equal(row.status, "ok", c.name);
    assert.equal(row.stattest, c.stattest, `${c.name}: test`);
    close(row.score!, c.score, `${c.name}: score`, 1e-9, 1e-15);
    assert.equal(row.drifted, c.drifted, `${c.name}: drifted`);
  });
});
