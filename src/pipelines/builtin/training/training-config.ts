import { z } from "zod";
import { isPlinthError, PlinthError } from "../../../core/errors.ts";
import type { ModelTask } from "../../../models/package/model-manifest.ts";
import { type GbdtParams, resolveGbdtParams } from "../../../training/gbdt/gbdt-params.ts";
import { type LinearParams, resolveLinearParams } from "../../../training/linear/linear-params.ts";
import { resolveMetric } from "../../../training/metrics/metric-registry.ts";
import type { TrainerChoice } from "../../../training/train-and-log.ts";

/**
 * The promotion gates of the training pipeline, as JSON in its `gates` parameter. Every
 * gate is checked and recorded; the alias moves only when all pass.
 *
 * - `thresholds`: the candidate's holdout metric must be >= `min` and/or <= `max`;
 * - `vsChampion`: not worse than the model the alias points at now, scored on the same
 *   holdout, by more than `maxRegression` (in the metric's units; "worse" follows the
 *   metric's direction). Passes when nothing holds the alias yet;
 * - `slices`: per value of a column of the training set (e.g. `country`), the same two
 *   checks on that value's holdout rows; values with fewer than `minRows` rows are reported
 *   and not judged.
 *
 * @example
 * { "thresholds": [{ "metric": "auc", "min": 0.8 }],
 *   "vsChampion": [{ "metric": "auc", "maxRegression": 0.005 }],
 *   "slices": { "column": "country", "metric": "auc", "min": 0.7, "maxRegression": 0.02, "minRows": 50 } }
 */
export interface GatesConfig {
  readonly thresholds: ReadonlyArray<{ metric: string; min?: number; max?: number }>;
  readonly vsChampion: ReadonlyArray<{ metric: string; maxRegression: number }>;
  readonly slices:
    | {
        column: string;
        metric: string;
        min?: number;
        maxRegression?: number;
        minRows: number;
      }
    | undefined;
}

const metricName = z.string().min(1).max(64);
const finite = z.number().finite();
const gatesSchema = z
  .object({
    thresholds: z
      .array(
        z.object({ metric: metricName, min: finite.optional(), max: finite.optional() }).strict(),
      )
      .max(100)
      .optional(),
    vsChampion: z
      .array(z.object({ metric: metricName, maxRegression: finite.min(0).default(0) }).strict())
      .max(100)
      .optional(),
    slices: z
      .object({
        column: z.string().min(1).max(256),
        metric: metricName,
        min: finite.optional(),
        maxRegression: finite.min(0).optional(),
        minRows: z.number().int().min(1).max(1_000_000_000).default(30),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The main holdout metric of a task: what the default gate compares with the champion. */
export const PRIMARY_METRIC: Readonly<Record<Exclude<ModelTask, "ranking">, string>> = {
  binary: "auc",
  regression: "rmse",
  multiclass: "mlogloss",
};

/** The metrics always reported on the holdout, per task. */
export const HOLDOUT_METRICS: Readonly<Record<Exclude<ModelTask, "ranking">, readonly string[]>> = {
  binary: ["auc", "average_precision", "logloss", "brier"],
  regression: ["rmse", "mae", "r2"],
  multiclass: ["mlogloss", "merror"],
};

/**
 * The `gates` parameter: JSON as above, or "" for the default gate — not worse than the
 * champion on the task's primary metric (auc, rmse, mlogloss) by any margin.
 *
 * @throws PlinthError `PIPELINES_INVALID_PARAM` naming `params.gates.<path>`.
 */
export function parseGates(text: string, task: Exclude<ModelTask, "ranking">): GatesConfig {
  if (text.trim() === "") {
    return {
      thresholds: [],
      vsChampion: [{ metric: PRIMARY_METRIC[task], maxRegression: 0 }],
      slices: undefined,
    };
  }
  const parsed = gatesSchema.safeParse(parseJson(text, "gates"));
  if (!parsed.success) throw zodError(parsed.error, "gates");
  const g = parsed.data;
  const gates: GatesConfig = {
    thresholds: g.thresholds ?? [],
    vsChampion: (g.vsChampion ?? []).map((v) => ({
      metric: v.metric,
      maxRegression: v.maxRegression,
    })),
    slices: g.slices,
  };
  const metrics: Array<[string, string]> = [
    ...gates.thresholds.map(
      (t, i) => [t.metric, `gates.thresholds[${i}].metric`] as [string, string],
    ),
    ...gates.vsChampion.map(
      (t, i) => [t.metric, `gates.vsChampion[${i}].metric`] as [string, string],
    ),
    ...(gates.slices === undefined
      ? []
      : [[gates.slices.metric, "gates.slices.metric"] as [string, string]]),
  ];
  for (const [name, field] of metrics) {
    try {
      resolveMetric(name);
    } catch (error) {
      throw invalidParam(field, isPlinthError(error) ? error.message : String(error));
    }
    if (name.includes("@")) throw invalidParam(field, `ranking metrics are not supported here`);
  }
  gates.thresholds.forEach((t, i) => {
    if (t.min === undefined && t.max === undefined) {
      throw invalidParam(`gates.thresholds[${i}]`, "needs a min or a max");
    }
  });
  const s = gates.slices;
  if (s !== undefined && s.min === undefined && s.maxRegression === undefined) {
    throw invalidParam("gates.slices", "needs a min or a maxRegression");
  }
  return gates;
}

/**
 * The `algorithm` and `trainer_params` parameters as a trainer choice, checked by the
 * trainers' own validation (lambdarank is refused: the pipeline has no query groups).
 *
 * @throws PlinthError `PIPELINES_INVALID_PARAM` naming `params.trainer_params.<name>`.
 */
export function parseTrainer(
  algorithm: string,
  text: string,
): TrainerChoice & { task: Exclude<ModelTask, "ranking"> } {
  const raw = text.trim() === "" ? {} : parseJson(text, "trainer_params");
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw invalidParam("trainer_params", "must be a JSON object of trainer parameters");
  }
  const params = raw as Record<string, unknown>;
  try {
    if (algorithm === "linear") {
      const resolved = resolveLinearParams(params);
      return { algorithm: "linear", params: params as LinearParams, task: resolved.objective };
    }
    if (algorithm !== "gbdt")
      throw invalidParam("algorithm", `must be 'gbdt' or 'linear', got '${algorithm}'`);
    const resolved = resolveGbdtParams(params);
    if (resolved.objective === "lambdarank") {
      throw invalidParam(
        "trainer_params.objective",
        "lambdarank needs query groups, which the training pipeline does not build",
      );
    }
    const task: Exclude<ModelTask, "ranking"> =
      resolved.objective === "binary"
        ? "binary"
        : resolved.objective === "multiclass"
          ? "multiclass"
          : "regression";
    return { algorithm: "gbdt", params: params as GbdtParams, task };
  } catch (error) {
    if (isPlinthError(error, "PIPELINES_INVALID_PARAM")) throw error;
    const field =
      isPlinthError(error) && error.field !== undefined
        ? `trainer_params.${error.field}`
        : "trainer_params";
    throw invalidParam(field, error instanceof Error ? error.message : String(error));
  }
}

function parseJson(text: string, param: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw invalidParam(param, `is not valid JSON: ${(cause as Error).message}`);
  }
}

function zodError(error: z.ZodError, param: string): PlinthError {
  const issue = error.issues[0] as z.ZodIssue;
  const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("");
  if (issue.code === "unrecognized_keys") {
    return invalidParam(`${param}${path}`, `has an unknown field '${issue.keys[0]}'`);
  }
  return invalidParam(`${param}${path}`, issue.message);
}

function invalidParam(field: string, problem: string): PlinthError {
  return new PlinthError("PIPELINES_INVALID_PARAM", `Parameter '${field}' ${problem}`, {
    field: `params.${field}`,
  });
}
