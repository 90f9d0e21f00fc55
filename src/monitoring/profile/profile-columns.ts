import { PlinthError } from "../../core/errors.ts";
import type {
  CategoricalColumn,
  FeatureColumn,
  NumericColumn,
} from "../../training/dataset/training-dataset.ts";
import { categoryCountsOf, DEFAULT_CATEGORY_CAPACITY } from "./category-counts.ts";
import type { CategoricalProfile, DatasetProfile, NumericProfile } from "./feature-profile.ts";
import { DEFAULT_HISTOGRAM_BINS, equalWidthEdges } from "./histogram.ts";
import { addHash, createHyperLogLog, fmix32, HLL_PRECISION, hashString } from "./hyperloglog.ts";
import { EMPTY_MOMENTS } from "./numeric-moments.ts";
import { SKETCH_KEY_SPACE, SKETCH_MANTISSA_BITS, sketchFromDense } from "./quantile-sketch.ts";

/** Options for {@link profileColumns}. */
export interface ProfileOptions {
  /**
   * A reference profile (the training set's) whose histogram edges numeric columns of the
   * same name reuse, so every window's histogram lines up with the reference and merges
   * exactly. Without it, edges span each column's own min and max.
   */
  readonly edgesFrom?: DatasetProfile;
  /** Histogram bins when the edges come from the data (default 20). */
  readonly bins?: number;
  /** Category values counted exactly before approximating (default 1000). */
  readonly categoryCapacity?: number;
}

/** The hash `addFloat64Values` gives 0 and -0. */
const ZERO_HASH = fmix32(0 ^ fmix32(0 ^ 0x9e3779b9));
const SHIFT = 20 - SKETCH_MANTISSA_BITS;

/**
 * Profiles columns (a training set's features, or one time window of prediction logs): per
 * column the row count, missing count, ±Infinity counts, moments, quantile sketch, histogram
 * and distinct estimate for numbers; counts per value and a distinct estimate for categories.
 * Two passes over each numeric column, over typed arrays only.
 *
 * Throws MONITORING_INVALID_INPUT naming the column when columns differ in length, a name
 * repeats, or a categorical code is outside its dictionary.
 *
 * @example
 * const profile = profileColumns(train.features);
 * profile.features[0]!.missing;
 */
export function profileColumns(
  columns: readonly FeatureColumn[],
  options: ProfileOptions = {},
): DatasetProfile {
  const bins = options.bins ?? DEFAULT_HISTOGRAM_BINS;
  if (!(Number.isInteger(bins) && bins >= 1 && bins <= 10_000)) {
    throw invalid("bins", `'bins' must be an integer from 1 to 10000, got ${bins}`);
  }
  const capacity = options.categoryCapacity ?? DEFAULT_CATEGORY_CAPACITY;
  if (!(Number.isInteger(capacity) && capacity >= 1)) {
    throw invalid(
      "categoryCapacity",
      `'categoryCapacity' must be an integer >= 1, got ${capacity}`,
    );
  }
  const rows = columns.length === 0 ? 0 : lengthOf(columns[0]!);
  const names = new Set<string>();
  for (const column of columns) {
    if (names.has(column.name)) throw invalid(column.name, `Column '${column.name}' appears twice`);
    names.add(column.name);
    if (lengthOf(column) !== rows) {
      throw invalid(
        column.name,
        `Column '${column.name}' has ${lengthOf(column)} values; '${columns[0]!.name}' has ${rows}`,
      );
    }
  }
  const dense = new Uint32Array(SKETCH_KEY_SPACE);
  const features = columns.map((column) => {
    if (column.kind === "categorical") return profileCategorical(column, capacity);
    const reference = options.edgesFrom?.features.find((f) => f.name === column.name);
    const edges = reference?.kind === "numeric" ? reference.histogram.edges : undefined;
    return profileNumeric(column, dense, edges, bins);
  });
  return { rows, features };
}

function profileNumeric(
  column: NumericColumn,
  dense: Uint32Array,
  fixedEdges: readonly number[] | undefined,
  bins: number,
): NumericProfile {
  const values = column.values;
  const scan = scanValues(values);
  const count = values.length - scan.missing - scan.positiveInfinity - scan.negativeInfinity;
  const mean = count === 0 ? 0 : scan.sum / count;
  // A Float64Array, not a JS array: the hot loop reads it once per value.
  const edges = Float64Array.from(
    fixedEdges ??
      (count === 0 ? equalWidthEdges(0, 1, bins) : equalWidthEdges(scan.min, scan.max, bins)),
  );
  const distinct = createHyperLogLog();
  const histogramCounts = new Float64Array(edges.length - 1);
  const second = fusedPass(values, mean, edges, histogramCounts, dense, distinct.registers);
  return {
    kind: "numeric",
    name: column.name,
    count: values.length,
    missing: scan.missing,
    positiveInfinity: scan.positiveInfinity,
    negativeInfinity: scan.negativeInfinity,
    moments:
      count === 0 ? EMPTY_MOMENTS : { count, min: scan.min, max: scan.max, mean, m2: second.m2 },
    sketch: sketchFromDense(dense),
    histogram: {
      edges: [...edges],
      counts: [...histogramCounts],
      underflow: second.underflow,
      overflow: second.overflow,
      approximate: false,
    },
    distinct,
  };
}

// The two hot loops live in functions of their own: a loop inside a larger function gets
// optimised on-stack mid-way and then deoptimised by the not-yet-run code after it, on every
// call; a function that is just the loop is optimised once.

/** Pass one: non-finite counts, sum and extremes of the finite values. */
function scanValues(values: Float64Array) {
  let missing = 0;
  let positiveInfinity = 0;
  let negativeInfinity = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (x - x !== 0) {
      if (Number.isNaN(x)) missing++;
      else if (x > 0) positiveInfinity++;
      else negativeInfinity++;
      continue;
    }
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return { missing, positiveInfinity, negativeInfinity, sum, min, max };
}

/**
 * Pass two, fused: squared deviation, sketch bucket, distinct-value hash and histogram bin
 * of each finite value, reading the double's words through a Uint32Array view.
 */
function fusedPass(
  values: Float64Array,
  mean: number,
  edges: Float64Array,
  histogramCounts: Float64Array,
  dense: Uint32Array,
  registers: Uint8Array,
) {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const lastBin = edges.length - 2;
  const lo = edges[0] as number;
  const hi = edges[lastBin + 1] as number;
  const scale = (lastBin + 1) / (hi - lo);
  let m2 = 0;
  let underflow = 0;
  let overflow = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (x - x !== 0) continue;
    const d = x - mean;
    m2 += d * d;
    const high = words[2 * i + 1] as number;
    const key = high >>> SHIFT;
    dense[key] = (dense[key] as number) + 1;
    const hash = x === 0 ? ZERO_HASH : fmix32((words[2 * i] as number) ^ fmix32(high ^ 0x9e3779b9));
    const index = hash >>> (32 - HLL_PRECISION);
    const rank = Math.clz32((hash << HLL_PRECISION) | (1 << (HLL_PRECISION - 1))) + 1;
    if (rank > (registers[index] as number)) registers[index] = rank;
    if (x < lo) underflow++;
    else if (x > hi) overflow++;
    else {
      let b = Math.min(lastBin, Math.floor((x - lo) * scale));
      // The scaled index can be one off next to an edge; the edges are authoritative.
      if (x < (edges[b] as number)) b--;
      else if (b < lastBin && x >= (edges[b + 1] as number)) b++;
      histogramCounts[b] = (histogramCounts[b] as number) + 1;
    }
  }
  return { m2, underflow, overflow };
}

function profileCategorical(column: CategoricalColumn, capacity: number): CategoricalProfile {
  const levels = column.dictionary.length;
  const perCode = new Float64Array(levels);
  let missing = 0;
  for (let i = 0; i < column.codes.length; i++) {
    const code = column.codes[i] as number;
    if (code === -1) {
      missing++;
      continue;
    }
    if (!(code >= 0 && code < levels)) {
      throw invalid(
        column.name,
        `Column '${column.name}' row ${i}: code ${code} is outside its dictionary of ${levels}`,
      );
    }
    perCode[code] = (perCode[code] as number) + 1;
  }
  const counts = new Map<string, number>();
  const distinct = createHyperLogLog();
  for (let code = 0; code < levels; code++) {
    const c = perCode[code] as number;
    if (c === 0) continue;
    const value = column.dictionary[code]!;
    counts.set(value, (counts.get(value) ?? 0) + c);
    addHash(distinct, hashString(value));
  }
  return {
    kind: "categorical",
    name: column.name,
    count: column.codes.length,
    missing,
    categories: categoryCountsOf(counts, capacity),
    distinct,
  };
}

function lengthOf(column: FeatureColumn): number {
  return column.kind === "numeric" ? column.values.length : column.codes.length;
}

function invalid(field: string, message: string): PlinthError {
  return new PlinthError("MONITORING_INVALID_INPUT", message, { field });
}
