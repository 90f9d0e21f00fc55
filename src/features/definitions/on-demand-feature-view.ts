import { PlinthError } from "../../core/errors.ts";
import { assertIdentifier } from "./assert-identifier.ts";
import type { FeatureView, FeatureViewProjection } from "./feature-view.ts";
import { validateFields } from "./validate-fields.ts";
import type { Field } from "./value-type.ts";

/** One column handed to or returned by an on-demand transform; the type follows its ValueType. */
export type FeatureColumnValues =
  | Float64Array
  | (bigint | null)[]
  | (string | null)[]
  | (boolean | null)[]
  | (Date | null)[];

/**
 * Columns by name, all of one length. Offline, a transform sees a batch of many rows;
 * online, the same function sees columns of length one: the same code on both paths.
 */
export type FeatureColumns = Record<string, FeatureColumnValues>;

/** Fields supplied by the request (offline: columns of the entity input), not by a store. */
export interface RequestSource {
  readonly kind: "requestSource";
  readonly name: string;
  readonly schema: readonly Field[];
}

/**
 * Defines request data an on-demand view reads.
 *
 * @example
 * export const txn = requestSource({ name: "txn", schema: [{ name: "amount", type: "float64" }] });
 */
export function requestSource(spec: { name: string; schema: readonly Field[] }): RequestSource {
  assertIdentifier(spec.name, "request source");
  return Object.freeze({
    kind: "requestSource",
    name: spec.name,
    schema: validateFields(spec.schema, `request source '${spec.name}'`),
  });
}

/** A feature computed at request time from other views' features and request data. */
export interface OnDemandFeatureView {
  readonly kind: "onDemandFeatureView";
  readonly name: string;
  /** Views (all their features, or a selection) and request sources the transform reads. */
  readonly sources: readonly (FeatureView | FeatureViewProjection | RequestSource)[];
  /** The columns the transform returns. */
  readonly schema: readonly Field[];
  /**
   * Maps input columns (keyed by bare feature or request field name) to output columns
   * (keyed by schema name), columnar, with no per-row objects.
   */
  readonly transform: (inputs: FeatureColumns) => FeatureColumns;
  readonly owner: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly description: string;
}

/**
 * Defines an on-demand feature view. Input names must be unique across its sources, since
 * the transform receives them keyed by bare name.
 *
 * @example
 * export const amountVsAvg = onDemandFeatureView({
 *   name: "amount_vs_avg",
 *   sources: [cardStats.select(["avg_amount"]), txn],
 *   schema: [{ name: "ratio", type: "float64" }],
 *   transform: ({ amount, avg_amount }) => {
 *     const a = amount as Float64Array, b = avg_amount as Float64Array;
 *     return { ratio: a.map((x, i) => x / b[i]!) };
 *   },
 * });
 */
export function onDemandFeatureView(spec: {
  name: string;
  sources: readonly (FeatureView | FeatureViewProjection | RequestSource)[];
  schema: readonly Field[];
  transform: (inputs: FeatureColumns) => FeatureColumns;
  owner?: string;
  tags?: Record<string, string>;
  description?: string;
}): OnDemandFeatureView {
  assertIdentifier(spec.name, "on-demand feature view");
  const what = `on-demand feature view '${spec.name}'`;
  if (!Array.isArray(spec.sources) || spec.sources.length === 0) {
    throw invalid(`The ${what} needs at least one source`, "sources");
  }
  if (typeof spec.transform !== "function") {
    throw invalid(`The ${what} needs a transform function`, "transform");
  }
  const inputs = new Set<string>();
  for (const s of spec.sources) {
    const names = inputNames(s, what);
    for (const n of names) {
      if (inputs.has(n)) throw invalid(`Input '${n}' reaches the ${what} from two sources`, n);
      inputs.add(n);
    }
  }
  return Object.freeze({
    kind: "onDemandFeatureView",
    name: spec.name,
    sources: Object.freeze([...spec.sources]),
    schema: validateFields(spec.schema, what),
    transform: spec.transform,
    owner: spec.owner ?? "",
    tags: Object.freeze({ ...spec.tags }),
    description: spec.description ?? "",
  });
}

/** The input column names a source contributes to an on-demand transform. */
export function inputNames(
  source: FeatureView | FeatureViewProjection | RequestSource,
  what = "on-demand feature view",
): readonly string[] {
  switch (source?.kind) {
    case "featureView":
      return source.schema.map((f) => f.name);
    case "featureViewProjection":
      return source.features;
    case "requestSource":
      return source.schema.map((f) => f.name);
    default:
      throw invalid(
        `A source of the ${what} is not a feature view, a selection of one, or a request source`,
        "sources",
      );
  }
}

function invalid(message: string, field: string): PlinthError {
  return new PlinthError("FEATURES_INVALID_DEFINITION", message, { field });
}
