// Exact null distribution of the two-sample KS statistic, as SciPy 1.10's `ks_2samp` computes
// it with method="exact": lattice-path counting after Hodges (Ark. Mat. 3(43), 1958).

/**
 * P(D ≥ h/n) for two samples of equal size n: 2·Σ_k (−1)^(k+1) C(2n, n − kh) / C(2n, n),
 * evaluated Horner-style on ratios so the alternating sum never cancels.
 */
export function equalSizeOutsideProbability(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let term = 1;
    for (let j = 0; j < h; j++) term = ((n - k * h - j) * term) / (n + k * h + j + 1);
    p = term * (1 - p);
  }
  return 2 * p;
}

/**
 * P(D ≥ h/lcm(m, n)) for samples of sizes m and n with greatest common divisor g: one minus
 * the share of lattice paths from (0,0) to (m,n) that stay strictly inside |x/m − y/n| <
 * h/lcm, with Viehmann's recursion (arXiv:2102.08037) that carries the complement directly
 * so small p-values keep their precision. O(m · window) time, one column of memory.
 */
export function unequalSizeOutsideProbability(
  sizeA: number,
  sizeB: number,
  g: number,
  h: number,
): number {
  const m = Math.max(sizeA, sizeB);
  const n = Math.min(sizeA, sizeB);
  const mg = m / g;
  const ng = n / g;
  let minJ = 0;
  let maxJ = Math.min(Math.ceil(h / mg), n + 1);
  let currentLength = maxJ - minJ;
  const a = new Float64Array(Math.min(2 * maxJ + 2, n + 1)).fill(1);
  a.fill(0, minJ, maxJ);
  for (let i = 1; i <= m; i++) {
    const lastMinJ = minJ;
    const lastLength = currentLength;
    minJ = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxJ = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxJ <= minJ) return 1;
    let value = minJ === 0 ? 0 : 1;
    for (let jj = 0; jj < maxJ - minJ; jj++) {
      const j = jj + minJ;
      value = ((a[jj + minJ - lastMinJ] as number) * i + value * j) / (i + j);
      a[jj] = value;
    }
    currentLength = maxJ - minJ;
    if (lastLength > currentLength)
      a.fill(1, maxJ - minJ, maxJ - minJ + (lastLength - currentLength));
  }
  return a[maxJ - minJ - 1] as number;
}
