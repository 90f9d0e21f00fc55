import { scaleByPowerOfTwo } from "./durbin-matrix.ts";

const SCALE_EXPONENT = 128;
const SCALE_UP = 2 ** SCALE_EXPONENT;
const SCALE_DOWN = 2 ** -SCALE_EXPONENT;

/**
 * P(D_n ≤ x) for the two-sided one-sample KS statistic by Pomeranz's recursion (Comm. ACM
 * 17(12), 1974), as SciPy's `_kolmogn_Pomeranz` arranges it: 2n + 1 rows, each the previous
 * convolved with scaled Poisson weights, keeping only the few non-zero entries of two rows.
 */
export function pomeranzCdf(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilF = f > 0 ? 1 : 0;
  const roundF = f > 0.5 ? 1 : 0;
  const powers = 2 * (ll + 1);
  const gPower = new Float64Array(powers);
  const twoGPower = new Float64Array(powers);
  const oneMinusTwoGPower = new Float64Array(powers);
  gPower[0] = 1;
  twoGPower[0] = 1;
  oneMinusTwoGPower[0] = 1;
  for (let m = 1; m < powers; m++) {
    gPower[m] = ((gPower[m - 1] as number) * (g / n)) / m;
    twoGPower[m] = ((twoGPower[m - 1] as number) * ((2 * g) / n)) / m;
    oneMinusTwoGPower[m] = ((oneMinusTwoGPower[m - 1] as number) * ((1 - 2 * g) / n)) / m;
  }
  let v0 = new Float64Array(powers);
  let v1 = new Float64Array(powers);
  v1[0] = 1;
  let v0Start = 0;
  let v1Start = 0;
  let exponent = 0;
  let [j1] = rowInterval(0, n, ll, ceilF, roundF);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [v0, v1] = [v1, v0];
    [v0Start, v1Start] = [v1Start, v0Start];
    v1.fill(0);
    const [nextJ1, j2] = rowInterval(i, n, ll, ceilF, roundF);
    j1 = nextJ1;
    const weights =
      i === 1 || i === 2 * n + 1 ? gPower : i % 2 === 1 ? twoGPower : oneMinusTwoGPower;
    const length = j2 - k1 + 1;
    if (length <= 0) continue;
    // Entries [conv_start, conv_start + conv_len) of the full convolution of
    // v0[k1 − v0Start .. + length) with weights[0 .. length).
    const from = k1 - v0Start;
    const available = Math.max(0, Math.min(length, powers - from));
    const weightCount = Math.min(length, powers);
    const convStart = j1 - k1;
    const convLength = j2 - j1 + 1;
    let largest = 0;
    for (let out = 0; out < convLength; out++) {
      const c = convStart + out;
      let s = 0;
      for (let a = Math.max(0, c - weightCount + 1); a <= Math.min(c, available - 1); a++) {
        s += (v0[from + a] as number) * (weights[c - a] as number);
      }
      v1[out] = s;
      if (s > largest) largest = s;
    }
    if (largest > 0 && largest < SCALE_DOWN) {
      for (let a = 0; a < convLength; a++) v1[a] = (v1[a] as number) * SCALE_UP;
      exponent -= SCALE_EXPONENT;
    }
    v1Start = v0Start + j1 - k1;
  }
  let answer = v1[n - v1Start] as number;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(answer) > SCALE_UP) {
      answer *= SCALE_DOWN;
      exponent += SCALE_EXPONENT;
    }
    answer *= m;
  }
  return Math.min(1, Math.max(0, scaleByPowerOfTwo(answer, exponent)));
}

/** The first and last non-zero column of row i (SciPy's `_pomeranz_compute_j1j2`). */
function rowInterval(
  i: number,
  n: number,
  ll: number,
  ceilF: number,
  roundF: number,
): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilF - 1;
    j2 = ll + ceilF - 1;
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) {
        j1 = n - ll - ceilF - 1;
        j2 = n + ll + ceilF - 1;
      } else {
        j1 = half - 1 - ll - roundF - 1;
        j2 = half + ll - 1 + ceilF - 1;
      }
    } else {
      j1 = half - 1 - ll - 1;
      j2 = half + ll + roundF - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}
