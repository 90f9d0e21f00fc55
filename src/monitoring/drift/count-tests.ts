import { chiSquareSurvival, normalSurvival } from "./gamma-functions.ts";
import type { AlignedCounts } from "./prepared-column.ts";

/** A test result: the statistic and its p-value. */
export interface PValueResult {
  readonly statistic: number;
  readonly pValue: number;
}

/**
 * Evidently's chi-square drift test: current counts against reference counts scaled to the
 * current's size, `scipy.stats.chisquare(f_obs, f_exp)` with k − 1 degrees of freedom. A value
 * the reference never had makes the statistic infinite and the p-value 0 (drift), as in
 * SciPy. With a single value there is nothing to compare: p = 1 (SciPy answers NaN).
 */
export function chiSquareTest(counts: AlignedCounts): PValueResult {
  const k = counts.keys.length;
  const referenceTotal = sum(counts.reference);
  const currentTotal = sum(counts.current);
  if (k < 2) return { statistic: 0, pValue: 1 };
  const scale = currentTotal / referenceTotal;
  let statistic = 0;
  for (let i = 0; i < k; i++) {
    const expected = (counts.reference[i] as number) * scale;
    const observed = counts.current[i] as number;
    const diff = observed - expected;
    statistic +=
      expected === 0 ? (observed === 0 ? 0 : Number.POSITIVE_INFINITY) : (diff * diff) / expected;
  }
  return { statistic, pValue: chiSquareSurvival(statistic, k - 1) };
}

/**
 * Evidently's two-proportion Z-test: the share of rows that are not the first value (in
 * sorted order) in reference against current, pooled variance, two-sided p = 2·P(Z ≥ |z|).
 * Two identical constant columns give p = 1, as Evidently special-cases.
 */
export function twoProportionZTest(counts: AlignedCounts): PValueResult {
  const n1 = sum(counts.reference);
  const n2 = sum(counts.current);
  if (counts.keys.length < 2) return { statistic: 0, pValue: 1 };
  const p1 = (n1 - (counts.reference[0] as number)) / n1;
  const p2 = (n2 - (counts.current[0] as number)) / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return { statistic: z, pValue: Math.min(1, 2 * normalSurvival(Math.abs(z))) };
}

function sum(values: Float64Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return s;
}
