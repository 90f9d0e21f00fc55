import { PlinthError } from "../../core/errors.ts";
import type { FeatureService } from "../definitions/feature-service.ts";
import type { OnDemandFeatureView } from "../definitions/on-demand-feature-view.ts";
import type { Field, ValueType } from "../definitions/value-type.ts";
import { planRetrieval } from "../offline/retrieval-plan.ts";

/** One view to read: which join keys make its entity key, and where each feature lands. */
export interface PlannedOnlineView {
  readonly name: string;
  /** Indexes into OnlineFeaturePlan.keys, in the view's join-key order. */
  readonly keyIndexes: readonly number[];
  readonly keyTypes: readonly ValueType[];
  /** The view's ttl in microseconds; 0 = no limit. */
  readonly ttlMicros: number;
  readonly features: readonly {
    readonly name: string;
    readonly type: ValueType;
    readonly slot: number;
  }[];
}

/** One on-demand view to compute from slots and request fields. */
export interface PlannedOnlineTransform {
  readonly odfv: OnDemandFeatureView;
  /** Inputs by bare name: a slot, or an index into OnlineFeaturePlan.requestFields. */
  readonly inputs: readonly {
    readonly field: Field;
    readonly slot: number;
    readonly request: number;
  }[];
  readonly outputs: readonly { readonly field: Field; readonly slot: number }[];
}

/**
 * A feature service compiled once for online reads. Every value of a call lands in a slot:
 * join keys first, then the outputs in order (so the first `featureNames.length` slots
 * are the answer), then features that only feed an on-demand view.
 */
export interface OnlineFeaturePlan {
  readonly featureNames: readonly string[];
  /** Distinct join keys across the views, in first-use order. */
  readonly keys: readonly Field[];
  /** For each key, the entity and view that need it (for messages). */
  readonly keyOwners: readonly string[];
  readonly requestFields: readonly Field[];
  readonly views: readonly PlannedOnlineView[];
  readonly transforms: readonly PlannedOnlineTransform[];
  readonly slotCount: number;
}

/**
 * Compiles a feature service for online reads, with the offline path's planner, so output
 * names, name collisions and the features an on-demand view reads are the same on both
 * paths. Throws FEATURES_VIEW_NOT_ONLINE for a view defined with `online: false`.
 *
 * @example
 * const plan = planOnlineRead(fraudV1, { fullFeatureNames: false });
 */
export function planOnlineRead(
  service: FeatureService,
  options: { fullFeatureNames?: boolean } = {},
): OnlineFeaturePlan {
  const retrieval = planRetrieval(service, options);
  const keys: Field[] = [];
  const keyOwners: string[] = [];
  for (const { view } of retrieval.views) {
    if (!view.online) {
      throw new PlinthError(
        "FEATURES_VIEW_NOT_ONLINE",
        `Feature view '${view.name}' is defined with online: false, so it cannot be read online; set online: true and materialize it`,
        { field: view.name },
      );
    }
    for (const e of view.entities) {
      for (const k of e.joinKeys) {
        const seen = keys.find((s) => s.name === k.name);
        if (seen === undefined) {
          keys.push(k);
          keyOwners.push(`entity '${e.name}' of feature view '${view.name}'`);
        } else if (seen.type !== k.type) {
          throw new PlinthError(
            "FEATURES_KEY_TYPE_MISMATCH",
            `Join key '${k.name}' is ${seen.type} in one entity and ${k.type} in entity '${e.name}'`,
            { field: k.name },
          );
        }
      }
    }
  }
  const featureNames = [...keys.map((k) => k.name), ...retrieval.outputs.map((o) => o.name)];
  for (const o of retrieval.outputs) {
    if (keys.some((k) => k.name === o.name)) {
      throw new PlinthError(
        "FEATURES_NAME_COLLISION",
        `Feature '${o.name}' has the name of a join key; set fullFeatureNames to name it view__feature`,
        { field: o.name },
      );
    }
  }
  // Internal column (from the retrieval plan) -> slot.
  const slots = new Map<string, number>();
  for (const [i, o] of retrieval.outputs.entries()) slots.set(o.column, keys.length + i);
  let next = featureNames.length;
  const slotOf = (column: string): number => {
    let slot = slots.get(column);
    if (slot === undefined) {
      slot = next++;
      slots.set(column, slot);
    }
    return slot;
  };
  const views = retrieval.views.map(({ view, features }): PlannedOnlineView => {
    const viewKeys = view.entities.flatMap((e) => e.joinKeys);
    return {
      name: view.name,
      keyIndexes: viewKeys.map((k) => keys.findIndex((s) => s.name === k.name)),
      keyTypes: viewKeys.map((k) => k.type),
      ttlMicros: Math.round(view.ttlSeconds * 1e6),
      features: features.map((f) => ({
        name: f.field.name,
        type: f.field.type,
        slot: slotOf(f.column),
      })),
    };
  });
  const requestFields: Field[] = [];
  const transforms = retrieval.onDemand.map(
    (p): PlannedOnlineTransform => ({
      odfv: p.odfv,
      inputs: p.inputs.map((input) => {
        if (!input.request) return { field: input.field, slot: slotOf(input.column), request: -1 };
        let index = requestFields.findIndex((r) => r.name === input.field.name);
        if (index < 0) index = requestFields.push(input.field) - 1;
        return { field: input.field, slot: -1, request: index };
      }),
      outputs: p.outputs.map((o) => ({ field: o.field, slot: slotOf(o.column) })),
    }),
  );
  return Object.freeze({
    featureNames,
    keys,
    keyOwners,
    requestFields,
    views,
    transforms,
    slotCount: next,
  });
}
