import { resolveMetric } from "../../../training/metrics/metric-registry.ts";
import type { GatesConfig } from "./training-config.ts";

/** Scores a model's holdout predictions (all rows, or the given ones) with a metric. */
export interface HoldoutScorer {
  /** The candidate's metric value; throws when the metric cannot be computed on those rows. */
  candidate(metric: string, rows?: Int32Array): number;
  /** The champion's, or undefined when there is no champion to compare with. */
  champion(metric: string, rows?: Int32Array): number | undefined;
  /** The values of the slice column per holdout row (the index into `rows`), when slicing. */
  sliceValues(): ReadonlyMap<string, Int32Array>;
}

/** One gate's verdict and what it was based on. */
export interface GateDecision {
  readonly gate: string;
  readonly passed: boolean;
  readonly evidence: Readonly<Record<string, string | number | boolean | null>>;
}

/** One value of the slice column: its rows and both models' scores on them. */
export interface SliceRow {
  readonly value: string;
  readonly rows: number;
  readonly candidate: number | null;
  readonly champion: number | null;
  /** null when the slice was too small (or its metric undefined) to judge. */
  readonly passed: boolean | null;
  readonly reason: string;
}

/** Every decision, and the slice table when slices were checked. */
export interface GateOutcome {
  readonly passed: boolean;
  readonly decisions: readonly GateDecision[];
  readonly slices: {
    readonly column: string;
    readonly metric: string;
    readonly rows: readonly SliceRow[];
  } | null;
}

/**
 * Applies the gates. A regression is the amount by which the candidate is worse than the
 * champion in the metric's own direction (champion − candidate for AUC, candidate −
 * champion for RMSE), so `maxRegression: 0` means "at least as good".
 *
 * @example
 * const outcome = evaluateGates(gates, scorer); // outcome.passed, outcome.decisions
 */
export function evaluateGates(gates: GatesConfig, scorer: HoldoutScorer): GateOutcome {
  const decisions: GateDecision[] = [];
  for (const t of gates.thresholds) {
    const value = safe(() => scorer.candidate(t.metric));
    const passed =
      value.ok &&
      (t.min === undefined || value.value >= t.min) &&
      (t.max === undefined || value.value <= t.max);
    decisions.push({
      gate: `threshold ${t.metric}${t.min === undefined ? "" : ` >= ${t.min}`}${t.max === undefined ? "" : ` <= ${t.max}`}`,
      passed,
      evidence: {
        metric: t.metric,
        candidate: value.ok ? value.value : null,
        min: t.min ?? null,
        max: t.max ?? null,
        ...(value.ok ? {} : { error: value.error }),
      },
    });
  }
  for (const c of gates.vsChampion) {
    const candidate = safe(() => scorer.candidate(c.metric));
    const champion = safe(() => scorer.champion(c.metric));
    const gate = `not worse than the champion on ${c.metric} by more than ${c.maxRegression}`;
    if (!candidate.ok || !champion.ok) {
      const error = !candidate.ok ? candidate.error : !champion.ok ? champion.error : "";
      decisions.push({ gate, passed: false, evidence: { metric: c.metric, error } });
      continue;
    }
    if (champion.value === undefined) {
      decisions.push({
        gate,
        passed: true,
        evidence: {
          metric: c.metric,
          candidate: candidate.value,
          champion: null,
          note: "no champion yet",
        },
      });
      continue;
    }
    const regression = regressionOf(c.metric, candidate.value, champion.value);
    decisions.push({
      gate,
      passed: regression <= c.maxRegression,
      evidence: {
        metric: c.metric,
        candidate: candidate.value,
        champion: champion.value,
        regression,
        maxRegression: c.maxRegression,
      },
    });
  }
  const slices = gates.slices === undefined ? null : checkSlices(gates.slices, scorer);
  if (slices !== null) {
    const judged = slices.rows.filter((r) => r.passed !== null);
    const failed = judged.filter((r) => r.passed === false);
    decisions.push({
      gate: `every ${slices.column} slice on ${slices.metric}`,
      passed: failed.length === 0,
      evidence: {
        column: slices.column,
        metric: slices.metric,
        slices: slices.rows.length,
        judged: judged.length,
        failed: failed.map((r) => r.value).join(", ") || null,
      },
    });
  }
  return { passed: decisions.every((d) => d.passed), decisions, slices };
}

function checkSlices(
  config: NonNullable<GatesConfig["slices"]>,
  scorer: HoldoutScorer,
): NonNullable<GateOutcome["slices"]> {
  const rows: SliceRow[] = [];
  const byValue = [...scorer.sliceValues()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [value, indices] of byValue) {
    if (indices.length < config.minRows) {
      rows.push({
        value,
        rows: indices.length,
        candidate: null,
        champion: null,
        passed: null,
        reason: `fewer than ${config.minRows} rows`,
      });
      continue;
    }
    const candidate = safe(() => scorer.candidate(config.metric, indices));
    const champion = safe(() => scorer.champion(config.metric, indices));
    if (!candidate.ok) {
      rows.push({
        value,
        rows: indices.length,
        candidate: null,
        champion: null,
        passed: null,
        reason: `metric undefined: ${candidate.error}`,
      });
      continue;
    }
    const reasons: string[] = [];
    if (config.min !== undefined && !(candidate.value >= config.min))
      reasons.push(`below min ${config.min}`);
    let championValue: number | null = null;
    if (config.maxRegression !== undefined) {
      if (!champion.ok) reasons.push(`champion not scored: ${champion.error}`);
      else if (champion.value !== undefined) {
        championValue = champion.value;
        const regression = regressionOf(config.metric, candidate.value, champion.value);
        if (regression > config.maxRegression)
          reasons.push(`worse than the champion by ${regression}`);
      }
    } else if (champion.ok && champion.value !== undefined) {
      championValue = champion.value;
    }
    rows.push({
      value,
      rows: indices.length,
      candidate: candidate.value,
      champion: championValue,
      passed: reasons.length === 0,
      reason: reasons.join("; ") || "ok",
    });
  }
  return { column: config.column, metric: config.metric, rows };
}

/** How much worse `candidate` is than `champion`, in the metric's direction (negative: better). */
export function regressionOf(metric: string, candidate: number, champion: number): number {
  return resolveMetric(metric).higherIsBetter ? champion - candidate : candidate - champion;
}

function safe<T>(f: () => T): { ok: true; value: T } | { ok: false; error: string } {
  try {
    const value = f();
    if (typeof value === "number" && !Number.isFinite(value))
      return { ok: false, error: `the metric is ${value}` };
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
