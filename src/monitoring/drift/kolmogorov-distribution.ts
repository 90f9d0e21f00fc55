import { durbinMatrixCdf } from "./durbin-matrix.ts";
import { pomeranzCdf } from "./pomeranz-recursion.ts";

// The two-sided one-sample Kolmogorov–Smirnov distribution P(D_n ≥ x), which SciPy's
// `ks_2samp` evaluates at n = round(n1·n2/(n1+n2)) for large samples (`kstwo.sf`). The
// method per (n, x) region is Simard & L'Ecuyer's (J. Stat. Softw. 39(11), 2011), with the
// cut-offs SciPy 1.10 uses, so p-values agree with SciPy's to rounding.

const PI_SQUARED = Math.PI ** 2;
const PI_FOUR = Math.PI ** 4;
const PI_SIX = Math.PI ** 6;
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const SQRT3 = Math.sqrt(3);

/** P(D_n ≥ x) for the two-sided one-sample KS statistic of n observations. */
export function kolmogorovSurvival(n: number, x: number): number {
  if (!(Number.isInteger(n) && n > 0) || Number.isNaN(x)) return Number.NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    // Ruben–Gambino: P(D_n < x) = n!/n^n (2t − 1)^n for 1/(2n) ≤ x ≤ 1/n.
    if (t <= 0.5) return 1;
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      for (let i = 1; i <= n; i++) cdf *= (i / n) * (2 * t - 1);
    } else {
      cdf = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return clip(1 - cdf);
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n);
  if (x >= 0.5) return clip(2 * smirnovSurvival(n, x));
  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 0.754693) return clip(1 - durbinMatrixCdf(n, x));
    if (nxSquared <= 4) return clip(1 - pomeranzCdf(n, x));
    return clip(2 * smirnovSurvival(n, x));
  }
  if (nxSquared >= 370) return 0;
  if (nxSquared >= 2.2) return clip(2 * smirnovSurvival(n, x));
  const cdf = n <= 100_000 && n * x ** 1.5 <= 1.4 ? durbinMatrixCdf(n, x) : pelzGoodCdf(n, x);
  return clip(1 - cdf);
}

/**
 * P(D_n⁺ ≥ x), the one-sided statistic (SciPy's `smirnov`), by the Birnbaum–Tingey sum
 * x · Σ_{v ≤ n(1−x)} C(n, v) (x + v/n)^(v−1) (1 − x − v/n)^(n−v), each term formed in logs with
 * the binomial coefficient carried from one term to the next (relative error ~1e-12 at
 * n = 10^5).
 */
export function smirnovSurvival(n: number, x: number): number {
  if (!(x > 0)) return 1;
  if (x >= 1) return 0;
  const last = Math.floor(n * (1 - x));
  const logX = Math.log(x);
  let logBinomial = 0;
  let compensation = 0;
  let sum = 0;
  for (let v = 0; v <= last; v++) {
    if (v > 0) {
      // Kahan summation: ln C(n, v) is a sum of up to n logs, and its error is the p-value's.
      const step = Math.log((n - v + 1) / v) - compensation;
      const next = logBinomial + step;
      compensation = next - logBinomial - step;
      logBinomial = next;
    }
    const upper = 1 - x - v / n;
    // v ≤ n(1 − x) < n, so the last factor's power is positive and a zero base is a zero term.
    if (!(upper > 0)) continue;
    const logTerm =
      logBinomial +
      logX +
      (v === 0 ? -logX : (v - 1) * Math.log(x + v / n)) +
      (n - v) * Math.log(upper);
    sum += Math.exp(logTerm);
  }
  return Math.min(1, sum);
}

/**
 * Pelz & Good's (1976) expansion of P(D_n ≤ x) in powers of 1/√n, for large n and small x,
 * as SciPy's `_kolmogn_PelzGood`.
 */
export function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qlog = -PI_SQUARED / 8 / z2;
  if (qlog < -708) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI_SQUARED / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI_SQUARED) / 4;
  const k2c = (PI_FOUR * (1 - 2 * z2)) / 16;
  const k3d = (PI_SIX * (5 - 30 * z2)) / 64;
  const k3c = (PI_FOUR * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI_SQUARED * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const terms = [0, 0, 0, 0];
  const maxK = Math.ceil((16 * z) / Math.PI);
  for (let k = maxK; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qPower = q ** (8 * k);
    const coefficients = [
      1,
      k1a + k1b * m2,
      k2a + k2b * m2 + k2c * m4,
      k3a + k3b * m2 + k3c * m4 + k3d * m6,
    ];
    for (let i = 0; i < 4; i++) terms[i] = terms[i]! * qPower + coefficients[i]!;
  }
  const scale = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) terms[i] = (terms[i]! * q * SQRT_2PI) / scale[i]!;
  q = Math.exp(-PI_SQUARED / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxK; k > 0; k--) {
    const k2 = k * k;
    const qPower = q ** k2;
    k2extra += k2 * qPower;
    const kPi = Math.PI * k;
    k3extra += (SQRT3 * z + kPi) * (SQRT3 * z - kPi) * k2 * qPower;
  }
  terms[2]! += (k2extra * PI_SQUARED * SQRT_2PI) / (-36 * z3);
  terms[3]! += (k3extra * PI_SQUARED * SQRT_2PI) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += terms[i]! / n ** (i / 2);
  return sum;
}

/** ln(n! / n^n) by Stirling's series, with n·ln n cancelled analytically. */
function logFactorialOverPower(n: number): number {
  // Stirling's B_2k / (2k (2k − 1)) for k = 8 down to 1.
  const coefficients = [
    -3617 / 122400,
    1 / 156,
    -691 / 360360,
    1 / 1188,
    -1 / 1680,
    1 / 1260,
    -1 / 360,
    1 / 12,
  ];
  const r = 1 / n;
  let poly = 0;
  for (const c of coefficients) poly = poly * (r / n) + c;
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + r * poly;
}

function clip(p: number): number {
  return Math.min(1, Math.max(0, p));
}
