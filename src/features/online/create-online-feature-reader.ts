import { PlinthError } from "../../core/errors.ts";
import type { FeatureService } from "../definitions/feature-service.ts";
import type { FeatureColumns, FeatureColumnValues } from "../definitions/on-demand-feature-view.ts";
import { runOnDemandTransform } from "../definitions/run-on-demand-transform.ts";
import { encodeEntityKey } from "./entity-key.ts";
import { type FeatureValue, JS_TYPE_OF } from "./feature-value.ts";
import { type OnlineFeaturePlan, planOnlineRead } from "./online-feature-plan.ts";
import type {
  FeatureStatus,
  OnlineFeatures,
  OnlineFeatureVector,
  OnlineReadOptions,
} from "./online-features.ts";
import type { OnlineReadRequest, OnlineStore } from "./online-store.ts";
import { decodeOnlineValue } from "./online-value-codec.ts";
import { INVALID, parseInputValue } from "./parse-input-value.ts";

/** A feature service compiled for serving: call it per request. */
export interface OnlineFeatureReader {
  /** Join keys, then the service's features, as every vector is aligned. */
  readonly featureNames: readonly string[];
  /** One entity's features: one round trip to the store for all views. */
  get(
    entityRow: Readonly<Record<string, unknown>>,
    options?: OnlineReadOptions,
  ): Promise<OnlineFeatureVector>;
  /** Many entities' features: one round trip, and one call of each on-demand transform. */
  getMany(
    entityRows: readonly Readonly<Record<string, unknown>>[],
    options?: OnlineReadOptions,
  ): Promise<OnlineFeatures>;
}

type Row = Readonly<Record<string, unknown>>;

/**
 * Compiles `service` once and reads it online (Feast's get_online_features): values with
 * a status per value and event times; ttl enforced against `now`; on-demand features
 * computed in the same call by `runOnDemandTransform`, the code the offline path runs.
 *
 * Bad entity rows throw before the store is asked: FEATURES_INVALID_ENTITY_INPUT for a
 * missing join key or request field, FEATURES_KEY_TYPE_MISMATCH for a key of the wrong type.
 *
 * @example
 * const reader = createOnlineFeatureReader(fraudV1, online);
 * const v = await reader.get({ card_id: 7 }, { requestData: [{ amount: 240 }] });
 * v.values[reader.featureNames.indexOf("ratio")];
 */
export function createOnlineFeatureReader(
  service: FeatureService,
  store: OnlineStore,
  options: { fullFeatureNames?: boolean } = {},
): OnlineFeatureReader {
  const plan = planOnlineRead(service, options);
  const width = plan.featureNames.length;
  const read = async (
    rows: readonly Row[],
    opts: OnlineReadOptions,
  ): Promise<OnlineFeatureVector[]> => {
    const n = rows.length;
    const request = opts.requestData;
    if (request !== undefined && (!Array.isArray(request) || request.length !== n)) {
      throw new PlinthError(
        "FEATURES_INVALID_ENTITY_INPUT",
        `requestData must hold one object per entity row (${n}), got ${Array.isArray(request) ? request.length : typeof request}`,
        { field: "requestData" },
      );
    }
    const nowMicros = (opts.now === undefined ? Date.now() : opts.now.getTime()) * 1000;
    const vectors: OnlineFeatureVector[] = new Array(n);
    const keyValues: (FeatureValue | null)[][] = new Array(n);
    for (let r = 0; r < n; r++) {
      const values: (FeatureValue | null)[] = new Array(plan.slotCount).fill(null);
      const statuses: FeatureStatus[] = new Array(plan.slotCount).fill("NOT_FOUND");
      const times: (Date | null)[] = new Array(plan.slotCount).fill(null);
      keyValues[r] = readKeys(plan, rows[r], r, values, statuses);
      vectors[r] = { values, statuses, eventTimestamps: times };
    }
    const requests: OnlineReadRequest[] = plan.views.map((view) => ({
      view: view.name,
      entityKeys: keyValues.map((k) =>
        encodeEntityKey(
          view.keyTypes,
          view.keyIndexes.map((i) => k[i]!),
        ),
      ),
    }));
    const found = await store.read(requests);
    plan.views.forEach((view, v) => {
      const records = found[v]!;
      for (let r = 0; r < n; r++) {
        const record = records[r];
        if (record === undefined) continue;
        const { values, statuses, eventTimestamps } = vectors[r]!;
        const at = new Date(Math.trunc(record.eventMicros / 1000));
        const expired = view.ttlMicros > 0 && record.eventMicros < nowMicros - view.ttlMicros;
        for (const f of view.features) {
          eventTimestamps[f.slot] = at;
          const stored = record.values[f.name];
          if (stored === undefined) continue;
          if (expired) {
            statuses[f.slot] = "OUTSIDE_MAX_AGE";
            continue;
          }
          const value = decodeOnlineValue(f.type, stored);
          values[f.slot] = value;
          statuses[f.slot] = value === null ? "NULL_VALUE" : "PRESENT";
        }
      }
    });
    for (const t of plan.transforms) {
      const inputs: FeatureColumns = {};
      for (const input of t.inputs) {
        inputs[input.field.name] = inputColumn(plan, input, vectors, rows, request, n);
      }
      const outputs = runOnDemandTransform(t.odfv, inputs, n);
      for (const o of t.outputs) {
        const column = outputs[o.field.name]!;
        for (let r = 0; r < n; r++) {
          const v = column[r];
          const value = v === undefined || (typeof v === "number" && Number.isNaN(v)) ? null : v;
          vectors[r]!.values[o.slot] = value;
          vectors[r]!.statuses[o.slot] = value === null ? "NULL_VALUE" : "PRESENT";
        }
      }
    }
    if (plan.slotCount > width) {
      for (const v of vectors) {
        v.values.length = width;
        v.statuses.length = width;
        v.eventTimestamps.length = width;
      }
    }
    return vectors;
  };
  return {
    featureNames: plan.featureNames,
    async get(entityRow, opts = {}) {
      return (await read([entityRow], opts))[0]!;
    },
    async getMany(entityRows, opts = {}) {
      if (!Array.isArray(entityRows)) {
        throw new PlinthError(
          "FEATURES_INVALID_ENTITY_INPUT",
          "entityRows must be an array of objects",
          {
            field: "entityRows",
          },
        );
      }
      return { featureNames: plan.featureNames, rows: await read(entityRows, opts) };
    },
  };
}

/** Parses a row's join keys into slots 0..k-1 and returns them. */
function readKeys(
  plan: OnlineFeaturePlan,
  row: unknown,
  r: number,
  values: (FeatureValue | null)[],
  statuses: FeatureStatus[],
): (FeatureValue | null)[] {
  if (row === null || typeof row !== "object" || Array.isArray(row)) {
    throw new PlinthError(
      "FEATURES_INVALID_ENTITY_INPUT",
      `Entity row ${r} must be an object of join keys, got ${Array.isArray(row) ? "an array" : typeof row}`,
      { field: `entityRows[${r}]` },
    );
  }
  const keys = plan.keys;
  const out: (FeatureValue | null)[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const raw = Object.hasOwn(row, key.name) ? (row as Row)[key.name] : undefined;
    const value = parseInputValue(key.type, raw);
    if (value === null) {
      throw new PlinthError(
        "FEATURES_INVALID_ENTITY_INPUT",
        `Entity row ${r} lacks join key '${key.name}' (of ${plan.keyOwners[i]})`,
        { field: key.name },
      );
    }
    if (value === INVALID) {
      throw new PlinthError(
        "FEATURES_KEY_TYPE_MISMATCH",
        `Join key '${key.name}' of entity row ${r} is ${describe(raw)}; ${plan.keyOwners[i]} declares ${key.type}, so pass ${JS_TYPE_OF[key.type]}`,
        { field: key.name },
      );
    }
    out[i] = value;
    values[i] = value;
    statuses[i] = "PRESENT";
  }
  return out;
}

function inputColumn(
  plan: OnlineFeaturePlan,
  input: OnlineFeaturePlan["transforms"][number]["inputs"][number],
  vectors: readonly OnlineFeatureVector[],
  rows: readonly Row[],
  request: readonly Row[] | undefined,
  n: number,
): FeatureColumnValues {
  const type = input.field.type;
  const column: unknown[] | Float64Array = type === "float64" ? new Float64Array(n) : new Array(n);
  for (let r = 0; r < n; r++) {
    let value: FeatureValue | null;
    if (input.request < 0) value = vectors[r]!.values[input.slot]!;
    else value = requestValue(plan, input.request, rows[r]!, request?.[r], r);
    if (column instanceof Float64Array) column[r] = value === null ? Number.NaN : (value as number);
    else column[r] = value;
  }
  return column as FeatureColumnValues;
}

function requestValue(
  plan: OnlineFeaturePlan,
  index: number,
  row: Row,
  extra: Row | undefined,
  r: number,
): FeatureValue | null {
  const field = plan.requestFields[index]!;
  if (extra !== undefined && (extra === null || typeof extra !== "object")) {
    throw new PlinthError(
      "FEATURES_INVALID_ENTITY_INPUT",
      `requestData[${r}] must be an object of request fields, got ${extra === null ? "null" : typeof extra}`,
      { field: `requestData[${r}]` },
    );
  }
  const source = extra !== undefined && Object.hasOwn(extra, field.name) ? extra : row;
  if (!Object.hasOwn(source, field.name)) {
    throw new PlinthError(
      "FEATURES_INVALID_ENTITY_INPUT",
      `Entity row ${r} lacks request field '${field.name}' (give it in the row or in requestData)`,
      { field: field.name },
    );
  }
  const raw = source[field.name];
  const value = parseInputValue(field.type, raw);
  if (value === INVALID) {
    throw new PlinthError(
      "FEATURES_INVALID_ENTITY_INPUT",
      `Request field '${field.name}' of entity row ${r} is ${describe(raw)}; it is declared ${field.type}, so pass ${JS_TYPE_OF[field.type]}`,
      { field: field.name },
    );
  }
  return value;
}

function describe(raw: unknown): string {
  if (typeof raw === "string") return `the string ${JSON.stringify(raw.slice(0, 40))}`;
  if (typeof raw === "number" || typeof raw === "boolean" || typeof raw === "bigint")
    return `${typeof raw} ${String(raw)}`;
  return Array.isArray(raw) ? "an array" : typeof raw;
}
