import { PlinthError } from "../../core/errors.ts";
import type { PredictionLogReader } from "../../serving/prediction-log/prediction-log-reader.ts";
import type { CategoricalColumn, FeatureColumn } from "../../training/dataset/training-dataset.ts";
import type { DriftOptions } from "../drift/drift-options.ts";
import type { LabelStore } from "../labels/label-store.ts";
import { type CbpeEstimator, fitCbpe } from "../performance/cbpe.ts";
import { computePerformance, type PerformanceReport } from "../performance/compute-performance.ts";
import type { DatasetProfile } from "../profile/feature-profile.ts";
import { mergeProfiles } from "../profile/merge-profiles.ts";
import { profileColumns } from "../profile/profile-columns.ts";
import { buildMonitoringReport, type MonitoringReport } from "../report/monitoring-report.ts";
import type { MonitoringTable } from "../report/read-monitoring-table.ts";
import { columnsFromProfile } from "./columns-from-profile.ts";
import { type PredictionTable, predictionTable } from "./prediction-table.ts";

const HOUR_MS = 3_600_000;

/** What a log window is compared with. */
export type WindowReference =
  /** A stored profile (a model version's training set, a saved dataset's statistics). */
  | { readonly profile: DatasetProfile; readonly name?: string }
  /** A table (a reference file): its label and prediction columns, when present, fit CBPE. */
  | { readonly table: MonitoringTable; readonly prediction?: string; readonly name?: string };

/** What {@link monitorWindow} checks. */
export interface MonitorWindowInput {
  readonly deployment: string;
  /** The window, epoch ms: `from` inclusive, `to` exclusive. */
  readonly from: number;
  readonly to: number;
  readonly reference: WindowReference;
  readonly predictions: PredictionLogReader;
  /** Where delayed labels are; without it performance has CBPE estimates only. */
  readonly labels?: LabelStore;
  /** The deployment's decision threshold (precision, recall); default 0.5. */
  readonly threshold?: number;
  /** A feature to slice performance by. */
  readonly slice?: string;
  /** Performance window length; default one hour. */
  readonly windowMs?: number;
  readonly task?: "binary" | "regression";
  /** The output that is the prediction (see `predictionTable`). */
  readonly prediction?: string;
  readonly categorical?: readonly string[];
  readonly drift?: DriftOptions;
  /** A CBPE estimator to use instead of one fitted on a labelled reference table. */
  readonly cbpe?: CbpeEstimator;
  /** Only these variants (default: the live ones; shadows are logged but never served). */
  readonly variants?: readonly string[];
  readonly now?: Date;
}

/** One hour of the window. */
export interface HourProfile {
  readonly start: number;
  readonly rows: number;
  readonly profile: DatasetProfile;
}

/** The monitoring of one log window. */
export interface WindowResult {
  readonly deployment: string;
  readonly from: number;
  readonly to: number;
  /** `no data` when the window holds no predictions: every part below is then empty. */
  readonly status: "ok" | "no data";
  readonly rows: number;
  /** The window's profile, merged from its hourly profiles (histograms on the reference's edges). */
  readonly profile: DatasetProfile | null;
  readonly hours: readonly HourProfile[];
  /** Drift, data quality, distributions and performance, as `plinth monitor report` renders it. */
  readonly report: MonitoringReport | null;
  readonly labels: {
    /** `no labels` when none of the window's predictions has one yet (CBPE estimates still show). */
    readonly status: "ok" | "no labels" | "no label store";
    readonly matched: number;
    readonly coverage: number | null;
    readonly unmatched: number;
  };
  readonly performance: PerformanceReport | null;
  /** Why a part is missing (no prediction output, no data), for a person. */
  readonly notes: readonly string[];
}

/**
 * Monitors one window of a deployment's prediction log against a reference: the window's
 * profile (merged from hourly profiles, so a day is the fold of its hours), drift and data
 * quality of every feature and the prediction, and performance with the delayed labels joined
 * (label coverage, realised metrics per window and per slice at the threshold, CBPE's
 * estimate beside them). An empty window, or one without labels, is an explicit status, not
 * an error.
 *
 * @throws PlinthError `MONITORING_INVALID_INPUT` for a bad window or an unknown slice feature.
 * @example
 * const result = await monitorWindow({ deployment: "fraud", from, to, predictions: reader,
 *   labels, reference: { profile: trainingProfile } });
 */
export async function monitorWindow(input: MonitorWindowInput): Promise<WindowResult> {
  if (!(Number.isFinite(input.from) && Number.isFinite(input.to) && input.to > input.from)) {
    throw new PlinthError(
      "MONITORING_INVALID_INPUT",
      "'to' must be after 'from', both epoch milliseconds",
      { field: "to" },
    );
  }
  const base = { deployment: input.deployment, from: input.from, to: input.to };
  const all = await input.predictions.read({
    deployment: input.deployment,
    from: input.from,
    to: input.to,
    ...(input.variants === undefined ? {} : { variants: input.variants }),
  });
  const records = input.variants === undefined ? all.filter((r) => !r.shadow) : all;
  if (records.length === 0) {
    return {
      ...base,
      status: "no data",
      rows: 0,
      profile: null,
      hours: [],
      report: null,
      labels: { status: "no labels", matched: 0, coverage: null, unmatched: 0 },
      performance: null,
      notes: [
        `No predictions of '${input.deployment}' were logged from ${new Date(input.from).toISOString()} to ${new Date(input.to).toISOString()}`,
      ],
    };
  }
  const notes: string[] = [];
  const table = predictionTable(records, {
    ...(input.categorical === undefined ? {} : { categorical: input.categorical }),
    ...(input.prediction === undefined ? {} : { prediction: input.prediction }),
  });
  const featureNames = new Set(Object.keys(records[0]!.features));
  for (const r of records) for (const name in r.features) featureNames.add(name);
  // The report compares features and the prediction; other outputs are not in a reference.
  const current = table.columns.filter(
    (c) => featureNames.has(c.name) || c.name === table.prediction,
  );
  if (table.prediction === null)
    notes.push("The log has no numeric output to treat as the prediction");

  const referenceColumns =
    "profile" in input.reference
      ? columnsFromProfile(input.reference.profile)
      : input.reference.table.columns;
  const referenceProfile =
    "profile" in input.reference
      ? input.reference.profile
      : profileColumns(input.reference.table.columns);
  const hours = hourlyProfiles(table, current, referenceProfile);
  const profile = hours.map((h) => h.profile).reduce(mergeProfiles);

  const labels = await joinLabels(input, records, table);
  if (labels.status !== "ok")
    notes.push(
      labels.status === "no labels"
        ? "No labels have arrived for this window yet"
        : "No label store: performance is CBPE's estimate only",
    );
  const performance =
    table.prediction === null ? null : performanceOf(input, table, labels.label, notes);
  const report = buildMonitoringReport({
    reference: referenceColumns,
    current,
    referenceName: input.reference.name ?? "reference",
    currentName: `${input.deployment} ${new Date(input.from).toISOString()} .. ${new Date(input.to).toISOString()}`,
    title: `Monitoring report: ${input.deployment}`,
    ...(table.prediction !== null && referenceColumns.some((c) => c.name === table.prediction)
      ? { prediction: table.prediction }
      : {}),
    ...(input.drift === undefined ? {} : { drift: input.drift }),
    ...(performance === null ? {} : { performance }),
    ...(input.now === undefined ? {} : { now: input.now }),
  });
  return {
    ...base,
    status: "ok",
    rows: records.length,
    profile,
    hours,
    report,
    labels: {
      status: labels.status,
      matched: labels.matched,
      coverage: labels.matched / records.length,
      unmatched: labels.unmatched,
    },
    performance,
    notes,
  };
}

/** Profiles of each UTC hour of the window (records are in time order, so each hour is a slice of rows). */
export function hourlyProfiles(
  table: PredictionTable,
  columns: readonly FeatureColumn[],
  reference: DatasetProfile,
): HourProfile[] {
  const hours: HourProfile[] = [];
  const at = table.timestamp!;
  let start = 0;
  while (start < table.rows) {
    const hour = Math.floor(at[start]! / HOUR_MS) * HOUR_MS;
    let end = start;
    while (end < table.rows && at[end]! < hour + HOUR_MS) end++;
    const slice = columns.map((c) => sliceColumn(c, start, end));
    hours.push({
      start: hour,
      rows: end - start,
      profile: profileColumns(slice, { edgesFrom: reference }),
    });
    start = end;
  }
  return hours;
}

function sliceColumn(column: FeatureColumn, start: number, end: number): FeatureColumn {
  return column.kind === "numeric"
    ? { ...column, values: column.values.subarray(start, end) }
    : { ...column, codes: column.codes.subarray(start, end) };
}

async function joinLabels(
  input: MonitorWindowInput,
  records: Parameters<LabelStore["join"]>[1],
  table: PredictionTable,
): Promise<{
  status: "ok" | "no labels" | "no label store";
  label: Float64Array;
  matched: number;
  unmatched: number;
}> {
  if (input.labels === undefined) {
    return { status: "no label store", label: table.label!, matched: 0, unmatched: 0 };
  }
  const joined = await input.labels.join(input.deployment, records, {
    from: input.from,
    to: input.to,
  });
  return {
    status: joined.matched === 0 ? "no labels" : "ok",
    label: joined.label,
    matched: joined.matched,
    unmatched: joined.unmatched,
  };
}

function performanceOf(
  input: MonitorWindowInput,
  table: PredictionTable,
  label: Float64Array,
  notes: string[],
): PerformanceReport {
  const column = table.columns.find((c) => c.name === table.prediction);
  const prediction = (column as { values: Float64Array }).values;
  const binaryLabels = label.every((y) => Number.isNaN(y) || y === 0 || y === 1);
  const probabilities = prediction.every((p) => Number.isNaN(p) || (p >= 0 && p <= 1));
  const task = input.task ?? (binaryLabels && probabilities ? "binary" : "regression");
  const cbpe =
    task === "binary"
      ? (input.cbpe ?? cbpeFromReference(input.reference, table.prediction!))
      : undefined;
  if (task === "binary" && cbpe === undefined)
    notes.push("No labelled reference with the prediction: no CBPE estimate");
  let slices: CategoricalColumn[] | undefined;
  if (input.slice !== undefined) {
    const feature = table.columns.find((c) => c.name === input.slice);
    if (feature === undefined) {
      throw new PlinthError(
        "MONITORING_INVALID_INPUT",
        `The slice feature '${input.slice}' is not in the log`,
        {
          field: "slice",
        },
      );
    }
    slices = [asCategorical(feature)];
  }
  return computePerformance({
    task,
    prediction,
    label,
    timestamp: table.timestamp!,
    windowMs: input.windowMs ?? HOUR_MS,
    origin: Math.floor(input.from / (input.windowMs ?? HOUR_MS)) * (input.windowMs ?? HOUR_MS),
    threshold: input.threshold ?? 0.5,
    ...(slices === undefined ? {} : { slices }),
    ...(cbpe === undefined ? {} : { cbpe }),
  });
}

function cbpeFromReference(
  reference: WindowReference,
  prediction: string,
): CbpeEstimator | undefined {
  if (!("table" in reference) || reference.table.label === null) return undefined;
  const name = reference.prediction ?? prediction;
  const column = reference.table.columns.find((c) => c.name === name);
  if (column?.kind !== "numeric") return undefined;
  const y = reference.table.label;
  const rows = [...y.keys()].filter(
    (i) => (y[i] === 0 || y[i] === 1) && Number.isFinite(column.values[i]!),
  );
  if (rows.length === 0) return undefined;
  return fitCbpe(
    Float64Array.from(rows, (i) => column.values[i]!),
    Float64Array.from(rows, (i) => y[i]!),
  );
}

/** A numeric slice feature as categories of its values' text. */
function asCategorical(column: FeatureColumn): CategoricalColumn {
  if (column.kind === "categorical") return column;
  const dictionary: string[] = [];
  const index = new Map<string, number>();
  const codes = Int32Array.from(column.values, (v) => {
    if (Number.isNaN(v)) return -1;
    const text = String(v);
    let code = index.get(text);
    if (code === undefined) {
      code = dictionary.length;
      index.set(text, code);
      dictionary.push(text);
    }
    return code;
  });
  return { kind: "categorical", name: column.name, codes, dictionary };
}
