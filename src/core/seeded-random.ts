/**
 * A small, fast, seeded pseudo-random generator (mulberry32 seeded through splitmix32), so
 * training, sampling and synthetic data are reproducible for a seed on every platform.
 * Not for anything security-related.
 */
export interface SeededRandom {
  /** A uniform float in [0, 1). */
  next(): number;
  /** A uniform integer in [0, n). */
  nextInt(n: number): number;
}

/**
 * @example
 * const rng = createSeededRandom(42);
 * const u = rng.next(); // same value on every run for seed 42
 */
export function createSeededRandom(seed: number): SeededRandom {
  // splitmix32 scrambles small or similar seeds into well-spread states.
  let z = (seed >>> 0) + 0x9e3779b9;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  let state = (z ^ (z >>> 16)) >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, nextInt: (n) => Math.floor(next() * n) };
}
