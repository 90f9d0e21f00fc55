import { isPlinthError } from "../../../core/errors.ts";
import { downloadModelPackage } from "../../../models/package/download-model-package.ts";
import type { ModelTask } from "../../../models/package/model-manifest.ts";
import {
  type LoadedModelPackage,
  readModelPackage,
} from "../../../models/package/model-package.ts";
import { LIMITS } from "../../../tracking/validation.ts";
import { readParquetDataset } from "../../../training/dataset/read-parquet-dataset.ts";
import { resolveMetric } from "../../../training/metrics/metric-registry.ts";
import type { PathValue } from "../../definition/path-value.ts";
import type { StepContext } from "../../definition/step-context.ts";
import {
  evaluateGates,
  type GateDecision,
  type GateOutcome,
  type HoldoutScorer,
} from "./evaluate-gates.ts";
import { type HoldoutPredictions, predictHoldout, selectRows } from "./model-scoring.ts";
import { rowsWhere } from "./select-dataset-rows.ts";
import { HOLDOUT_METRICS, parseGates } from "./training-config.ts";

/** Everything the gates decided and the evidence, as recorded on the version and the run. */
export interface GateReport {
  readonly passed: boolean;
  readonly modelName: string;
  readonly alias: string;
  /** The alias whose holder was the champion judged against (`alias` unless compare_alias was set). */
  readonly comparedAlias: string;
  readonly holdoutRows: number;
  readonly candidate: { readonly metrics: Record<string, number> };
  /** The version the alias pointed at during evaluation, scored on the same holdout. */
  readonly champion: {
    readonly version: string;
    readonly source: string;
    readonly metrics: Record<string, number>;
  } | null;
  /** Why a champion exists but could not be scored (then its comparisons fail). */
  readonly championError: string | null;
  readonly decisions: readonly GateDecision[];
  readonly slices: GateOutcome["slices"];
}

/**
 * Scores the candidate and the alias's current holder on the same holdout rows and
 * applies the gates. The result is evidence only: nothing is registered here.
 */
export async function evaluateCandidate(
  input: {
    model: PathValue;
    dataset: PathValue;
    holdout: Uint8Array;
    label: string;
    modelName: string;
    alias: string;
    /** Judge against this alias's holder instead of `alias`'s ("" or absent: `alias`). */
    compareAlias?: string;
    gates: string;
    task: Exclude<ModelTask, "ranking">;
  },
  ctx: StepContext,
): Promise<GateReport> {
  const gates = parseGates(input.gates, input.task);
  const rows = rowsWhere(input.holdout, 1);
  const candidateModel = await readModelPackage(input.model.path);
  const candidate = await predictHoldout(candidateModel, input.dataset.path, input.label, rows);

  let champion: { version: string; source: string; predictions: HoldoutPredictions } | undefined;
  let championError: string | null = null;
  const comparedAlias =
    input.compareAlias === undefined || input.compareAlias === ""
      ? input.alias
      : input.compareAlias;
  const holder = await ctx.platform.registry.aliases
    .resolve(input.modelName, comparedAlias)
    .catch((error: unknown) => {
      if (
        isPlinthError(error, "REGISTRY_MODEL_NOT_FOUND") ||
        isPlinthError(error, "REGISTRY_ALIAS_NOT_FOUND")
      ) {
        return undefined;
      }
      throw error;
    });
  if (holder !== undefined) {
    try {
      const dir = await ctx.scratchDir("champion");
      await downloadModelPackage(ctx.platform, holder.source, dir);
      const loaded: LoadedModelPackage = await readModelPackage(dir);
      if (loaded.manifest.task !== input.task) {
        throw new Error(
          `the champion is a ${loaded.manifest.task} model; the candidate is ${input.task}`,
        );
      }
      champion = {
        version: holder.version,
        source: holder.source,
        predictions: await predictHoldout(loaded, input.dataset.path, input.label, rows),
      };
    } catch (error) {
      championError = `version ${holder.version} (${holder.source}) could not be scored on this holdout: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  const score = (p: HoldoutPredictions, metric: string, subset?: Int32Array) =>
    resolveMetric(metric).compute(subset === undefined ? p : selectRows(p, subset));
  let slices: Map<string, Int32Array> | undefined;
  const scorer: HoldoutScorer = {
    candidate: (metric, subset) => score(candidate, metric, subset),
    champion: (metric, subset) => {
      if (championError !== null) throw new Error(championError);
      return champion === undefined ? undefined : score(champion.predictions, metric, subset);
    },
    sliceValues: () => slices ?? new Map(),
  };
  if (gates.slices !== undefined)
    slices = await sliceRows(input.dataset.path, input.label, gates.slices.column, rows);
  const outcome = evaluateGates(gates, scorer);

  const metricNames = [
    ...new Set([
      ...HOLDOUT_METRICS[input.task],
      ...gates.thresholds.map((t) => t.metric),
      ...gates.vsChampion.map((t) => t.metric),
      ...(gates.slices === undefined ? [] : [gates.slices.metric]),
    ]),
  ];
  const metricsOf = (p: HoldoutPredictions) => {
    const out: Record<string, number> = {};
    for (const m of metricNames) {
      const v = safeScore(() => score(p, m));
      if (v !== undefined) out[m] = v;
    }
    return out;
  };
  const report: GateReport = {
    passed: outcome.passed,
    modelName: input.modelName,
    alias: input.alias,
    comparedAlias,
    holdoutRows: rows.length,
    candidate: { metrics: metricsOf(candidate) },
    champion:
      champion === undefined
        ? null
        : {
            version: champion.version,
            source: champion.source,
            metrics: metricsOf(champion.predictions),
          },
    championError,
    decisions: outcome.decisions,
    slices: outcome.slices,
  };
  await recordOnRun(report, ctx);
  return report;
}

/** Positions into the holdout rows, per value of the slice column. */
async function sliceRows(path: string, label: string, column: string, rows: Int32Array) {
  const data = await readParquetDataset(path, { label, features: [column], categorical: [column] });
  const feature = data.features[0];
  const out = new Map<string, number[]>();
  if (feature?.kind === "categorical") {
    rows.forEach((row, position) => {
      const code = feature.codes[row] as number;
      const value = code < 0 ? "(missing)" : (feature.dictionary[code] as string);
      const list = out.get(value) ?? [];
      list.push(position);
      out.set(value, list);
    });
  }
  return new Map([...out].map(([k, v]) => [k, Int32Array.from(v)]));
}

/** Metrics, decisions and the verdict on the step's tracking run. */
async function recordOnRun(report: GateReport, ctx: StepContext): Promise<void> {
  for (const [k, v] of Object.entries(report.candidate.metrics)) ctx.logMetric(`candidate_${k}`, v);
  for (const [k, v] of Object.entries(report.champion?.metrics ?? {}))
    ctx.logMetric(`champion_${k}`, v);
  for (const d of report.decisions) {
    ctx.log(`${d.passed ? "PASS" : "FAIL"} ${d.gate}: ${JSON.stringify(d.evidence)}`);
  }
  if (report.championError !== null) ctx.log(`champion: ${report.championError}`);
  if (ctx.trackingRunId === undefined) return;
  await ctx.platform.tracking.runs.logBatch(ctx.trackingRunId, {
    tags: [
      { key: "plinth.gates.passed", value: String(report.passed) },
      { key: "plinth.gates.champion_version", value: report.champion?.version ?? "" },
      { key: "plinth.gates.report", value: reportTag(report) },
    ],
  });
}

/** The report as a tag value: whole when it fits, else without the slice table. */
export function reportTag(report: GateReport): string {
  const whole = JSON.stringify(report);
  if (whole.length <= LIMITS.tagValueLength) return whole;
  const brief = JSON.stringify({
    ...report,
    slices: "omitted: see the evaluate step's report output",
  });
  return brief.length <= LIMITS.tagValueLength
    ? brief
    : JSON.stringify({ passed: report.passed, note: "see the evaluate step's report output" });
}

function safeScore(f: () => number): number | undefined {
  try {
    const v = f();
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
