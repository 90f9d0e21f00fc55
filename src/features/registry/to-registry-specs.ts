import { hashJson, sha256Hex } from "../../core/hash.ts";
import type { Entity } from "../definitions/entity.ts";
import type { FeatureDefinitions } from "../definitions/feature-definitions.ts";
import type { FeatureService } from "../definitions/feature-service.ts";
import type { FeatureView } from "../definitions/feature-view.ts";
import type { OnDemandFeatureView } from "../definitions/on-demand-feature-view.ts";
import type { PushSource } from "../definitions/push-source.ts";
import type { DataSource } from "../definitions/sources.ts";
import type { Field, ValueType } from "../definitions/value-type.ts";
import type {
  EntitySpec,
  FeatureServiceSpec,
  FeatureViewSpec,
  OnDemandFeatureViewSpec,
  PushSourceSpec,
  RegistrySpecs,
  SourceSpec,
} from "./registry-spec.ts";

/**
 * The registry specs of a set of definitions: plain JSON, so they can be stored, diffed
 * field by field and hashed. Object references become names, and an on-demand transform
 * becomes the sha256 of its source text, so editing the transform shows as a change.
 *
 * @example
 * const specs = toRegistrySpecs(await loadFeatureDefinitions("features.ts"));
 * specs.featureView.get("driver_stats")?.features; // { rating: "float64" }
 */
export function toRegistrySpecs(definitions: FeatureDefinitions): RegistrySpecs {
  const map = <T, S>(items: ReadonlyMap<string, T>, spec: (item: T) => S) =>
    new Map([...items].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, item]) => [n, spec(item)]));
  return {
    entity: map(definitions.entities, entitySpec),
    pushSource: map(definitions.pushSources, pushSourceSpec),
    featureView: map(definitions.featureViews, featureViewSpec),
    onDemandFeatureView: map(definitions.onDemandFeatureViews, onDemandFeatureViewSpec),
    featureService: map(definitions.featureServices, featureServiceSpec),
  };
}

/** The spec hash of a feature view or on-demand view, as lineage records it. */
export function viewSpecHash(view: FeatureView | OnDemandFeatureView): string {
  return hashJson(
    view.kind === "featureView" ? featureViewSpec(view) : onDemandFeatureViewSpec(view),
  );
}

function entitySpec(e: Entity): EntitySpec {
  return { joinKeys: e.joinKeys.map(keyOf), description: e.description, tags: { ...e.tags } };
}

function sourceSpec(s: DataSource): SourceSpec {
  return {
    name: s.name,
    format: s.format,
    location: s.format === "sql" ? s.query : s.path,
    timestampField: s.timestampField,
    createdTimestampField: s.createdTimestampField ?? null,
  };
}

function pushSourceSpec(p: PushSource): PushSourceSpec {
  return {
    schema: types(p.schema),
    batchSource: sourceSpec(p.batchSource),
    description: p.description,
  };
}

function featureViewSpec(v: FeatureView): FeatureViewSpec {
  return {
    entities: v.entities.map((e) => e.name),
    joinKeys: v.entities.flatMap((e) => e.joinKeys.map(keyOf)),
    features: types(v.schema),
    source: v.source.kind === "pushSource" ? { pushSource: v.source.name } : sourceSpec(v.source),
    ttlSeconds: v.ttlSeconds,
    online: v.online,
    offline: v.offline,
    owner: v.owner,
    tags: { ...v.tags },
    description: v.description,
  };
}

function onDemandFeatureViewSpec(o: OnDemandFeatureView): OnDemandFeatureViewSpec {
  const viewInputs: Record<string, ValueType> = {};
  const requestInputs: Record<string, ValueType> = {};
  for (const s of o.sources) {
    if (s.kind === "requestSource") {
      for (const f of s.schema) requestInputs[`${s.name}:${f.name}`] = f.type;
      continue;
    }
    const view = s.kind === "featureView" ? s : s.view;
    const names = s.kind === "featureView" ? s.schema.map((f) => f.name) : s.features;
    for (const n of names) viewInputs[`${view.name}:${n}`] = typeOf(view.schema, n);
  }
  return {
    viewInputs,
    requestInputs,
    features: types(o.schema),
    transformHash: sha256Hex(o.transform.toString()),
    owner: o.owner,
    tags: { ...o.tags },
    description: o.description,
  };
}

function featureServiceSpec(s: FeatureService): FeatureServiceSpec {
  const features: Record<string, ValueType> = {};
  for (const item of s.features) {
    if (item.kind === "onDemandFeatureView") {
      for (const f of item.schema) features[`${item.name}:${f.name}`] = f.type;
    } else if (item.kind === "featureView") {
      for (const f of item.schema) features[`${item.name}:${f.name}`] = f.type;
    } else {
      for (const n of item.features)
        features[`${item.view.name}:${n}`] = typeOf(item.view.schema, n);
    }
  }
  return { features, owner: s.owner, tags: { ...s.tags }, description: s.description };
}

function keyOf(f: Field): string {
  return `${f.name}:${f.type}`;
}

function types(fields: readonly Field[]): Record<string, ValueType> {
  return Object.fromEntries(fields.map((f) => [f.name, f.type]));
}

function typeOf(schema: readonly Field[], name: string): ValueType {
  const field = schema.find((f) => f.name === name);
  // Projections are checked when made (FeatureView.select), so this is a bug, not input.
  if (field === undefined) throw new Error(`feature '${name}' missing from its view's schema`);
  return field.type;
}
