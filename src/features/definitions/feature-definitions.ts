import { PlinthError } from "../../core/errors.ts";
import type { Entity } from "./entity.ts";
import type { FeatureService } from "./feature-service.ts";
import type { FeatureView } from "./feature-view.ts";
import type { OnDemandFeatureView, RequestSource } from "./on-demand-feature-view.ts";
import type { PushSource } from "./push-source.ts";
import type { DataSource } from "./sources.ts";

/** Every definition object plinth recognises in a features module. */
export type FeatureDefinition =
  | Entity
  | DataSource
  | PushSource
  | RequestSource
  | FeatureView
  | OnDemandFeatureView
  | FeatureService;

/** A validated, cross-checked set of feature definitions: the input to plan/apply and retrieval. */
export interface FeatureDefinitions {
  /** Relative file-source paths resolve against this directory (the features module's). */
  readonly baseDir: string;
  readonly entities: ReadonlyMap<string, Entity>;
  readonly featureViews: ReadonlyMap<string, FeatureView>;
  readonly onDemandFeatureViews: ReadonlyMap<string, OnDemandFeatureView>;
  readonly featureServices: ReadonlyMap<string, FeatureService>;
  readonly pushSources: ReadonlyMap<string, PushSource>;
  /** Sources by name: those exported directly and those reachable from views. */
  readonly sources: ReadonlyMap<string, DataSource>;
}

const KINDS = new Set([
  "entity",
  "source",
  "pushSource",
  "requestSource",
  "featureView",
  "featureViewProjection",
  "onDemandFeatureView",
  "featureService",
]);

/** True when `value` is an object made by one of the definition factories. */
export function isFeatureDefinition(value: unknown): value is FeatureDefinition {
  return (
    value !== null &&
    typeof value === "object" &&
    KINDS.has((value as { kind?: unknown }).kind as string) &&
    (value as { kind: string }).kind !== "featureViewProjection"
  );
}

/**
 * Collects definitions into one registry and checks the references between them: names
 * are unique per kind (a view and an on-demand view may not share one either, since
 * features are addressed as `view:feature`), every entity a view names is defined, and
 * every view a service or on-demand view uses is defined with the same object.
 *
 * @example
 * const defs = defineFeatures([driver, trips, driverStats, fraudV1], { baseDir: "." });
 */
export function defineFeatures(
  objects: readonly unknown[],
  options: { baseDir?: string } = {},
): FeatureDefinitions {
  const entities = new Map<string, Entity>();
  const views = new Map<string, FeatureView>();
  const odfvs = new Map<string, OnDemandFeatureView>();
  const services = new Map<string, FeatureService>();
  const pushSources = new Map<string, PushSource>();
  const sources = new Map<string, DataSource>();
  const put = <T extends { name: string }>(map: Map<string, T>, value: T, what: string): void => {
    const existing = map.get(value.name);
    if (existing !== undefined && existing !== value) {
      throw new PlinthError(
        "FEATURES_INVALID_DEFINITION",
        `Two different ${what}s are named '${value.name}'`,
        { field: value.name },
      );
    }
    map.set(value.name, value);
  };
  for (const o of objects) {
    if (!isFeatureDefinition(o)) continue;
    switch (o.kind) {
      case "entity":
        put(entities, o, "entity");
        break;
      case "source":
        put(sources, o, "source");
        break;
      case "pushSource":
        put(pushSources, o, "push source");
        put(sources, o.batchSource, "source");
        break;
      case "featureView":
        put(views, o, "feature view");
        if (o.source.kind === "pushSource") {
          put(pushSources, o.source, "push source");
          put(sources, o.source.batchSource, "source");
        } else put(sources, o.source, "source");
        break;
      case "onDemandFeatureView":
        put(odfvs, o, "on-demand feature view");
        break;
      case "featureService":
        put(services, o, "feature service");
        break;
      case "requestSource":
        break;
    }
  }
  for (const name of odfvs.keys()) {
    if (views.has(name)) {
      throw new PlinthError(
        "FEATURES_INVALID_DEFINITION",
        `A feature view and an on-demand feature view are both named '${name}'`,
        { field: name },
      );
    }
  }
  for (const view of views.values()) {
    for (const e of view.entities) {
      if (entities.get(e.name) !== e) {
        throw new PlinthError(
          "FEATURES_UNKNOWN_ENTITY",
          `Feature view '${view.name}' uses entity '${e.name}', which is not among the definitions`,
          { field: e.name },
        );
      }
    }
  }
  const requireView = (view: FeatureView, user: string): void => {
    if (views.get(view.name) !== view) {
      throw new PlinthError(
        "FEATURES_UNKNOWN_VIEW",
        `${user} uses feature view '${view.name}', which is not among the definitions`,
        { field: view.name },
      );
    }
  };
  for (const odfv of odfvs.values()) {
    for (const s of odfv.sources) {
      if (s.kind === "featureView") requireView(s, `On-demand feature view '${odfv.name}'`);
      if (s.kind === "featureViewProjection")
        requireView(s.view, `On-demand feature view '${odfv.name}'`);
    }
  }
  for (const service of services.values()) {
    for (const item of service.features) {
      const who = `Feature service '${service.name}'`;
      if (item.kind === "featureView") requireView(item, who);
      else if (item.kind === "featureViewProjection") requireView(item.view, who);
      else if (odfvs.get(item.name) !== item) {
        throw new PlinthError(
          "FEATURES_UNKNOWN_VIEW",
          `${who} uses on-demand feature view '${item.name}', which is not among the definitions`,
          { field: item.name },
        );
      }
    }
  }
  return Object.freeze({
    baseDir: options.baseDir ?? process.cwd(),
    entities,
    featureViews: views,
    onDemandFeatureViews: odfvs,
    featureServices: services,
    pushSources,
    sources,
  });
}
