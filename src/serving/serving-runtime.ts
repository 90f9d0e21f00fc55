import type { Platform } from "../platform.ts";
import type { ServingMetrics } from "./metrics/serving-metrics.ts";
import type { PredictionLog } from "./prediction-log/prediction-log.ts";

/** The outputs of one scored row, by the model manifest's output names (`probability`, `score`, ...). */
export type PredictionOutputs = Readonly<Record<string, number>>;

/** One feature's TreeSHAP contribution to the raw score (log-odds for binary models). */
export interface FeatureContribution {
  readonly feature: string;
  readonly value: number;
}

/** The answer for one row of `POST /api/deployments/{name}/predict`. */
export interface RowPrediction {
  /** One per row; labels are joined on it, and it is what the prediction log records. */
  readonly request_id: string;
  readonly deployment: string;
  /** The live variant that answered (shadows are never named here). */
  readonly variant: string;
  readonly model: { readonly name: string; readonly version: string };
  readonly outputs: PredictionOutputs;
  /**
   * The `explain: k` largest contributions by absolute value, largest first (tree models only),
   * to the raw score of the first output, or of the predicted class for multiclass models.
   */
  readonly contributions?: readonly FeatureContribution[];
}

/** The answer to a batch body (`{instances: [...]}`): one prediction per instance, in order. */
export interface BatchPrediction {
  readonly deployment: string;
  readonly predictions: readonly RowPrediction[];
}

/** A named tensor of the Open Inference Protocol V2 (KServe), as requested or returned. */
export interface InferTensor {
  readonly name: string;
  readonly shape: readonly number[];
  /** `FP64`, `FP32`, `INT64`, `INT32`, `BOOL` or `BYTES` (strings, for category inputs). */
  readonly datatype: string;
  readonly data: readonly (number | string | boolean)[];
}

/** An OIP V2 inference response. */
export interface InferResponse {
  readonly model_name: string;
  readonly model_version: string;
  readonly id: string;
  readonly outputs: readonly InferTensor[];
}

/** An OIP V2 tensor description, for model metadata. */
export interface TensorMetadata {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
}

/** OIP V2 model metadata (`GET /v2/models/{name}[/versions/{v}]`). */
export interface ModelMetadata {
  readonly name: string;
  /** The loaded registry versions serving this model name. */
  readonly versions: readonly string[];
  readonly platform: string;
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
}

/** OIP V2 server metadata (`GET /v2`). */
export interface ServerMetadata {
  readonly name: string;
  readonly version: string;
  readonly extensions: readonly string[];
}

/** What one loaded variant serves right now. */
export interface VariantStatus {
  readonly name: string;
  readonly model: string;
  /** The alias followed, when the variant names one. */
  readonly alias?: string;
  /** The registry version loaded; undefined until the first load succeeds. */
  readonly version: string | undefined;
  readonly weight: number;
  readonly shadow: boolean;
}

/** A served deployment and its load state. */
export interface DeploymentStatus {
  readonly name: string;
  /** True once every variant has a loaded model. */
  readonly ready: boolean;
  readonly variants: readonly VariantStatus[];
  /** The message of the last failed load, while the deployment is not ready or a reload failed. */
  readonly lastError?: string;
}

/** Per-call options of a prediction. */
export interface PredictOptions {
  /**
   * The caller's request id (e.g. an `x-request-id` header); default a fresh one. A batch's
   * rows get `<id>-<index>`.
   */
  readonly requestId?: string;
}

/**
 * The library core of the model server: it loads each deployment's variants from the
 * registry, follows their aliases (hot swap: the new version is loaded whole before one
 * atomic reference swap; each request scores against one snapshot taken at its start), fetches
 * features from the online store, validates, predicts, splits traffic, scores shadows off the
 * caller's path, and hands every prediction to the prediction log. The HTTP faces
 * (`/api/deployments/{name}/predict`, `/v2/...`, `/metrics`) are thin layers over this.
 *
 * Every error a caller can cause is a PlinthError: DEPLOYMENT_NOT_FOUND (404) for a deployment
 * this runtime does not serve, SERVING_INVALID_INPUT (400, naming the field), SERVING_NOT_READY
 * (503) before the first load, SERVING_MODEL_NOT_FOUND (404) for an OIP model or version.
 *
 * @example
 * const runtime = await createServingRuntime({ platform, predictionLog });
 * const answer = await runtime.predict("fraud", { entities: { card_id: 7 }, request: { amount: 240 } });
 * await runtime.close();
 */
export interface ServingRuntime {
  /**
   * Scores `{entities, request, explain?}` (one row: RowPrediction) or
   * `{instances: [{entities, request}, ...], explain?}` (BatchPrediction).
   */
  predict(
    deployment: string,
    body: unknown,
    options?: PredictOptions,
  ): Promise<RowPrediction | BatchPrediction>;
  /**
   * OIP V2 inference on a deployment (its name is the OIP model name): `body.inputs` are named
   * tensors, one per model input (shape `[n]` or `[n, 1]`), or one tensor of shape `[n, inputs]`
   * in signature order. With `version`, the deployment's variant that has that registry version
   * loaded answers; without, a live variant chosen by weight. No feature lookup: the caller
   * sends the whole vector.
   */
  infer(model: string, version: string | undefined, body: unknown): Promise<InferResponse>;
  /** OIP model metadata of a served deployment (optionally one loaded version). */
  modelMetadata(model: string, version?: string): ModelMetadata;
  /** OIP model readiness: the deployment (or that version of it) is loaded. Never throws. */
  modelReady(model: string, version?: string): boolean;
  /** OIP server readiness: the deployment store has been read and every served deployment is loaded. */
  ready(): boolean;
  /** OIP server metadata. */
  serverMetadata(): ServerMetadata;
  /** The deployments this runtime serves, with what each variant has loaded. */
  deployments(): readonly DeploymentStatus[];
  /**
   * Re-reads the deployment store and every alias now and loads what changed (the watcher
   * does this every `pollIntervalMs`); resolves when the swaps are done.
   */
  refresh(): Promise<void>;
  /** Counters and latency histograms for `/metrics`. */
  readonly metrics: ServingMetrics;
  /** Stops the watcher and waits for in-flight shadow scoring (the prediction log is the caller's to close). */
  close(): Promise<void>;
}

/** How a runtime is tuned; the defaults suit one process on a small machine. */
export interface ServingRuntimeSettings {
  /** How often aliases and the deployment store are polled, ms; default 1000. */
  readonly pollIntervalMs?: number;
  /** The most instances one batch request may hold; default 1000. */
  readonly maxBatchSize?: number;
  /** The largest `explain` k; default 100. */
  readonly maxExplain?: number;
  /** Only these deployments (default: every deployment in the store, followed as they come and go). */
  readonly deployments?: readonly string[];
}

/** What a runtime is built from. */
export interface ServingRuntimeOptions extends ServingRuntimeSettings {
  /** Deployments, registry, tracking and artifacts (to load models), features (online lookup). */
  readonly platform: Pick<
    Platform,
    "deployments" | "registry" | "tracking" | "artifacts" | "features" | "logger"
  >;
  /** Where every prediction (live and shadow) is appended; none is logged without one. */
  readonly predictionLog?: PredictionLog;
  /** Default: a fresh `createServingMetrics()`; pass one to share it across runtimes. */
  readonly metrics?: ServingMetrics;
}
