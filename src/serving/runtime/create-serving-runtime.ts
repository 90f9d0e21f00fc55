import { randomUUID } from "node:crypto";
import { isPlinthError, PlinthError } from "../../core/errors.ts";
import { PLINTH_VERSION } from "../../version.ts";
import type { PredictInstance } from "../features/create-vector-builder.ts";
import { invalidInput } from "../invalid-input.ts";
import { createServingMetrics } from "../metrics/create-serving-metrics.ts";
import type {
  BatchPrediction,
  InferResponse,
  RowPrediction,
  ServingRuntime,
  ServingRuntimeOptions,
} from "../serving-runtime.ts";
import { createDeploymentLoader, type ServedDeployment } from "./create-deployment-loader.ts";
import {
  chooseVariant,
  type DeploymentSnapshot,
  type LoadedVariant,
  stickyValue,
} from "./deployment-snapshot.ts";
import { parseInferBody } from "./parse-infer-body.ts";
import { parsePredictBody } from "./parse-predict-body.ts";
import { outputsOf, predictionRecordOf } from "./prediction-record-of.ts";
import { deploymentStatusOf, modelMetadataOf } from "./runtime-views.ts";

/** Shadow scorings in flight at once; beyond this they are skipped and counted, never queued. */
const MAX_SHADOWS_IN_FLIGHT = 256;
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Builds a serving runtime and loads its deployments (resolving once every deployment has
 * been tried: a deployment whose models fail to load is served as not ready, and retried on
 * every poll), then starts the alias watcher.
 *
 * @example
 * const runtime = await createServingRuntime({ platform, predictionLog, pollIntervalMs: 1000 });
 * const answer = await runtime.predict("fraud", { entities: { card_id: 7 }, request: { amount: 240 }, explain: 3 });
 */
export async function createServingRuntime(
  options: ServingRuntimeOptions,
): Promise<ServingRuntime> {
  const metrics = options.metrics ?? createServingMetrics();
  const log = options.predictionLog;
  const logger = options.platform.logger;
  const maxBatch = options.maxBatchSize ?? 1000;
  const maxExplain = options.maxExplain ?? 100;
  const loader = createDeploymentLoader(options, metrics);
  const shadowsInFlight = new Set<Promise<void>>();
  await loader.refresh();
  loader.start();

  const snapshotOf = (name: unknown): { entry: ServedDeployment; snapshot: DeploymentSnapshot } => {
    const entry = typeof name === "string" ? loader.get(name) : undefined;
    if (entry === undefined) {
      throw new PlinthError(
        "DEPLOYMENT_NOT_FOUND",
        `No deployment named ${JSON.stringify(String(name).slice(0, 200))} is served here`,
        {
          field: "deployment",
        },
      );
    }
    const snapshot = entry.snapshot;
    if (snapshot === undefined) {
      throw new PlinthError(
        "SERVING_NOT_READY",
        `Deployment '${entry.name}' is not loaded yet${entry.lastError === undefined ? "" : `: ${entry.lastError}`}`,
        {
          field: "deployment",
        },
      );
    }
    return { entry, snapshot };
  };

  const countError = (deployment: string | undefined, error: unknown): void => {
    metrics.countError(deployment, isPlinthError(error) ? error.code : "INTERNAL");
  };

  /** Scores `rows` of one variant: outputs and, when asked, contributions. */
  const score = async (
    snapshot: DeploymentSnapshot,
    variant: LoadedVariant,
    instances: readonly PredictInstance[],
  ): Promise<{ rows: Float64Array; out: Float64Array }> => {
    const built = await variant.builder.build(instances, snapshot.metrics);
    return { rows: built.rows, out: variant.model.predict(built.rows, instances.length) };
  };

  const record = (
    snapshot: DeploymentSnapshot,
    variant: LoadedVariant,
    instance: PredictInstance,
    requestId: string,
    rows: Float64Array,
    out: Float64Array,
    r: number,
    latencyMs: number,
  ): void => {
    if (log === undefined) return;
    log.append(
      predictionRecordOf(snapshot, variant, instance.entities, requestId, rows, out, r, latencyMs),
    );
  };

  const runShadows = (
    snapshot: DeploymentSnapshot,
    instances: readonly PredictInstance[],
    ids: readonly string[],
  ): void => {
    for (const shadow of snapshot.shadows) {
      if (shadowsInFlight.size >= MAX_SHADOWS_IN_FLIGHT) {
        snapshot.metrics.countShadowSkipped();
        continue;
      }
      const job = (async () => {
        // Off the caller's path: the live answer has been handed back before this runs.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const started = performance.now();
        const { rows, out } = await score(snapshot, shadow, instances);
        const latency = performance.now() - started;
        shadow.metrics.observe(latency, instances.length);
        for (let r = 0; r < instances.length; r++) {
          record(
            snapshot,
            shadow,
            instances[r] as PredictInstance,
            ids[r] as string,
            rows,
            out,
            r,
            latency,
          );
        }
      })().catch((error: unknown) => {
        // Kept apart from the callers' errors: the live answer was served.
        metrics.countError(
          snapshot.deployment.name,
          `shadow:${isPlinthError(error) ? error.code : "INTERNAL"}`,
        );
        logger.debug(
          { deployment: snapshot.deployment.name, variant: shadow.spec.name, err: error },
          "serving: shadow scoring failed",
        );
      });
      shadowsInFlight.add(job);
      job.finally(() => shadowsInFlight.delete(job));
    }
  };

  const predictRows = async (
    snapshot: DeploymentSnapshot,
    instances: readonly PredictInstance[],
    ids: readonly string[],
    explain: number,
    started: number,
  ): Promise<RowPrediction[]> => {
    const n = instances.length;
    const stickyKey = snapshot.deployment.stickyKey;
    const chosen: LoadedVariant[] = new Array(n);
    for (let r = 0; r < n; r++) {
      chosen[r] = chooseVariant(
        snapshot,
        stickyValue(instances[r] as PredictInstance, stickyKey) ?? (ids[r] as string),
      );
    }
    const answers: RowPrediction[] = new Array(n);
    const groups = n === 1 ? [chosen[0] as LoadedVariant] : [...new Set(chosen)];
    for (const variant of groups) {
      if (explain > 0 && !variant.model.explainable) {
        throw invalidInput(
          "explain",
          `variant '${variant.spec.name}' serves a ${variant.model.manifest.flavour} model, which has no TreeSHAP contributions`,
        );
      }
    }
    // Every group is scored before anything is logged, so a request refused in its second
    // group (a row invalid for that variant's model) leaves no record behind.
    const scored = [];
    for (const variant of groups) {
      const index = n === 1 ? [0] : chosen.flatMap((v, r) => (v === variant ? [r] : []));
      const group = n === 1 ? instances : index.map((r) => instances[r] as PredictInstance);
      scored.push({ variant, index, group, ...(await score(snapshot, variant, group)) });
    }
    const latency = performance.now() - started;
    for (const { variant, index, group, rows, out } of scored) {
      variant.metrics.observe(latency, group.length);
      const width = variant.model.manifest.inputs.length;
      const K = variant.model.manifest.outputs.length;
      for (let g = 0; g < group.length; g++) {
        const r = index[g] as number;
        let contributions: RowPrediction["contributions"];
        if (explain > 0) {
          let best = 0;
          for (let k = 1; k < K; k++) {
            if ((out[g * K + k] as number) > (out[g * K + best] as number)) best = k;
          }
          contributions = variant.model.explain(
            rows.subarray(g * width, (g + 1) * width),
            best,
            explain,
          );
        }
        answers[r] = {
          request_id: ids[r] as string,
          deployment: snapshot.deployment.name,
          variant: variant.spec.name,
          model: { name: variant.model.name, version: variant.model.version },
          outputs: outputsOf(variant, out, g),
          ...(contributions === undefined ? {} : { contributions }),
        };
        record(
          snapshot,
          variant,
          group[g] as PredictInstance,
          ids[r] as string,
          rows,
          out,
          g,
          latency,
        );
      }
    }
    if (snapshot.shadows.length > 0) runShadows(snapshot, instances, ids);
    return answers;
  };

  const variantFor = (
    snapshot: DeploymentSnapshot,
    version: string | undefined,
    key: string,
  ): LoadedVariant => {
    if (version === undefined) return chooseVariant(snapshot, key);
    const match =
      snapshot.live.find((v) => v.model.version === version) ??
      snapshot.shadows.find((v) => v.model.version === version);
    if (match === undefined) {
      throw new PlinthError(
        "SERVING_MODEL_NOT_FOUND",
        `Deployment '${snapshot.deployment.name}' has no variant with version ${JSON.stringify(String(version).slice(0, 50))} loaded`,
        {
          field: "version",
        },
      );
    }
    return match;
  };

  const runtime: ServingRuntime = {
    metrics,

    async predict(name, body, opts = {}) {
      const started = performance.now();
      let deployment: string | undefined;
      try {
        const { snapshot } = snapshotOf(name);
        deployment = snapshot.deployment.name;
        const parsed = parsePredictBody(body, maxBatch, maxExplain);
        const baseId = opts.requestId ?? randomUUID();
        if (typeof baseId !== "string" || !REQUEST_ID.test(baseId)) {
          throw invalidInput(
            "request_id",
            "a request id is 1-128 letters, digits, '_', '.', ':' or '-'",
          );
        }
        const ids = parsed.batch ? parsed.instances.map((_, i) => `${baseId}-${i}`) : [baseId];
        const rows = await predictRows(snapshot, parsed.instances, ids, parsed.explain, started);
        if (!parsed.batch) return rows[0] as RowPrediction;
        const batch: BatchPrediction = { deployment, predictions: rows };
        return batch;
      } catch (error) {
        countError(deployment, error);
        throw error;
      }
    },

    async infer(name, version, body) {
      const started = performance.now();
      let deployment: string | undefined;
      try {
        const { snapshot } = snapshotOf(name);
        deployment = snapshot.deployment.name;
        const id = isObject(body) && typeof body.id === "string" ? body.id : randomUUID();
        const variant = variantFor(snapshot, version, id);
        const request = parseInferBody(body, variant.model, maxBatch);
        const out = variant.model.predict(request.rows, request.numRows);
        const latency = performance.now() - started;
        variant.metrics.observe(latency, request.numRows);
        const K = variant.model.manifest.outputs.length;
        const noEntities: PredictInstance = { entities: {}, request: {}, path: "" };
        for (let r = 0; r < request.numRows; r++) {
          record(
            snapshot,
            variant,
            noEntities,
            request.numRows === 1 ? id : `${id}-${r}`,
            request.rows,
            out,
            r,
            latency,
          );
        }
        const response: InferResponse = {
          model_name: snapshot.deployment.name,
          model_version: variant.model.version,
          id,
          outputs: request.outputs.map((k) => {
            const data: number[] = new Array(request.numRows);
            for (let r = 0; r < request.numRows; r++) data[r] = out[r * K + k] as number;
            return {
              name: variant.model.manifest.outputs[k] as string,
              shape: [request.numRows],
              datatype: "FP64",
              data,
            };
          }),
        };
        return response;
      } catch (error) {
        countError(deployment, error);
        throw error;
      }
    },

    modelMetadata(name, version) {
      const { snapshot } = snapshotOf(name);
      const variant = variantFor(snapshot, version, "");
      return modelMetadataOf(snapshot, variant);
    },

    modelReady(name, version) {
      const snapshot = typeof name === "string" ? loader.get(name)?.snapshot : undefined;
      if (snapshot === undefined) return false;
      if (version === undefined) return true;
      return [...snapshot.live, ...snapshot.shadows].some((v) => v.model.version === version);
    },

    ready() {
      if (!loader.listed() || loader.missing().size > 0) return false;
      for (const entry of loader.all()) if (entry.snapshot === undefined) return false;
      return true;
    },

    serverMetadata: () => ({ name: "plinth", version: PLINTH_VERSION, extensions: [] }),

    deployments() {
      const out = [...loader.all()].map(deploymentStatusOf);
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    refresh: () => loader.refresh(),

    async close() {
      await loader.close();
      await Promise.all([...shadowsInFlight]);
    },
  };
  return runtime;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
