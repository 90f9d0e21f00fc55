import { binnedShares } from "./binned-shares.ts";
import type { PreparedColumn } from "./prepared-column.ts";

/**
 * The first Wasserstein distance between two sorted samples, as
 * `scipy.stats.wasserstein_distance`: ∫|F₁ − F₂| dx, summed between consecutive distinct
 * values of both samples (compensated, as NumPy's pairwise sum is nearly exact).
 */
export function wasserstein1(sortedA: Float64Array, sortedB: Float64Array): number {
  const n1 = sortedA.length;
  const n2 = sortedB.length;
  let i = 0;
  let j = 0;
  let sum = 0;
  let compensation = 0;
  let x = Math.min(sortedA[0] as number, sortedB[0] as number);
  while (i < n1 || j < n2) {
    while (i < n1 && sortedA[i] === x) i++;
    while (j < n2 && sortedB[j] === x) j++;
    if (i === n1 && j === n2) break;
    const next =
      i < n1 && (j >= n2 || (sortedA[i] as number) <= (sortedB[j] as number))
        ? (sortedA[i] as number)
        : (sortedB[j] as number);
    const term = Math.abs(i / n1 - j / n2) * (next - x) - compensation;
    const total = sum + term;
    compensation = total - sum - term;
    sum = total;
    x = next;
  }
  return sum;
}

/**
 * Evidently's normed Wasserstein distance: W₁(reference, current) / max(σ, 0.001), σ the
 * reference's population standard deviation (NumPy's `std`), so the score reads in units of
 * reference spread and a constant reference does not divide by zero.
 */
export function normedWasserstein(
  sortedReference: Float64Array,
  sortedCurrent: Float64Array,
): number {
  const n = sortedReference.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += sortedReference[i] as number;
  mean /= n;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const d = (sortedReference[i] as number) - mean;
    m2 += d * d;
  }
  return wasserstein1(sortedReference, sortedCurrent) / Math.max(Math.sqrt(m2 / n), 0.001);
}

/**
 * Evidently's Jensen-Shannon distance: `scipy.spatial.distance.jensenshannon` with the natural
 * logarithm (Evidently passes no base) over the binned shares, so it lies in [0, √ln 2 ≈ 0.83].
 */
export function jensenShannonDistance(reference: PreparedColumn, current: PreparedColumn): number {
  const { reference: p, current: q } = binnedShares(reference, current, false);
  const sp = total(p);
  const sq = total(q);
  let js = 0;
  for (let i = 0; i < p.length; i++) {
    const a = (p[i] as number) / sp;
    const b = (q[i] as number) / sq;
    const m = (a + b) / 2;
    if (a > 0) js += a * Math.log(a / m);
    if (b > 0) js += b * Math.log(b / m);
  }
  return Math.sqrt(Math.max(0, js) / 2);
}

/** Evidently's population stability index: Σ (r − c)·ln(r / c) over zero-filled binned shares. */
export function populationStabilityIndex(
  reference: PreparedColumn,
  current: PreparedColumn,
): number {
  const { reference: r, current: c } = binnedShares(reference, current, true);
  let psi = 0;
  for (let i = 0; i < r.length; i++) {
    const a = r[i] as number;
    const b = c[i] as number;
    psi += (a - b) * Math.log(a / b);
  }
  return psi;
}

function total(values: Float64Array): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
