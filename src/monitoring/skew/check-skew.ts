import { createSeededRandom } from "../../core/seeded-random.ts";
import type { FeatureService } from "../../features/definitions/feature-service.ts";
import type { Field, ValueType } from "../../features/definitions/value-type.ts";
import type { FeatureStore } from "../../features/feature-store.ts";
import { resolveService } from "../../features/offline/duckdb/create-duckdb-offline-store.ts";
import type { FeatureFrame } from "../../features/offline/feature-frame.ts";
import type {
  LoggedFeatureValue,
  PredictionRecord,
} from "../../serving/prediction-log/prediction-record.ts";
import { monitoringInputError } from "./monitoring-input-error.ts";

/** Records compared when `sample` is not given. */
export const DEFAULT_SKEW_SAMPLE = 1000;
/** Largest absolute difference two numeric values may have and still agree. */
export const DEFAULT_SKEW_TOLERANCE = 1e-9;

/** What to compare: logged predictions against the feature store's offline recomputation. */
export interface SkewInput {
  readonly featureStore: Pick<FeatureStore, "definitions" | "offline">;
  /** Logged predictions (a window of the prediction log). */
  readonly records: readonly PredictionRecord[];
  /** The feature service (or its name) whose features the model was served. */
  readonly featureService: FeatureService | string;
  /** At most this many records are recomputed, drawn at random; default 1000. */
  readonly sample?: number;
  /** Seed of the sample draw; default 1. */
  readonly seed?: number;
  /** Numeric values within this absolute difference agree; default 1e-9. */
  readonly tolerance?: number;
  /** Mismatch examples kept per feature; default 5. */
  readonly maxExamples?: number;
  /** The log names features `view__feature` (serving with full feature names). */
  readonly fullFeatureNames?: boolean;
}

/** One disagreement, for a person to look up. */
export interface SkewExample {
  readonly requestId: string;
  readonly at: number;
  readonly entities: Readonly<Record<string, string | number>>;
  readonly logged: LoggedFeatureValue;
  readonly offline: number | string | null;
  /** |logged - offline| for numeric features; null for categorical ones or a wrong type. */
  readonly absDiff: number | null;
}

/** One feature's agreement between what was served and what the offline path computes. */
export interface FeatureSkew {
  readonly feature: string;
  readonly kind: "numeric" | "categorical";
  /** Records where both the log and the offline store have a value. */
  readonly compared: number;
  /** Of those, how many disagree (beyond the tolerance for numeric features). */
  readonly mismatches: number;
  /** mismatches / compared; null when nothing was compared. */
  readonly mismatchRate: number | null;
  /** Numeric only: mean and max |logged - offline| over the compared records. */
  readonly meanAbsDiff: number | null;
  readonly maxAbsDiff: number | null;
  /** Logged with a value, null offline (the entity or its row is missing there). */
  readonly missingOffline: number;
  /** Null in the log, present offline. */
  readonly missingInLog: number;
  /** Records whose feature vector lacks this feature altogether. */
  readonly notLogged: number;
  readonly examples: readonly SkewExample[];
}

/** The skew check of a sample of logged predictions. */
export interface SkewReport {
  readonly featureService: string;
  readonly records: number;
  readonly sampled: number;
  readonly tolerance: number;
  /** Sampled records that could not be recomputed, and why. */
  readonly skippedRecords: ReadonlyArray<{ readonly requestId: string; readonly reason: string }>;
  /** Recomputed records for which no view had any value offline: their entity is unknown there. */
  readonly entitiesMissingOffline: number;
  /** Service features that could not be recomputed from the log, and why. */
  readonly skippedFeatures: ReadonlyArray<{ readonly feature: string; readonly reason: string }>;
  readonly features: readonly FeatureSkew[];
}

const TIMESTAMP_COLUMN = "plinth_skew_at";

/**
 * Recomputes the features of a sample of logged predictions offline — the point-in-time
 * join of the feature store, with the record's entities and its `at` as the event time —
 * and compares them with the vector the model was served (invariant 2: skew is measured,
 * not assumed away). On-demand features are recomputed too when the request fields they
 * read are in the logged vector; otherwise they are listed in `skippedFeatures`.
 *
 * Throws MONITORING_INVALID_INPUT naming the option for a malformed option; a malformed
 * record is skipped and reported, never fatal.
 *
 * @example
 * const report = await checkSkew({ featureStore, records, featureService: "driver_v1", sample: 500 });
 * report.features.filter((f) => (f.mismatchRate ?? 0) > 0.01);
 */
export async function checkSkew(input: SkewInput): Promise<SkewReport> {
  const { records } = input;
  if (!Array.isArray(records))
    throw monitoringInputError("records", "must be an array of prediction records");
  const sample = positiveInteger(input.sample, DEFAULT_SKEW_SAMPLE, "sample");
  const maxExamples = positiveInteger(input.maxExamples, 5, "maxExamples");
  const seed = positiveInteger(input.seed, 1, "seed");
  const tolerance = input.tolerance ?? DEFAULT_SKEW_TOLERANCE;
  if (typeof tolerance !== "number" || !(tolerance >= 0) || !Number.isFinite(tolerance)) {
    throw monitoringInputError("tolerance", "must be a finite number >= 0");
  }
  const service = resolveService(input.featureStore.definitions, input.featureService);
  const full = input.fullFeatureNames === true;
  const chosen = drawSample(records.length, sample, seed).map(
    (i) => records[i] as PredictionRecord,
  );

  const joinKeys = new Map<string, ValueType>();
  const requestFields = new Map<string, { field: Field; odfv: string }>();
  for (const item of service.features) {
    if (item.kind === "onDemandFeatureView") {
      for (const source of item.sources) {
        if (source.kind === "requestSource") {
          for (const field of source.schema)
            requestFields.set(field.name, { field, odfv: item.name });
        } else {
          const view = source.kind === "featureView" ? source : source.view;
          for (const e of view.entities) for (const k of e.joinKeys) joinKeys.set(k.name, k.type);
        }
      }
    } else {
      const view = item.kind === "featureView" ? item : item.view;
      for (const e of view.entities) for (const k of e.joinKeys) joinKeys.set(k.name, k.type);
    }
  }

  const skippedRecords: Array<{ requestId: string; reason: string }> = [];
  const usable: PredictionRecord[] = [];
  for (const record of chosen) {
    const reason = recordProblem(record, joinKeys);
    if (reason === undefined) usable.push(record);
    else skippedRecords.push({ requestId: String(record?.requestId ?? "(none)"), reason });
  }

  // An on-demand view is recomputable only when every usable record logged its request fields.
  const skippedFeatures: Array<{ feature: string; reason: string }> = [];
  const droppedOdfvs = new Set<string>();
  for (const [name, { odfv }] of requestFields) {
    if (droppedOdfvs.has(odfv)) continue;
    const missing = usable.find(
      (r) => typeof r.features[name] !== "number" && typeof r.features[name] !== "string",
    );
    if (missing !== undefined) {
      droppedOdfvs.add(odfv);
      skippedFeatures.push({
        feature: odfv,
        reason: `needs request field '${name}', which record '${missing.requestId}' did not log`,
      });
    }
  }
  const refs: string[] = [];
  for (const item of service.features) {
    if (item.kind === "onDemandFeatureView") {
      if (!droppedOdfvs.has(item.name)) refs.push(item.name);
    } else if (item.kind === "featureView") refs.push(item.name);
    else for (const f of item.features) refs.push(`${item.view.name}:${f}`);
  }

  const base = {
    featureService: service.name,
    records: records.length,
    sampled: chosen.length,
    tolerance,
    skippedRecords,
    skippedFeatures,
  };
  if (usable.length === 0 || refs.length === 0) {
    return { ...base, entitiesMissingOffline: 0, features: [] };
  }

  const keepRequest = [...requestFields].filter(([, r]) => !droppedOdfvs.has(r.odfv));
  const rows = usable.map((r) => {
    const row: Record<string, unknown> = { [TIMESTAMP_COLUMN]: new Date(r.at) };
    for (const [k, type] of joinKeys) row[k] = entityValue(r.entities[k] as string | number, type);
    for (const [name, { field }] of keepRequest)
      row[name] = requestValue(r.features[name], field.type);
    return row;
  });
  const job = input.featureStore.offline.getHistoricalFeatures(rows, refs, {
    timestampColumn: TIMESTAMP_COLUMN,
    fullFeatureNames: full,
  });
  let frame: FeatureFrame;
  try {
    frame = await job.toFrame();
  } finally {
    await job.close();
  }

  const inputColumns = new Set([
    TIMESTAMP_COLUMN,
    ...joinKeys.keys(),
    ...keepRequest.map(([n]) => n),
  ]);
  const outputs = frame.schema.filter((f) => !inputColumns.has(f.name));
  const odfvOutputs = new Set(
    service.features.flatMap((i) =>
      i.kind === "onDemandFeatureView"
        ? i.schema.map((f) => (full ? `${i.name}__${f.name}` : f.name))
        : [],
    ),
  );
  const viewOutputs = outputs.filter((f) => !odfvOutputs.has(f.name));
  let entitiesMissingOffline = 0;
  for (let r = 0; r < frame.numRows; r++) {
    if (viewOutputs.length > 0 && viewOutputs.every((f) => offlineValue(frame, f, r) === null)) {
      entitiesMissingOffline++;
    }
  }
  const features = outputs.map((field) =>
    compareFeature(field, frame, usable, tolerance, maxExamples),
  );
  return { ...base, entitiesMissingOffline, features };
}

function compareFeature(
  field: Field,
  frame: FeatureFrame,
  records: readonly PredictionRecord[],
  tolerance: number,
  maxExamples: number,
): FeatureSkew {
  const numeric = field.type === "float64" || field.type === "int64" || field.type === "timestamp";
  let compared = 0;
  let mismatches = 0;
  let sumDiff = 0;
  let diffs = 0;
  let maxDiff = 0;
  let missingOffline = 0;
  let missingInLog = 0;
  let notLogged = 0;
  const examples: SkewExample[] = [];
  records.forEach((record, r) => {
    if (!Object.hasOwn(record.features, field.name)) {
      notLogged++;
      return;
    }
    const raw = record.features[field.name] as LoggedFeatureValue;
    const logged = typeof raw === "number" && Number.isNaN(raw) ? null : raw;
    const offline = offlineValue(frame, field, r);
    if (logged === null || logged === undefined) {
      if (offline !== null) missingInLog++;
      return;
    }
    if (offline === null) {
      missingOffline++;
      return;
    }
    compared++;
    let agree: boolean;
    let absDiff: number | null = null;
    if (numeric) {
      if (typeof logged === "number" && typeof offline === "number") {
        absDiff = logged === offline ? 0 : Math.abs(logged - offline);
        agree = absDiff <= tolerance;
        // Infinity - Infinity is NaN; equal infinities were caught above.
        if (Number.isFinite(absDiff)) {
          sumDiff += absDiff;
          diffs++;
          if (absDiff > maxDiff) maxDiff = absDiff;
        }
      } else agree = false;
    } else {
      agree = categoryOf(logged) === offline;
    }
    if (!agree) {
      mismatches++;
      if (examples.length < maxExamples) {
        examples.push({
          requestId: record.requestId,
          at: record.at,
          entities: record.entities,
          logged,
          offline,
          absDiff,
        });
      }
    }
  });
  return {
    feature: field.name,
    kind: numeric ? "numeric" : "categorical",
    compared,
    mismatches,
    mismatchRate: compared === 0 ? null : mismatches / compared,
    meanAbsDiff: numeric && diffs > 0 ? sumDiff / diffs : null,
    maxAbsDiff: numeric && diffs > 0 ? maxDiff : null,
    missingOffline,
    missingInLog,
    notLogged,
    examples,
  };
}

/** The frame's value as a number (numeric types) or text (categories), null when missing. */
function offlineValue(frame: FeatureFrame, field: Field, row: number): number | string | null {
  const v = (frame.columns[field.name] as ArrayLike<unknown>)[row];
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return Number.isNaN(v) ? null : v;
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Date) return v.getTime();
  if (typeof v === "boolean") return v ? "true" : "false";
  return String(v);
}

/** A logged category as the offline text: booleans may be logged as 1/0. */
function categoryOf(logged: number | string): string {
  return String(logged);
}

function recordProblem(
  record: PredictionRecord,
  joinKeys: ReadonlyMap<string, ValueType>,
): string | undefined {
  if (record === null || typeof record !== "object") return "not a prediction record";
  if (typeof record.at !== "number" || !Number.isFinite(record.at))
    return "'at' is not a finite time";
  if (record.entities === null || typeof record.entities !== "object")
    return "'entities' is missing";
  if (record.features === null || typeof record.features !== "object")
    return "'features' is missing";
  for (const [k, type] of joinKeys) {
    const v = record.entities[k];
    if (v === undefined || v === null) return `entity key '${k}' is missing`;
    if (type === "int64" && !Number.isSafeInteger(Number(v)))
      return `entity key '${k}' is not an integer`;
    if (type !== "int64" && typeof v !== "string" && typeof v !== "number")
      return `entity key '${k}' has the wrong type`;
  }
  return undefined;
}

function entityValue(v: string | number, type: ValueType): unknown {
  if (type === "int64") return BigInt(Number(v));
  if (type === "float64") return Number(v);
  return String(v);
}

function requestValue(v: LoggedFeatureValue | undefined, type: ValueType): unknown {
  if (type === "int64") return BigInt(Math.trunc(Number(v)));
  if (type === "float64") return Number(v);
  if (type === "bool") return v === 1 || v === "true";
  return String(v);
}

function positiveInteger(value: unknown, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw monitoringInputError(field, "must be a positive integer");
  }
  return value;
}

/** `k` distinct positions of `n`, drawn without replacement, in increasing order. */
function drawSample(n: number, k: number, seed: number): number[] {
  if (n <= k) return Array.from({ length: n }, (_, i) => i);
  const rng = createSeededRandom(seed);
  const picked = new Int32Array(n);
  for (let i = 0; i < n; i++) picked[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + rng.nextInt(n - i);
    const t = picked[i] as number;
    picked[i] = picked[j] as number;
    picked[j] = t;
  }
  return Array.from(picked.subarray(0, k)).sort((a, b) => a - b);
}
