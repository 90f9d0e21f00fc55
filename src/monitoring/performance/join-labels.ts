import { PlinthError } from "../../core/errors.ts";

/** Labels lined up with predictions, and what could not be lined up. */
export interface JoinedLabels {
  /** One label per prediction row; NaN where no label has arrived. */
  readonly label: Float64Array;
  /** Prediction rows that received a label. */
  readonly matched: number;
  /** Labels that matched no prediction (unknown request id or entity, or too late). */
  readonly unmatched: number;
  /** Up to 10 of their keys, for the report. */
  readonly unmatchedSample: readonly string[];
  /** Labels that replaced an earlier label for the same prediction (the last one wins). */
  readonly replaced: number;
}

/**
 * Lines delayed labels up with predictions by request id. A label for an id no prediction
 * has is counted (and sampled) as unmatched, never an error: labels for traffic outside the
 * window are normal. Throws MONITORING_INVALID_INPUT when `labelIds` and `labels` differ in
 * length.
 *
 * @example
 * joinLabelsById(["r1", "r2"], ["r2", "r9"], Float64Array.of(1, 0)).label; // [NaN, 1]
 */
export function joinLabelsById(
  predictionIds: readonly string[],
  labelIds: readonly string[],
  labels: Float64Array,
): JoinedLabels {
  requireSameLength(labelIds.length, labels.length, "labels");
  const rowOf = new Map<string, number>();
  for (const [row, id] of predictionIds.entries()) rowOf.set(id, row);
  const out = new Float64Array(predictionIds.length).fill(Number.NaN);
  const unmatchedSample: string[] = [];
  let unmatched = 0;
  let replaced = 0;
  labelIds.forEach((id, i) => {
    const row = rowOf.get(id);
    if (row === undefined) {
      unmatched++;
      if (unmatchedSample.length < 10) unmatchedSample.push(id);
      return;
    }
    if (!Number.isNaN(out[row]!)) replaced++;
    out[row] = labels[i]!;
  });
  return { label: out, ...counts(out), unmatched, unmatchedSample, replaced };
}

/**
 * Lines labels up with predictions by entity and time: a label observed for an entity at time
 * t belongs to that entity's latest prediction at or before t, if it is at most `maxDelayMs`
 * older (default: any age). Labels for unknown entities, or earlier than every prediction of
 * theirs, or too late, are unmatched.
 */
export function joinLabelsByEntity(
  predictions: { readonly entity: readonly string[]; readonly time: Float64Array },
  labels: {
    readonly entity: readonly string[];
    readonly time: Float64Array;
    readonly value: Float64Array;
  },
  options: { readonly maxDelayMs?: number } = {},
): JoinedLabels {
  requireSameLength(predictions.entity.length, predictions.time.length, "predictions.time");
  requireSameLength(labels.entity.length, labels.time.length, "labels.time");
  requireSameLength(labels.entity.length, labels.value.length, "labels.value");
  const maxDelay = options.maxDelayMs ?? Number.POSITIVE_INFINITY;
  if (!(maxDelay >= 0)) {
    throw new PlinthError(
      "MONITORING_INVALID_INPUT",
      `'maxDelayMs' must be >= 0, got ${maxDelay}`,
      { field: "maxDelayMs" },
    );
  }
  const byEntity = new Map<string, number[]>();
  predictions.entity.forEach((entity, row) => {
    if (!Number.isFinite(predictions.time[row]!)) return;
    const rows = byEntity.get(entity) ?? [];
    rows.push(row);
    byEntity.set(entity, rows);
  });
  for (const rows of byEntity.values())
    rows.sort((a, b) => predictions.time[a]! - predictions.time[b]!);
  const out = new Float64Array(predictions.entity.length).fill(Number.NaN);
  const unmatchedSample: string[] = [];
  let unmatched = 0;
  let replaced = 0;
  labels.entity.forEach((entity, i) => {
    const t = labels.time[i]!;
    const rows = byEntity.get(entity);
    let lo = 0;
    let hi = rows?.length ?? 0;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (predictions.time[rows![mid]!]! <= t) lo = mid + 1;
      else hi = mid;
    }
    const row = lo > 0 ? rows![lo - 1]! : undefined;
    if (row === undefined || !(t - predictions.time[row]! <= maxDelay)) {
      unmatched++;
      if (unmatchedSample.length < 10) unmatchedSample.push(entity);
      return;
    }
    if (!Number.isNaN(out[row]!)) replaced++;
    out[row] = labels.value[i]!;
  });
  return { label: out, ...counts(out), unmatched, unmatchedSample, replaced };
}

function counts(label: Float64Array): { matched: number } {
  let matched = 0;
  for (const y of label) if (!Number.isNaN(y)) matched++;
  return { matched };
}

function requireSameLength(expected: number, actual: number, field: string): void {
  if (expected !== actual) {
    throw new PlinthError(
      "MONITORING_INVALID_INPUT",
      `'${field}' has ${actual} values; expected ${expected}`,
      { field },
    );
  }
}
