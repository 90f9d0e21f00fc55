import { hashJson } from "../../core/hash.ts";
import type { Entity } from "./entity.ts";
import type { FeatureService } from "./feature-service.ts";
import type { FeatureView } from "./feature-view.ts";
import type { OnDemandFeatureView, RequestSource } from "./on-demand-feature-view.ts";
import type { PushSource } from "./push-source.ts";
import type { DataSource } from "./sources.ts";

/**
 * Content hash of a feature service and everything it reaches: views, entities, sources
 * and on-demand transforms (by their source text, so editing a transform changes the hash
 * while reformatting the module elsewhere does not). Descriptive fields — owner, tags,
 * description — are left out: they do not change a single value of a training set.
 *
 * @example
 * const h = definitionsHash(fraudV1); // 64 hex chars
 */
export function definitionsHash(service: FeatureService): string {
  return hashJson(describeService(service));
}

/** The JSON description definitionsHash hashes; also useful in lineage records. */
export function describeService(service: FeatureService): unknown {
  return {
    service: service.name,
    features: service.features.map((item) => {
      switch (item.kind) {
        case "featureView":
          return { view: describeView(item), features: item.schema.map((f) => f.name) };
        case "featureViewProjection":
          return { view: describeView(item.view), features: item.features };
        default:
          return { onDemand: describeOnDemand(item) };
      }
    }),
  };
}

function describeView(view: FeatureView): unknown {
  return {
    name: view.name,
    entities: view.entities.map(describeEntity),
    schema: view.schema,
    source:
      view.source.kind === "pushSource" ? describePush(view.source) : describeSource(view.source),
    ttlSeconds: view.ttlSeconds,
  };
}

function describeEntity(e: Entity): unknown {
  return { name: e.name, joinKeys: e.joinKeys };
}

function describePush(p: PushSource): unknown {
  return { push: p.name, schema: p.schema, batchSource: describeSource(p.batchSource) };
}

function describeSource(s: DataSource): unknown {
  return {
    name: s.name,
    format: s.format,
    where: s.format === "sql" ? s.query : s.path,
    timestampField: s.timestampField,
    createdTimestampField: s.createdTimestampField ?? null,
  };
}

function describeOnDemand(o: OnDemandFeatureView): unknown {
  return {
    name: o.name,
    schema: o.schema,
    sources: o.sources.map((s) =>
      s.kind === "requestSource"
        ? describeRequest(s)
        : s.kind === "featureView"
          ? { view: describeView(s), features: s.schema.map((f) => f.name) }
          : { view: describeView(s.view), features: s.features },
    ),
    transform: o.transform.toString(),
  };
}

function describeRequest(r: RequestSource): unknown {
  return { request: r.name, schema: r.schema };
}
