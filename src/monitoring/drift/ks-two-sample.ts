import { kolmogorovSurvival } from "./kolmogorov-distribution.ts";
import { equalSizeOutsideProbability, unequalSizeOutsideProbability } from "./ks-exact.ts";

/** The result of a two-sample KS test. */
export interface KsResult {
  /** D = sup |F₁ − F₂| (rounded to a multiple of 1/lcm(n₁, n₂) by the exact method, as SciPy). */
  readonly statistic: number;
  /** Two-sided p-value. */
  readonly pValue: number;
  /** How the p-value was computed. */
  readonly method: "exact" | "asymptotic";
}

/** Samples at most this large get the exact p-value, as SciPy's `method="auto"`. */
export const KS_EXACT_MAX_SIZE = 10_000;

/**
 * The two-sample Kolmogorov–Smirnov test on two sorted, finite, non-empty samples, as
 * SciPy 1.10's `ks_2samp(a, b, method="auto")`: exact lattice-path p-value when both samples
 * have at most 10,000 values, otherwise the one-sample distribution at n = round(n₁n₂/(n₁+n₂))
 * (`kstwo.sf`); if the exact computation goes out of [0, 1], the asymptotic one, as SciPy.
 *
 * @example
 * ksTwoSample(Float64Array.of(1, 2, 3), Float64Array.of(4, 5, 6)); // D = 1, p = 0.1
 */
export function ksTwoSample(sortedA: Float64Array, sortedB: Float64Array): KsResult {
  const n1 = sortedA.length;
  const n2 = sortedB.length;
  const d = ksStatistic(sortedA, sortedB);
  if (Math.max(n1, n2) <= KS_EXACT_MAX_SIZE) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    const rounded = h / lcm;
    if (h === 0) return { statistic: rounded, pValue: 1, method: "exact" };
    const p =
      n1 === n2 ? equalSizeOutsideProbability(n1, h) : unequalSizeOutsideProbability(n1, n2, g, h);
    if (p >= 0 && p <= 1) return { statistic: rounded, pValue: p, method: "exact" };
  }
  const en = (n1 * n2) / (n1 + n2);
  return { statistic: d, pValue: kolmogorovSurvival(roundHalfEven(en), d), method: "asymptotic" };
}

/**
 * sup |F₁(x) − F₂(x)| over the data points, by one merge walk; each difference is formed as
 * i/n₁ − j/n₂, the same floating-point operations as SciPy's searchsorted version.
 */
export function ksStatistic(sortedA: Float64Array, sortedB: Float64Array): number {
  const n1 = sortedA.length;
  const n2 = sortedB.length;
  let i = 0;
  let j = 0;
  let max = 0;
  let min = 0;
  while (i < n1 || j < n2) {
    const x =
      i < n1 && (j >= n2 || (sortedA[i] as number) <= (sortedB[j] as number))
        ? (sortedA[i] as number)
        : (sortedB[j] as number);
    while (i < n1 && sortedA[i] === x) i++;
    while (j < n2 && sortedB[j] === x) j++;
    const diff = i / n1 - j / n2;
    if (diff > max) max = diff;
    if (diff < min) min = diff;
  }
  return Math.max(max, Math.min(1, -min));
}

/** NumPy's `round`: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}
