import { PlinthError } from "../../core/errors.ts";
import { assertIdentifier } from "./assert-identifier.ts";
import type { FeatureView, FeatureViewProjection } from "./feature-view.ts";
import type { OnDemandFeatureView } from "./on-demand-feature-view.ts";

/** What a feature service may list: a whole view, a selection of one, or an on-demand view. */
export type FeatureServiceItem = FeatureView | FeatureViewProjection | OnDemandFeatureView;

/** The named set of features one model reads, offline for training and online for serving. */
export interface FeatureService {
  readonly kind: "featureService";
  readonly name: string;
  readonly features: readonly FeatureServiceItem[];
  readonly owner: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly description: string;
}

/**
 * Defines a feature service.
 *
 * @example
 * export const fraudV1 = featureService({
 *   name: "fraud_v1",
 *   features: [driverStats.select(["rating"]), amountVsAvg],
 * });
 */
export function featureService(spec: {
  name: string;
  features: readonly FeatureServiceItem[];
  owner?: string;
  tags?: Record<string, string>;
  description?: string;
}): FeatureService {
  assertIdentifier(spec.name, "feature service");
  const ok = new Set(["featureView", "featureViewProjection", "onDemandFeatureView"]);
  if (
    !Array.isArray(spec.features) ||
    spec.features.length === 0 ||
    spec.features.some((f) => !ok.has(f?.kind))
  ) {
    throw new PlinthError(
      "FEATURES_INVALID_DEFINITION",
      `Feature service '${spec.name}' needs a non-empty list of feature views, selections or on-demand views`,
      { field: "features" },
    );
  }
  return Object.freeze({
    kind: "featureService",
    name: spec.name,
    features: Object.freeze([...spec.features]),
    owner: spec.owner ?? "",
    tags: Object.freeze({ ...spec.tags }),
    description: spec.description ?? "",
  });
}
