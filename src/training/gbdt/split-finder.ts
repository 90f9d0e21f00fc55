import type { BinLayout } from "./feature-binning.ts";
import { HISTOGRAM_STRIDE } from "./histogram.ts";

/** The regularisation and size limits a split must respect. */
export interface SplitConstraints {
  readonly lambda: number;
  readonly alpha: number;
  readonly minChildWeight: number;
  readonly minDataInLeaf: number;
  readonly minSplitGain: number;
  readonly catSmooth: number;
  readonly catL2: number;
  readonly minDataPerGroup: number;
  readonly maxCatThreshold: number;
}

/** Gradient statistics of a set of rows. */
export interface NodeStats {
  g: number;
  h: number;
}

/** The best way found to split one node. */
export interface SplitCandidate {
  /** Loss reduction (XGBoost's `loss_chg`: left + right − parent score, no ½ factor). */
  readonly gain: number;
  readonly feature: number;
  /** Numeric: value bins `<= binThreshold` go left. */
  readonly binThreshold: number;
  /** Categorical: per category code, 1 when it goes left; null for numeric splits. */
  readonly leftCategories: Uint8Array | null;
  readonly defaultLeft: boolean;
  readonly left: NodeStats;
  readonly right: NodeStats;
}

/** XGBoost's ignore-threshold for gains that are floating-point noise. */
const MIN_GAIN = 1e-6;

/** Score of a leaf: T(G)² / (H + λ), T soft-thresholding G by α (L1). */
export function leafScore(g: number, h: number, c: SplitConstraints): number {
  const t = thresholdL1(g, c.alpha);
  return (t * t) / (h + c.lambda);
}

/** Optimal leaf weight before the learning rate: −T(G) / (H + λ). */
export function leafWeight(g: number, h: number, c: SplitConstraints): number {
  return -thresholdL1(g, c.alpha) / (h + c.lambda);
}

function thresholdL1(g: number, alpha: number): number {
  if (g > alpha) return g - alpha;
  if (g < -alpha) return g + alpha;
  return 0;
}

/**
 * Finds the highest-gain split over the allowed features in `[featureBegin, featureEnd)` of a
 * node's histogram, or null. Ties go to the lowest feature index, so slices searched by
 * separate threads and then compared in feature order pick what one search would.
 */
export function findBestSplit(
  hist: Float64Array,
  binned: BinLayout,
  allowedFeatures: Uint8Array,
  total: NodeStats,
  numRows: number,
  c: SplitConstraints,
  featureBegin = 0,
  featureEnd = binned.numFeatures,
): SplitCandidate | null {
  let best: SplitCandidate | null = null;
  for (let f = featureBegin; f < featureEnd; f++) {
    if (allowedFeatures[f] === 0) continue;
    const candidate = bestSplitOfFeature(hist, binned, f, total, numRows, c);
    if (candidate !== null && (best === null || candidate.gain > best.gain)) best = candidate;
  }
  return best;
}

/** The best split on feature `f` alone, or null. */
export function bestSplitOfFeature(
  hist: Float64Array,
  binned: BinLayout,
  f: number,
  total: NodeStats,
  numRows: number,
  c: SplitConstraints,
): SplitCandidate | null {
  const rowsPerHessian = total.h > 0 ? numRows / total.h : 0;
  return binned.categorical[f] === 1
    ? bestCategoricalSplit(hist, binned, f, total, c, rowsPerHessian)
    : bestNumericSplit(hist, binned, f, total, leafScore(total.g, total.h, c), c, rowsPerHessian);
}

function bestNumericSplit(
  hist: Float64Array,
  binned: BinLayout,
  f: number,
  total: NodeStats,
  parentScore: number,
  c: SplitConstraints,
  rowsPerHessian: number,
): SplitCandidate | null {
  const offset = binned.binOffset[f] as number;
  const numBins = binned.numValueBins[f] as number;
  const m = (offset + numBins) * HISTOGRAM_STRIDE;
  const mg = hist[m] as number;
  const mh = hist[m + 1] as number;
  // The hot loop of split finding, so the gain is written out for the common α = 0 case and
  // the row-count limit is turned into a hessian limit once.
  const lambda = c.lambda;
  const plainL2 = c.alpha === 0;
  const minHessian = Math.max(
    c.minChildWeight,
    rowsPerHessian > 0 ? (c.minDataInLeaf - 0.5) / rowsPerHessian : 0,
  );
  const G = total.g;
  const H = total.h;
  let gl = 0;
  let hl = 0;
  let bestGain = Math.max(c.minSplitGain, MIN_GAIN);
  let bestBin = -1;
  let bestDefaultLeft = false;
  let bestGl = 0;
  let bestHl = 0;
  for (let b = 0; b < numBins - 1; b++) {
    const s = (offset + b) * HISTOGRAM_STRIDE;
    const bh = hist[s + 1] as number;
    // An empty bin moves no row across: the split equals the previous threshold's. Deep
    // nodes have few rows, so most bins are empty and this skips most of the scan.
    if (bh === 0) continue;
    gl += hist[s] as number;
    hl += bh;
    // Missing values to the right…
    const hr = H - hl;
    if (hl >= minHessian && hr >= minHessian) {
      const gr = G - gl;
      const gain = plainL2
        ? (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore
        : leafScore(gl, hl, c) + leafScore(gr, hr, c) - parentScore;
      if (gain > bestGain) {
        bestGain = gain;
        bestBin = b;
        bestDefaultLeft = false;
        bestGl = gl;
        bestHl = hl;
      }
    }
    // …or to the left: the learned default direction.
    if (mh > 0) {
      const glm = gl + mg;
      const hlm = hl + mh;
      const hrm = H - hlm;
      if (hlm >= minHessian && hrm >= minHessian) {
        const grm = G - glm;
        const gain = plainL2
          ? (glm * glm) / (hlm + lambda) + (grm * grm) / (hrm + lambda) - parentScore
          : leafScore(glm, hlm, c) + leafScore(grm, hrm, c) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          bestBin = b;
          bestDefaultLeft = true;
          bestGl = glm;
          bestHl = hlm;
        }
      }
    }
  }
  if (bestBin < 0) return null;
  return {
    gain: bestGain,
    feature: f,
    binThreshold: bestBin,
    leftCategories: null,
    defaultLeft: bestDefaultLeft,
    left: { g: bestGl, h: bestHl },
    right: { g: G - bestGl, h: H - bestHl },
  };
}

/**
 * LightGBM's many-vs-many categorical split: order the categories with enough rows in the
 * node by G / (H + catSmooth) and try prefixes of that order, from either end, as the left
 * set. A convex loss's best partition is such a prefix, so this avoids trying 2^k subsets.
 * High-cardinality features overfit easily, so, as in LightGBM, rare categories never go
 * left on their own, the left set holds at most `maxCatThreshold` categories, and the gain
 * uses `lambda + catL2`.
 */
function bestCategoricalSplit(
  hist: Float64Array,
  binned: BinLayout,
  f: number,
  total: NodeStats,
  c: SplitConstraints,
  rowsPerHessian: number,
): SplitCandidate | null {
  const offset = binned.binOffset[f] as number;
  const numBins = binned.numValueBins[f] as number;
  const frequent: number[] = [];
  for (let b = 0; b < numBins; b++) {
    const h = hist[(offset + b) * HISTOGRAM_STRIDE + 1] as number;
    if (h > 0 && Math.round(h * rowsPerHessian) >= c.minDataPerGroup) frequent.push(b);
  }
  if (frequent.length < 1) return null;
  const ratio = (b: number): number => {
    const s = (offset + b) * HISTOGRAM_STRIDE;
    return (hist[s] as number) / ((hist[s + 1] as number) + c.catSmooth);
  };
  frequent.sort((a, b) => ratio(a) - ratio(b));
  const m = (offset + numBins) * HISTOGRAM_STRIDE;
  const mg = hist[m] as number;
  const mh = hist[m + 1] as number;
  const regularised: SplitConstraints = { ...c, lambda: c.lambda + c.catL2 };
  const regularisedParent = leafScore(total.g, total.h, regularised);
  let bestGain = Math.max(c.minSplitGain, MIN_GAIN);
  let best: { order: number[]; length: number; defaultLeft: boolean } | null = null;
  const maxLeft = Math.min(c.maxCatThreshold, frequent.length);
  for (const order of [frequent, [...frequent].reverse()]) {
    let gl = 0;
    let hl = 0;
    for (let i = 0; i < maxLeft; i++) {
      const s = (offset + (order[i] as number)) * HISTOGRAM_STRIDE;
      gl += hist[s] as number;
      hl += hist[s + 1] as number;
      const gainRight = splitGain(gl, hl, total, regularisedParent, regularised, rowsPerHessian);
      if (gainRight > bestGain) {
        bestGain = gainRight;
        best = { order, length: i + 1, defaultLeft: false };
      }
      if (mh > 0) {
        const gainLeft = splitGain(
          gl + mg,
          hl + mh,
          total,
          regularisedParent,
          regularised,
          rowsPerHessian,
        );
        if (gainLeft > bestGain) {
          bestGain = gainLeft;
          best = { order, length: i + 1, defaultLeft: true };
        }
      }
    }
  }
  if (best === null) return null;
  const leftCategories = new Uint8Array(numBins);
  const left: NodeStats = { g: 0, h: 0 };
  for (let i = 0; i < best.length; i++) {
    const b = best.order[i] as number;
    leftCategories[b] = 1;
    const s = (offset + b) * HISTOGRAM_STRIDE;
    addStats(left, hist[s] as number, hist[s + 1] as number);
  }
  if (best.defaultLeft) addStats(left, mg, mh);
  return {
    // The regularised gain, as LightGBM compares it with numeric splits: categorical splits
    // must win by more than the extra freedom they have.
    gain: bestGain,
    feature: f,
    binThreshold: -1,
    leftCategories,
    defaultLeft: best.defaultLeft,
    left,
    right: { g: total.g - left.g, h: total.h - left.h },
  };
}

function splitGain(
  gl: number,
  hl: number,
  total: NodeStats,
  parentScore: number,
  c: SplitConstraints,
  rowsPerHessian: number,
): number {
  const hr = total.h - hl;
  if (hl < c.minChildWeight || hr < c.minChildWeight) return Number.NEGATIVE_INFINITY;
  // Row counts are estimated from the hessian share, as LightGBM does (exact for L2 loss).
  if (
    Math.round(hl * rowsPerHessian) < c.minDataInLeaf ||
    Math.round(hr * rowsPerHessian) < c.minDataInLeaf
  ) {
    return Number.NEGATIVE_INFINITY;
  }
  return leafScore(gl, hl, c) + leafScore(total.g - gl, hr, c) - parentScore;
}

function addStats(stats: NodeStats, g: number, h: number): void {
  stats.g += g;
  stats.h += h;
}
