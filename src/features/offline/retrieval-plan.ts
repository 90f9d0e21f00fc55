import { PlinthError } from "../../core/errors.ts";
import type { FeatureService } from "../definitions/feature-service.ts";
import type { FeatureView } from "../definitions/feature-view.ts";
import type { OnDemandFeatureView } from "../definitions/on-demand-feature-view.ts";
import type { Field } from "../definitions/value-type.ts";

/** One feature view to join: the features read from it, each under an internal column name. */
export interface PlannedView {
  readonly view: FeatureView;
  /** Features to read, with the internal column (`__f<n>`) each lands in. */
  readonly features: readonly { readonly field: Field; readonly column: string }[];
}

/** One on-demand view to run after the join. */
export interface PlannedOnDemand {
  readonly odfv: OnDemandFeatureView;
  /** Transform inputs by bare name: an internal feature column, or an entity input column. */
  readonly inputs: readonly {
    readonly field: Field;
    readonly column: string;
    readonly request: boolean;
  }[];
  /** Outputs, each under an internal column name. */
  readonly outputs: readonly { readonly field: Field; readonly column: string }[];
}

/** A feature service turned into joins, transforms and the named output columns. */
export interface RetrievalPlan {
  readonly service: FeatureService;
  readonly views: readonly PlannedView[];
  readonly onDemand: readonly PlannedOnDemand[];
  /** The requested features in service order: output name, type, internal column. */
  readonly outputs: readonly {
    readonly name: string;
    readonly type: Field["type"];
    readonly column: string;
  }[];
}

/**
 * Plans a retrieval. Features that only feed an on-demand view are joined under internal
 * names and never reach the output. Throws FEATURES_NAME_COLLISION when two outputs would
 * share a name (suggesting fullFeatureNames), as Feast does.
 *
 * @example
 * const plan = planRetrieval(fraudV1, { fullFeatureNames: true });
 */
export function planRetrieval(
  service: FeatureService,
  options: { fullFeatureNames?: boolean } = {},
): RetrievalPlan {
  const full = options.fullFeatureNames === true;
  const views = new Map<string, { view: FeatureView; features: Map<string, string> }>();
  let next = 0;
  const columnOf = (view: FeatureView, feature: string): string => {
    let entry = views.get(view.name);
    if (entry === undefined) {
      entry = { view, features: new Map() };
      views.set(view.name, entry);
    }
    let column = entry.features.get(feature);
    if (column === undefined) {
      if (!view.schema.some((f) => f.name === feature)) {
        throw new PlinthError(
          "FEATURES_UNKNOWN_FEATURE",
          `Feature view '${view.name}' has no feature '${feature}'`,
          { field: `${view.name}:${feature}` },
        );
      }
      column = `__f${next++}`;
      entry.features.set(feature, column);
    }
    return column;
  };
  const outputs: { name: string; type: Field["type"]; column: string }[] = [];
  const onDemand: PlannedOnDemand[] = [];
  const addOutput = (owner: string, field: Field, column: string): void => {
    const name = full ? `${owner}__${field.name}` : field.name;
    const clash = outputs.find((o) => o.name === name);
    if (clash !== undefined) {
      throw new PlinthError(
        "FEATURES_NAME_COLLISION",
        `Feature service '${service.name}' yields two columns named '${name}'${full ? "" : "; set fullFeatureNames to name them view__feature"}`,
        { field: name },
      );
    }
    outputs.push({ name, type: field.type, column });
  };
  for (const item of service.features) {
    if (item.kind === "onDemandFeatureView") {
      const planned = planOnDemand(item, columnOf, () => `__f${next++}`);
      onDemand.push(planned);
      for (const o of planned.outputs) addOutput(item.name, o.field, o.column);
      continue;
    }
    const view = item.kind === "featureView" ? item : item.view;
    const names = item.kind === "featureView" ? item.schema.map((f) => f.name) : item.features;
    for (const name of names) {
      const field = view.schema.find((f) => f.name === name);
      if (field === undefined) {
        throw new PlinthError(
          "FEATURES_UNKNOWN_FEATURE",
          `Feature view '${view.name}' has no feature '${name}'`,
          { field: `${view.name}:${name}` },
        );
      }
      addOutput(view.name, field, columnOf(view, name));
    }
  }
  return Object.freeze({
    service,
    views: [...views.values()].map(({ view, features }) => ({
      view,
      features: [...features].map(([name, column]) => ({
        field: view.schema.find((f) => f.name === name)!,
        column,
      })),
    })),
    onDemand,
    outputs,
  });
}

function planOnDemand(
  odfv: OnDemandFeatureView,
  columnOf: (view: FeatureView, feature: string) => string,
  newColumn: () => string,
): PlannedOnDemand {
  const inputs: { field: Field; column: string; request: boolean }[] = [];
  for (const s of odfv.sources) {
    if (s.kind === "requestSource") {
      for (const f of s.schema) inputs.push({ field: f, column: f.name, request: true });
      continue;
    }
    const view = s.kind === "featureView" ? s : s.view;
    const names = s.kind === "featureView" ? s.schema.map((f) => f.name) : s.features;
    for (const name of names) {
      const column = columnOf(view, name);
      inputs.push({ field: view.schema.find((f) => f.name === name)!, column, request: false });
    }
  }
  return {
    odfv,
    inputs,
    outputs: odfv.schema.map((field) => ({ field, column: newColumn() })),
  };
}
