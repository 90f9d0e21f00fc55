import { PlinthError } from "../../core/errors.ts";
import type { Field, ValueType } from "../../features/definitions/value-type.ts";
import type { FeatureStore } from "../../features/feature-store.ts";
import type { OnlineFeatureReader } from "../../features/online/create-online-feature-reader.ts";
import type { FeatureValue } from "../../features/online/feature-value.ts";
import { planOnlineRead } from "../../features/online/online-feature-plan.ts";
import { INVALID, parseInputValue } from "../../features/online/parse-input-value.ts";
import {
  clipText as clip,
  describeValue as describe,
  invalidInput as invalid,
} from "../invalid-input.ts";
import type { DeploymentMetrics } from "../metrics/serving-metrics.ts";
import type { ServedModel } from "../models/served-model.ts";
import type { LoggedFeatureValue } from "../prediction-log/prediction-record.ts";

/** One row of a predict request: entity join keys and request-time fields. */
export interface PredictInstance {
  readonly entities: Readonly<Record<string, unknown>>;
  readonly request: Readonly<Record<string, unknown>>;
  /** Where the instance sits in the body, for messages: `""` or `instances.3.`. */
  readonly path: string;
}

/** Feature vectors of a request, row-major in the model's input order. */
export interface BuiltVectors {
  readonly rows: Float64Array;
  /** Milliseconds the online lookup took (0 without a feature service). */
  readonly lookupMs: number;
}

/**
 * Turns predict instances into one model's feature vectors: validates entity keys and request
 * fields against the model (missing, extra, wrong-typed → SERVING_INVALID_INPUT naming the
 * field), reads the model's feature service online (on-demand features computed there), and
 * codes categories with the model's own dictionary. A value NOT_FOUND or OUTSIDE_MAX_AGE
 * online is served as missing (NaN) and counted, not refused.
 */
export interface VectorBuilder {
  /** The join keys the model's feature service needs. */
  readonly entityKeys: readonly Field[];
  /**
   * Validates and reads the vectors of `instances`. `stickyField` is a request field the
   * caller may send for traffic assignment alone (the deployment's sticky key): allowed
   * though the model does not take it.
   */
  build(
    instances: readonly PredictInstance[],
    metrics: DeploymentMetrics,
    stickyField?: string,
  ): Promise<BuiltVectors>;
  /** Row `r` of `rows` as the prediction log records it (categories as their text). */
  logged(rows: Float64Array, r: number): Record<string, LoggedFeatureValue>;
}

/** Where one model input comes from. */
type InputSource =
  | { readonly kind: "online"; readonly slot: number }
  | { readonly kind: "request"; readonly name: string };

/**
 * Compiles a model's input plan against its feature service (`manifest.featureService`), or
 * against the request alone when it has none. Throws DEPLOYMENT_INVALID when the service's
 * features do not fit the model's signature (a category served as a number, or the reverse).
 *
 * @example
 * const builder = createVectorBuilder(model, await platform.features());
 * const { rows } = await builder.build([{ entities: { driver_id: 1001 }, request: { bonus: 1 }, path: "" }], metrics);
 */
export function createVectorBuilder(
  model: ServedModel,
  features: FeatureStore | undefined,
): VectorBuilder {
  const inputs = model.manifest.inputs;
  const width = inputs.length;
  const serviceName = model.manifest.featureService;
  let reader: OnlineFeatureReader | undefined;
  let entityKeys: readonly Field[] = [];
  let requestFields: readonly Field[] = [];
  const slotTypes: ValueType[] = [];
  const slotNames: string[] = [];
  if (serviceName !== null) {
    if (features === undefined) {
      throw new PlinthError(
        "FEATURES_NOT_CONFIGURED",
        `Model ${model.name} v${model.version} reads feature service '${serviceName}', but no feature store is configured`,
        { field: "featuresModule" },
      );
    }
    const service = features.definitions.featureServices.get(serviceName);
    if (service === undefined) {
      throw new PlinthError(
        "FEATURES_UNKNOWN_SERVICE",
        `Model ${model.name} v${model.version} reads feature service '${serviceName}', which the features module does not define`,
        { field: "featureService" },
      );
    }
    const plan = planOnlineRead(service);
    reader = features.onlineReader(serviceName);
    entityKeys = plan.keys;
    requestFields = plan.requestFields;
    plan.keys.forEach((k, i) => {
      slotTypes[i] = k.type;
    });
    for (const v of plan.views) for (const f of v.features) slotTypes[f.slot] = f.type;
    for (const t of plan.transforms) for (const o of t.outputs) slotTypes[o.slot] = o.field.type;
    slotNames.push(...reader.featureNames);
  }
  const sources: InputSource[] = inputs.map((input) => {
    const slot = slotNames.indexOf(input.name);
    if (slot < 0) return { kind: "request", name: input.name };
    const served = slotTypes[slot];
    if ((input.type === "category") !== (served === "string")) {
      throw new PlinthError(
        "DEPLOYMENT_INVALID",
        `Model ${model.name} v${model.version} takes '${input.name}' as ${input.type}, but feature service '${serviceName}' serves it as ${served}`,
        { field: "model" },
      );
    }
    return { kind: "online", slot };
  });
  const requestInputs = new Map<string, number>();
  sources.forEach((s, j) => {
    if (s.kind === "request") requestInputs.set(s.name, j);
  });
  const requestFieldNames = new Set(requestFields.map((f) => f.name));
  const keyNames = new Set(entityKeys.map((k) => k.name));

  const check = (
    instance: PredictInstance,
    rows: Float64Array,
    r: number,
    stickyField: string | undefined,
  ): void => {
    const { entities, request, path } = instance;
    for (const key of entityKeys) {
      const value = parseInputValue(
        key.type,
        Object.hasOwn(entities, key.name) ? entities[key.name] : undefined,
      );
      if (value === null)
        throw invalid(
          `${path}entities.${key.name}`,
          `the entity key '${key.name}' (${key.type}) is missing`,
        );
      if (value === INVALID) {
        throw invalid(
          `${path}entities.${key.name}`,
          `'${key.name}' must be ${key.type}, got ${describe(entities[key.name])}`,
        );
      }
    }
    for (const name of Object.keys(entities)) {
      if (!keyNames.has(name))
        throw invalid(
          `${path}entities.${name}`,
          `'${clip(name)}' is not an entity key of this model's features`,
        );
    }
    for (const field of requestFields) {
      const raw = Object.hasOwn(request, field.name) ? request[field.name] : undefined;
      const value = parseInputValue(field.type, raw);
      if (value === null)
        throw invalid(
          `${path}request.${field.name}`,
          `the request field '${field.name}' (${field.type}) is missing`,
        );
      if (value === INVALID)
        throw invalid(
          `${path}request.${field.name}`,
          `'${field.name}' must be ${field.type}, got ${describe(raw)}`,
        );
    }
    for (const j of requestInputs.values()) {
      const input = inputs[j]!;
      const at = `${path}request.${input.name}`;
      if (!Object.hasOwn(request, input.name))
        throw invalid(at, `the model input '${input.name}' is missing`);
      const raw = request[input.name];
      let x = Number.NaN;
      if (input.type === "category") {
        if (typeof raw === "string") x = model.categoryCodes[j]?.get(raw) ?? Number.NaN;
        else if (raw !== null)
          throw invalid(
            at,
            `'${input.name}' is a category: pass a string or null, got ${describe(raw)}`,
          );
      } else if (typeof raw === "number" && Number.isFinite(raw)) x = raw;
      else if (typeof raw === "boolean") x = raw ? 1 : 0;
      else if (raw !== null)
        throw invalid(at, `'${input.name}' must be a finite number or null, got ${describe(raw)}`);
      rows[r * width + j] = x;
    }
    for (const name of Object.keys(request)) {
      if (!requestInputs.has(name) && !requestFieldNames.has(name) && name !== stickyField) {
        throw invalid(
          `${path}request.${name}`,
          `'${clip(name)}' is neither a model input nor a request field of its features`,
        );
      }
    }
  };

  return {
    entityKeys,
    async build(instances, metrics, stickyField) {
      const n = instances.length;
      const rows = new Float64Array(n * width);
      for (let r = 0; r < n; r++) check(instances[r]!, rows, r, stickyField);
      if (reader === undefined) return { rows, lookupMs: 0 };
      const started = performance.now();
      const online = await reader.getMany(
        instances.map((i) => i.entities),
        { requestData: instances.map((i) => i.request) },
      );
      const lookupMs = performance.now() - started;
      metrics.observeFeatureLookup(lookupMs);
      for (let r = 0; r < n; r++) {
        const vector = online.rows[r]!;
        for (let j = 0; j < width; j++) {
          const source = sources[j]!;
          if (source.kind !== "online") continue;
          const status = vector.statuses[source.slot];
          if (status === "NOT_FOUND" || status === "OUTSIDE_MAX_AGE")
            metrics.countMissing(inputs[j]!.name, 1);
          rows[r * width + j] = toNumber(
            vector.values[source.slot] ?? null,
            model.categoryCodes[j],
          );
        }
      }
      return { rows, lookupMs };
    },
    logged(rows, r) {
      const out: Record<string, LoggedFeatureValue> = {};
      for (let j = 0; j < width; j++) {
        const input = inputs[j]!;
        const x = rows[r * width + j]!;
        if (Number.isNaN(x)) out[input.name] = null;
        else out[input.name] = input.type === "category" ? (input.categories[x] ?? null) : x;
      }
      return out;
    },
  };
}

function toNumber(
  value: FeatureValue | null,
  codes: ReadonlyMap<string, number> | undefined,
): number {
  if (value === null) return Number.NaN;
  if (codes !== undefined) return codes.get(String(value)) ?? Number.NaN;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return value.getTime();
  return Number.NaN;
}
