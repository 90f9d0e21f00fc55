/**
 * The drift tests plinth runs, by Evidently's names. Three give a p-value (drift when it is
 * small), three a distance (drift when it is large).
 */
export const STATTEST_NAMES = [
  "ks",
  "chisquare",
  "z",
  "wasserstein",
  "jensenshannon",
  "psi",
] as const;
export type StatTestName = (typeof STATTEST_NAMES)[number];

/** What a test's score is and when it means drift. */
export interface StatTestSpec {
  /** Evidently's display name. */
  readonly displayName: string;
  /** `p_value`: drift when small; `distance`: drift when large. */
  readonly score: "p_value" | "distance";
  /** Evidently's default threshold. */
  readonly defaultThreshold: number;
  /** Column kinds the test applies to. */
  readonly kinds: readonly ("numeric" | "categorical")[];
  /**
   * Evidently's comparison, kept exactly: K-S drifts at p ≤ threshold, chi-square and Z at
   * p < threshold, the distances at score ≥ threshold.
   */
  readonly drifted: (score: number, threshold: number) => boolean;
}

export const STATTESTS: Readonly<Record<StatTestName, StatTestSpec>> = {
  ks: {
    displayName: "K-S p_value",
    score: "p_value",
    defaultThreshold: 0.05,
    kinds: ["numeric"],
    drifted: (p, t) => p <= t,
  },
  chisquare: {
    displayName: "chi-square p_value",
    score: "p_value",
    defaultThreshold: 0.05,
    // Evidently registers it for categories only, but picks it for numbers with 3 to 5
    // values itself; plinth lets an override do the same (values become categories).
    kinds: ["numeric", "categorical"],
    drifted: (p, t) => p < t,
  },
  z: {
    displayName: "Z-test p_value",
    score: "p_value",
    defaultThreshold: 0.05,
    kinds: ["numeric", "categorical"],
    drifted: (p, t) => p < t,
  },
  wasserstein: {
    displayName: "Wasserstein distance (normed)",
    score: "distance",
    defaultThreshold: 0.1,
    kinds: ["numeric"],
    drifted: (d, t) => d >= t,
  },
  jensenshannon: {
    displayName: "Jensen-Shannon distance",
    score: "distance",
    defaultThreshold: 0.1,
    kinds: ["numeric", "categorical"],
    drifted: (d, t) => d >= t,
  },
  psi: {
    displayName: "PSI",
    score: "distance",
    defaultThreshold: 0.1,
    kinds: ["numeric", "categorical"],
    drifted: (d, t) => d >= t,
  },
};

/** Reference samples larger than this get distances instead of tests (Evidently's rule). */
export const SMALL_REFERENCE_ROWS = 1000;

/**
 * Evidently's default test for a column (`_get_default_stattest`), from the cleaned
 * reference's size and the distinct values of reference and current together:
 *
 * - reference of at most 1000 values: numeric with more than 5 values → K-S; numeric with 3
 *   to 5, or categorical with more than 2 → chi-square; 2 or fewer → two-proportion Z-test;
 * - larger references: numeric with more than 5 values → Wasserstein distance normed by the
 *   reference's standard deviation; anything else → Jensen-Shannon distance.
 */
export function defaultStatTest(
  kind: "numeric" | "categorical",
  referenceRows: number,
  uniqueValues: number,
): StatTestName {
  if (referenceRows <= SMALL_REFERENCE_ROWS) {
    if (kind === "numeric" && uniqueValues > 5) return "ks";
    return uniqueValues > 2 ? "chisquare" : "z";
  }
  return kind === "numeric" && uniqueValues > 5 ? "wasserstein" : "jensenshannon";
}
