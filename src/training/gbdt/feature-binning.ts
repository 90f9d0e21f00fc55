import { PlinthError } from "../../core/errors.ts";
import { createSeededRandom } from "../../core/seeded-random.ts";
import type { TrainingDataset } from "../dataset/training-dataset.ts";

/**
 * A dataset quantised once into histogram bins and reused by every tree. Each feature owns
 * a slice of one global bin space: value bins first, then one bin for missing values, so a
 * histogram is a single flat array and the build loop needs no per-feature offset lookup.
 */
export interface BinnedDataset {
  readonly numRows: number;
  readonly numFeatures: number;
  /** Row-major global bin index of every value (numRows × numFeatures): histograms read a row at a time. */
  readonly bins: Uint16Array | Uint32Array;
  /** The same bins column-major (numFeatures × numRows): partitioning reads one feature at a time. */
  readonly binsByFeature: Uint16Array | Uint32Array;
  /** Per feature: its first global bin. */
  readonly binOffset: Int32Array;
  /** Per feature: number of value bins; its missing bin is `binOffset[f] + numValueBins[f]`. */
  readonly numValueBins: Int32Array;
  /** Total global bins across features (a histogram has this many slots). */
  readonly totalBins: number;
  /** Per numeric feature the ascending cut points (bin b holds [cuts[b-1], cuts[b])); null for categoricals. */
  readonly cuts: readonly (Float64Array | null)[];
  /** Per feature: 1 when categorical (bin = category code). */
  readonly categorical: Uint8Array;
}

/** The bin layout alone: what split finding needs, and what worker threads are sent. */
export type BinLayout = Pick<
  BinnedDataset,
  "numFeatures" | "binOffset" | "numValueBins" | "totalBins" | "categorical"
>;

/** Values sampled per feature to place quantile cuts; more adds time, not accuracy. */
const CUT_SAMPLE_SIZE = 1 << 18;

/**
 * Quantile-bins every feature into at most `maxBin` value bins (plus a missing bin).
 * A feature with at most `maxBin` distinct values gets one bin per value, so its splits are
 * exact; a categorical feature gets one bin per dictionary entry.
 */
export function binDataset(dataset: TrainingDataset, maxBin: number, seed: number): BinnedDataset {
  const numFeatures = dataset.features.length;
  const numRows = dataset.numRows;
  const cuts: (Float64Array | null)[] = [];
  const numValueBins = new Int32Array(numFeatures);
  const binOffset = new Int32Array(numFeatures);
  const categorical = new Uint8Array(numFeatures);
  let totalBins = 0;
  for (let f = 0; f < numFeatures; f++) {
    const column = dataset.features[f];
    if (column === undefined) throw new Error("unreachable: feature index in range");
    binOffset[f] = totalBins;
    if (column.kind === "categorical") {
      categorical[f] = 1;
      cuts.push(null);
      numValueBins[f] = Math.max(1, column.dictionary.length);
    } else {
      const featureCuts = quantileCuts(column.values, maxBin, seed + f);
      cuts.push(featureCuts);
      numValueBins[f] = featureCuts.length + 1;
    }
    totalBins += (numValueBins[f] as number) + 1;
  }
  const bins =
    totalBins <= 0xffff
      ? new Uint16Array(numRows * numFeatures)
      : new Uint32Array(numRows * numFeatures);
  const binsByFeature =
    totalBins <= 0xffff
      ? new Uint16Array(numRows * numFeatures)
      : new Uint32Array(numRows * numFeatures);
  for (let f = 0; f < numFeatures; f++) {
    const column = dataset.features[f];
    if (column === undefined) throw new Error("unreachable: feature index in range");
    const offset = binOffset[f] as number;
    const missingBin = offset + (numValueBins[f] as number);
    if (column.kind === "categorical") {
      const levels = column.dictionary.length;
      const codes = column.codes;
      for (let r = 0; r < numRows; r++) {
        const code = codes[r] as number;
        if (code < -1 || code >= levels) {
          throw new PlinthError(
            "TRAINING_INVALID_DATA",
            `Column '${column.name}' row ${r}: category code ${code} is outside its dictionary of ${levels}`,
            { field: column.name },
          );
        }
        const bin = code === -1 ? missingBin : offset + code;
        bins[r * numFeatures + f] = bin;
        binsByFeature[f * numRows + r] = bin;
      }
    } else {
      const featureCuts = cuts[f] as Float64Array;
      const values = column.values;
      for (let r = 0; r < numRows; r++) {
        const x = values[r] as number;
        const bin = Number.isNaN(x) ? missingBin : offset + upperBound(featureCuts, x);
        bins[r * numFeatures + f] = bin;
        binsByFeature[f * numRows + r] = bin;
      }
    }
  }
  return {
    numRows,
    numFeatures,
    bins,
    binsByFeature,
    binOffset,
    numValueBins,
    totalBins,
    cuts,
    categorical,
  };
}

/** Number of cuts `<= x`: the bin of `x`. */
export function upperBound(cuts: Float64Array, x: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cuts[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function quantileCuts(values: Float64Array, maxBin: number, seed: number): Float64Array {
  const present = sampleFinite(values, seed);
  present.sort();
  const n = present.length;
  const distinct: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = present[i] as number;
    if (i === 0 || v !== present[i - 1]) distinct.push(v);
    if (distinct.length > maxBin) break;
  }
  // Few distinct values: each gets its own bin, so splits fall exactly between values.
  if (distinct.length <= maxBin) return Float64Array.from(distinct.slice(1));
  const out: number[] = [];
  for (let i = 1; i < maxBin; i++) {
    const v = present[Math.floor((i * n) / maxBin)] as number;
    if (v > (present[0] as number) && (out.length === 0 || v > (out[out.length - 1] as number))) {
      out.push(v);
    }
  }
  return Float64Array.from(out);
}

function sampleFinite(values: Float64Array, seed: number): Float64Array {
  let finite = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i] as number)) finite++;
  if (finite <= CUT_SAMPLE_SIZE) {
    const out = new Float64Array(finite);
    let j = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (!Number.isNaN(v)) out[j++] = v;
    }
    return out;
  }
  // Reservoir sample: a uniform subset of the present values, deterministic for the seed.
  const rng = createSeededRandom(seed);
  const out = new Float64Array(CUT_SAMPLE_SIZE);
  let seen = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) continue;
    if (seen < CUT_SAMPLE_SIZE) out[seen] = v;
    else {
      const j = rng.nextInt(seen + 1);
      if (j < CUT_SAMPLE_SIZE) out[j] = v;
    }
    seen++;
  }
  return out;
}
