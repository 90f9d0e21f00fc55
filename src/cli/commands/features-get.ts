import { invalidArgument } from "../../core/errors.ts";
import type { FeatureDefinitions } from "../../features/definitions/feature-definitions.ts";
import type { ValueType } from "../../features/definitions/value-type.ts";
import { featureValueToJson } from "../../features/online/feature-value-to-json.ts";
import type { OnlineFeatures } from "../../features/online/online-features.ts";
import { emit } from "../output.ts";
import { renderTable } from "../table.ts";
import type { FeaturesVerb } from "./features.ts";
import { withFeatureStore } from "./with-feature-store.ts";

/** `plinth features get`: read online features for entities, as a model server would. */
export const featuresGetVerb: FeaturesVerb = {
  usage: `plinth features get (--service S | --features view:feature,...) --entity KEY=VALUE...
                    [--request FIELD=VALUE...] [--full-names] [--module features.ts] [--json]

get          reads the features of one or more entities from the online store, with a status per
             value (PRESENT, NULL_VALUE, NOT_FOUND, OUTSIDE_MAX_AGE). --entity flags make one
             entity row (several for a composite key); repeating a key starts the next row, so
             --entity driver_id=1 --entity driver_id=2 reads two drivers. --request gives request
             fields of on-demand views the same way (one row applies to every entity).`,
  options: {
    service: { type: "string" },
    features: { type: "string" },
    entity: { type: "string", multiple: true },
    request: { type: "string", multiple: true },
    "full-names": { type: "boolean", default: false },
    module: { type: "string" },
  },
  async run(positionals, values, io) {
    if (positionals.length > 0)
      throw invalidArgument("get", `unexpected argument '${positionals[0]}'`);
    const service = typeof values.service === "string" ? values.service : undefined;
    const refs =
      typeof values.features === "string"
        ? values.features.split(",").filter((r) => r !== "")
        : undefined;
    if ((service === undefined) === (refs === undefined || refs.length === 0)) {
      throw invalidArgument(
        "service",
        "give exactly one of --service S or --features view:feature,...",
      );
    }
    const entityFlags = values.entity as unknown as string[] | undefined;
    if (entityFlags === undefined || entityFlags.length === 0) {
      throw invalidArgument(
        "entity",
        "is required: --entity KEY=VALUE, e.g. --entity driver_id=1001",
      );
    }
    const result = await withFeatureStore(values, async (store) => {
      const types = fieldTypes(store.definitions);
      const entityRows = groupRows(entityFlags, "entity", types);
      const requestRows = groupRows(
        (values.request as unknown as string[] | undefined) ?? [],
        "request",
        types,
      );
      if (requestRows.length > 1 && requestRows.length !== entityRows.length) {
        throw invalidArgument(
          "request",
          `gives ${requestRows.length} rows for ${entityRows.length} entities; give one, or one per entity`,
        );
      }
      return store.getOnlineFeatures({
        features: service ?? refs!,
        entityRows,
        ...(requestRows.length === 0
          ? {}
          : {
              requestData: entityRows.map((_, i) => requestRows[requestRows.length === 1 ? 0 : i]!),
            }),
        fullFeatureNames: values["full-names"] === true,
      });
    });
    emit(io, onlineJson(result), () => renderOnline(result));
    return 0;
  },
};

/** Declared types of every join key and request field, to read flag text as values. */
function fieldTypes(defs: FeatureDefinitions): Map<string, ValueType> {
  const types = new Map<string, ValueType>();
  for (const e of defs.entities.values()) for (const k of e.joinKeys) types.set(k.name, k.type);
  for (const o of defs.onDemandFeatureViews.values()) {
    for (const s of o.sources)
      if (s.kind === "requestSource") for (const f of s.schema) types.set(f.name, f.type);
  }
  return types;
}

/** `KEY=VALUE` flags into rows; a repeated key starts a new row. */
function groupRows(
  flags: readonly string[],
  flag: string,
  types: Map<string, ValueType>,
): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  let row: Record<string, unknown> | undefined;
  for (const text of flags) {
    const eq = text.indexOf("=");
    if (eq <= 0) throw invalidArgument(flag, `expected KEY=VALUE, got '${text}'`);
    const key = text.slice(0, eq);
    if (row === undefined || Object.hasOwn(row, key)) {
      row = {};
      rows.push(row);
    }
    row[key] = fromText(text.slice(eq + 1), types.get(key));
  }
  return rows;
}

/** Flag text as the declared type; the reader checks it and names the field when it does not fit. */
function fromText(text: string, type: ValueType | undefined): unknown {
  if (type === "float64")
    return /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : text;
  if (type === "bool") return text === "true" ? true : text === "false" ? false : text;
  return text;
}

function onlineJson(result: OnlineFeatures) {
  return {
    feature_names: result.featureNames,
    rows: result.rows.map((row) => ({
      values: row.values.map(featureValueToJson),
      statuses: row.statuses,
      event_timestamps: row.eventTimestamps.map((t) => t?.toISOString() ?? null),
    })),
  };
}

function renderOnline(result: OnlineFeatures): string {
  return result.rows
    .map((row) =>
      renderTable(
        ["feature", "value", "status", "event time"],
        result.featureNames.map((name, i) => [
          name,
          JSON.stringify(featureValueToJson(row.values[i] ?? null)),
          row.statuses[i]!,
          row.eventTimestamps[i]?.toISOString() ?? "",
        ]),
      ),
    )
    .join("\n\n");
}
