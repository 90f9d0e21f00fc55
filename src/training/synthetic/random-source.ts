/**
 * A seeded random source for synthetic data: xoshiro128** (period 2^128 - 1, so millions of
 * rows with dozens of draws each never wrap) seeded through splitmix32, plus the samplers the
 * synthetic generators need. Same seed, same sequence, on every platform: only 32-bit integer
 * arithmetic and IEEE doubles are involved.
 *
 * @example
 * const random = new RandomSource(42);
 * const x = random.gaussian(); // identical on every run for seed 42
 */
export class RandomSource {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** The polar method yields gaussians in pairs; the second waits here. */
  private spareGaussian = Number.NaN;

  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new Error(`RandomSource seed must be a safe integer`);
    // splitmix32 over both halves of the seed, so seeds above 2^32 differ too.
    let x = (seed >>> 0) ^ Math.imul(Math.floor(seed / 4294967296) | 0, 0x9e3779b9);
    const splitmix = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    this.s0 = splitmix();
    this.s1 = splitmix();
    this.s2 = splitmix();
    this.s3 = splitmix();
    // An all-zero state would be a fixed point; splitmix32 cannot produce four zeros in a row,
    // but make it impossible rather than improbable.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const product = Math.imul(s1, 5);
    const result = Math.imul((product << 7) | (product >>> 25), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result >>> 0;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A standard normal draw (Marsaglia's polar method: no trigonometry, one log per pair). */
  gaussian(): number {
    const spare = this.spareGaussian;
    if (!Number.isNaN(spare)) {
      this.spareGaussian = Number.NaN;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareGaussian = v * factor;
    return u * factor;
  }

  /** exp(N(mu, sigma²)). */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.gaussian());
  }

  /** Student's t with an integer number of degrees of freedom: Z / sqrt(chi²_dof / dof). */
  studentT(dof: number): number {
    let chiSquare = 0;
    for (let i = 0; i < dof; i++) {
      const z = this.gaussian();
      chiSquare += z * z;
    }
    return this.gaussian() / Math.sqrt(chiSquare / dof);
  }

  /** Pareto with scale `minimum` and tail index `alpha` (inverse CDF). */
  pareto(alpha: number, minimum: number): number {
    return minimum / (1 - this.uniform()) ** (1 / alpha);
  }

  /** A Poisson count by CDF inversion; fine for the small means synthetic counts use. */
  poisson(mean: number): number {
    let k = 0;
    let probability = Math.exp(-mean);
    let cumulative = probability;
    const u = this.uniform();
    while (u > cumulative && k < 1000) {
      k++;
      probability *= mean / k;
      cumulative += probability;
    }
    return k;
  }

  /** True with probability `p`. */
  bernoulli(p: number): boolean {
    return this.uniform() < p;
  }
}
