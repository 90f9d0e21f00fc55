import { PlinthError } from "../../core/errors.ts";
import { assertIdentifier } from "./assert-identifier.ts";
import type { Entity } from "./entity.ts";
import type { PushSource } from "./push-source.ts";
import type { DataSource } from "./sources.ts";
import { validateFields } from "./validate-fields.ts";
import type { Field } from "./value-type.ts";

/** A subset of a feature view's features, as a feature service or on-demand view uses them. */
export interface FeatureViewProjection {
  readonly kind: "featureViewProjection";
  readonly view: FeatureView;
  readonly features: readonly string[];
}

/** Typed features of some entities, read from one source, valid for `ttlSeconds` after their event time. */
export interface FeatureView {
  readonly kind: "featureView";
  readonly name: string;
  readonly entities: readonly Entity[];
  /** Feature columns (not keys or timestamps). */
  readonly schema: readonly Field[];
  readonly source: DataSource | PushSource;
  /** How long a value stays valid after its event time; 0 means forever. */
  readonly ttlSeconds: number;
  readonly online: boolean;
  readonly offline: boolean;
  readonly owner: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly description: string;
  /** Selects some features, e.g. for a feature service; unknown names throw FEATURES_UNKNOWN_FEATURE. */
  select(features: readonly string[]): FeatureViewProjection;
}

/**
 * Defines a feature view. A feature named like a join key or the source's timestamps is
 * refused, because the offline join would otherwise return two columns of one name.
 *
 * @example
 * export const driverStats = featureView({
 *   name: "driver_stats",
 *   entities: [driver],
 *   schema: [{ name: "trips_today", type: "int64" }, { name: "rating", type: "float64" }],
 *   source: trips,
 *   ttlSeconds: 86_400,
 *   owner: "ml@acme.test",
 * });
 */
export function featureView(spec: {
  name: string;
  entities: readonly Entity[];
  schema: readonly Field[];
  source: DataSource | PushSource;
  ttlSeconds?: number;
  online?: boolean;
  offline?: boolean;
  owner?: string;
  tags?: Record<string, string>;
  description?: string;
}): FeatureView {
  assertIdentifier(spec.name, "feature view");
  const what = `feature view '${spec.name}'`;
  if (!Array.isArray(spec.entities) || spec.entities.some((e) => e?.kind !== "entity")) {
    throw invalid(`The ${what} needs a list of entities made by entity()`, "entities");
  }
  if (spec.source?.kind !== "source" && spec.source?.kind !== "pushSource") {
    throw invalid(
      `The ${what} needs a source made by parquetSource, csvSource, sqlSource or pushSource`,
      "source",
    );
  }
  const ttl = spec.ttlSeconds ?? 0;
  if (typeof ttl !== "number" || !Number.isFinite(ttl) || ttl < 0) {
    throw invalid(
      `The ${what} has ttlSeconds ${String(ttl)}; use a number >= 0 (0 = no limit)`,
      "ttlSeconds",
    );
  }
  const schema = validateFields(spec.schema, what);
  const batch = spec.source.kind === "pushSource" ? spec.source.batchSource : spec.source;
  const reserved = new Map<string, string>();
  for (const e of spec.entities)
    for (const k of e.joinKeys) reserved.set(k.name, `a join key of entity '${e.name}'`);
  reserved.set(batch.timestampField, "the source's timestamp field");
  if (batch.createdTimestampField !== undefined) {
    reserved.set(batch.createdTimestampField, "the source's created timestamp field");
  }
  for (const f of schema) {
    const clash = reserved.get(f.name);
    if (clash !== undefined)
      throw invalid(`Feature '${f.name}' of the ${what} is also ${clash}`, f.name);
  }
  const view: FeatureView = Object.freeze({
    kind: "featureView",
    name: spec.name,
    entities: Object.freeze([...spec.entities]),
    schema,
    source: spec.source,
    ttlSeconds: ttl,
    online: spec.online ?? true,
    offline: spec.offline ?? true,
    owner: spec.owner ?? "",
    tags: Object.freeze({ ...spec.tags }),
    description: spec.description ?? "",
    select(features: readonly string[]): FeatureViewProjection {
      for (const name of features) {
        if (!schema.some((f) => f.name === name)) {
          throw new PlinthError(
            "FEATURES_UNKNOWN_FEATURE",
            `Feature view '${spec.name}' has no feature '${name}'; it has ${schema.map((f) => `'${f.name}'`).join(", ")}`,
            { field: name },
          );
        }
      }
      return Object.freeze({
        kind: "featureViewProjection",
        view,
        features: Object.freeze([...features]),
      });
    },
  });
  return view;
}

function invalid(message: string, field: string): PlinthError {
  return new PlinthError("FEATURES_INVALID_DEFINITION", message, { field });
}
