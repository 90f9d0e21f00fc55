// The gamma-function family the chi-square and normal tails need, in double precision.

/** ln Γ(x) for x > 0: Stirling's series from 10 up, shifted there by the recurrence below. */
export function logGamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  let shift = 0;
  let z = x;
  if (z < 10) {
    let product = 1;
    while (z < 10) {
      product *= z;
      z += 1;
    }
    shift = Math.log(product);
  }
  const r = 1 / z;
  const r2 = r * r;
  // Stirling coefficients B_2k / (2k (2k − 1)), k = 1..7; the next term is below 1e-17 at 10.
  const series =
    r *
    (1 / 12 +
      r2 *
        (-1 / 360 +
          r2 * (1 / 1260 + r2 * (-1 / 1680 + r2 * (1 / 1188 + r2 * (-691 / 360360 + r2 / 156))))));
  return (z - 0.5) * Math.log(z) - z + 0.5 * Math.log(2 * Math.PI) + series - shift;
}

const EPSILON = 2 ** -53;
const MAX_ITERATIONS = 1_000_000;

/**
 * The regularised upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a): the power series
 * for P below x = a + 1 (Q = 1 − P there, where Q is not small), Lentz's continued fraction
 * above (accurate however small Q gets). Relative error ~1e-14 for the a and x of drift tests.
 */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return Number.NaN;
  if (x === 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  const logPrefactor = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) return 1 - Math.exp(logPrefactor) * lowerSeries(a, x);
  return Math.exp(logPrefactor) * upperFraction(a, x);
}

function lowerSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPSILON) break;
  }
  return sum;
}

function upperFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPSILON) break;
  }
  return h;
}

/** P(χ²_df ≥ x): SciPy's `chi2.sf(x, df)`. */
export function chiSquareSurvival(x: number, df: number): number {
  if (x <= 0) return 1;
  return regularizedGammaQ(df / 2, x / 2);
}

/** P(Z ≥ z) for a standard normal Z, via erfc(z/√2)/2 = Q(1/2, z²/2)/2 for z ≥ 0. */
export function normalSurvival(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  if (z < 0) return 1 - normalSurvival(-z);
  return 0.5 * regularizedGammaQ(0.5, (z * z) / 2);
}
