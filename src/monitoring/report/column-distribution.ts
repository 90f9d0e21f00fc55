import type { FeatureColumn } from "../../training/dataset/training-dataset.ts";
import type { ColumnDrift } from "../drift/column-drift.ts";
import { equalWidthEdges, histogramOf } from "../profile/histogram.ts";

/** Reference and current shares of one column over common bins or categories. */
export interface ColumnDistribution {
  readonly column: string;
  readonly kind: "numeric" | "categorical";
  /** Numeric: bin edges (one more than the shares). Categorical: the labels, "(other)" last. */
  readonly bins: readonly (number | string)[];
  /** Share of the reference's counted rows per bin. */
  readonly reference: readonly number[];
  /** Share of the current's counted rows per bin. */
  readonly current: readonly number[];
}

/** Bins of a numeric distribution plot. */
const PLOT_BINS = 20;
/** Categories drawn; the rest are summed into "(other)". */
const PLOT_CATEGORIES = 20;

/**
 * The distributions the report plots, for the columns both sides have with one kind: numeric
 * columns over 20 equal-width bins spanning both sides' finite values, categorical ones over
 * their 20 most frequent values (both sides together) and "(other)".
 */
export function distributionsOf(
  reference: readonly FeatureColumn[],
  current: readonly FeatureColumn[],
  rows: readonly ColumnDrift[],
): ColumnDistribution[] {
  const ref = new Map(reference.map((c) => [c.name, c]));
  const cur = new Map(current.map((c) => [c.name, c]));
  const out: ColumnDistribution[] = [];
  for (const row of rows) {
    const a = ref.get(row.column);
    const b = cur.get(row.column);
    if (a === undefined || b === undefined) continue;
    if (a.kind === "numeric" && b.kind === "numeric")
      out.push(numericDistribution(a.name, a.values, b.values));
    else if (a.kind === "categorical" && b.kind === "categorical")
      out.push(categoricalDistribution(a, b));
  }
  return out;
}

function numericDistribution(column: string, a: Float64Array, b: Float64Array): ColumnDistribution {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const values of [a, b]) {
    for (const x of values) {
      if (x - x !== 0) continue;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  if (lo > hi) return { column, kind: "numeric", bins: [], reference: [], current: [] };
  const edges = equalWidthEdges(lo, hi, PLOT_BINS);
  const share = (values: Float64Array) => {
    const h = histogramOf(values, edges);
    const total = h.counts.reduce((s, c) => s + c, 0);
    return h.counts.map((c) => (total === 0 ? 0 : c / total));
  };
  return { column, kind: "numeric", bins: edges, reference: share(a), current: share(b) };
}

function categoricalDistribution(
  a: Extract<FeatureColumn, { kind: "categorical" }>,
  b: Extract<FeatureColumn, { kind: "categorical" }>,
): ColumnDistribution {
  const countsOf = (c: typeof a) => {
    const counts = new Map<string, number>();
    for (const code of c.codes)
      if (code >= 0) counts.set(c.dictionary[code]!, (counts.get(c.dictionary[code]!) ?? 0) + 1);
    return counts;
  };
  const ca = countsOf(a);
  const cb = countsOf(b);
  const totals = new Map<string, number>();
  for (const m of [ca, cb]) for (const [v, c] of m) totals.set(v, (totals.get(v) ?? 0) + c);
  const ranked = [...totals].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([v]) => v);
  const shown = ranked.slice(0, PLOT_CATEGORIES);
  const other = ranked.length > shown.length;
  const share = (m: Map<string, number>) => {
    const total = [...m.values()].reduce((s, c) => s + c, 0);
    const shares = shown.map((v) => (total === 0 ? 0 : (m.get(v) ?? 0) / total));
    if (other) shares.push(total === 0 ? 0 : 1 - shares.reduce((s, x) => s + x, 0));
    return shares;
  };
  return {
    column: a.name,
    kind: "categorical",
    bins: other ? [...shown, "(other)"] : shown,
    reference: share(ca),
    current: share(cb),
  };
}
