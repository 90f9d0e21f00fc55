import type { ValueType } from "../definitions/value-type.ts";

/** The kinds of object the feature registry holds, in the order plans list them. */
export type RegistryObjectKind =
  | "entity"
  | "pushSource"
  | "featureView"
  | "onDemandFeatureView"
  | "featureService";

/** Every RegistryObjectKind, in plan order. */
export const REGISTRY_KINDS: readonly RegistryObjectKind[] = [
  "entity",
  "pushSource",
  "featureView",
  "onDemandFeatureView",
  "featureService",
];

/** How a data source is stored: where its rows come from and which columns are its times. */
export interface SourceSpec {
  readonly name: string;
  readonly format: "parquet" | "csv" | "sql";
  /** The path as written in the definitions (a glob, maybe relative), or the SQL text. */
  readonly location: string;
  readonly timestampField: string;
  readonly createdTimestampField: string | null;
}

/** A stored entity. Join keys are `name:type` in key order: the order is part of the key. */
export interface EntitySpec {
  readonly joinKeys: readonly string[];
  readonly description: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** A stored feature view. `features` maps each feature to its type. */
export interface FeatureViewSpec {
  readonly entities: readonly string[];
  /** Every entity's join keys, `name:type`, in order: what a lookup must supply. */
  readonly joinKeys: readonly string[];
  readonly features: Readonly<Record<string, ValueType>>;
  readonly source: SourceSpec | { readonly pushSource: string };
  readonly ttlSeconds: number;
  readonly online: boolean;
  readonly offline: boolean;
  readonly owner: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly description: string;
}

/** A stored on-demand view; the transform is stored by the sha256 of its source text. */
export interface OnDemandFeatureViewSpec {
  /** `view:feature` inputs with their types. */
  readonly viewInputs: Readonly<Record<string, ValueType>>;
  /** `requestSource:field` inputs with their types. */
  readonly requestInputs: Readonly<Record<string, ValueType>>;
  readonly features: Readonly<Record<string, ValueType>>;
  readonly transformHash: string;
  readonly owner: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly description: string;
}

/** A stored feature service: every `view:feature` it returns, with its type. */
export interface FeatureServiceSpec {
  readonly features: Readonly<Record<string, ValueType>>;
  readonly owner: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly description: string;
}

/** A stored push source: the columns a pushed row carries, and the batch source it lands in. */
export interface PushSourceSpec {
  readonly schema: Readonly<Record<string, ValueType>>;
  readonly batchSource: SourceSpec;
  readonly description: string;
}

/** The spec type of each kind. */
export interface RegistrySpecByKind {
  entity: EntitySpec;
  pushSource: PushSourceSpec;
  featureView: FeatureViewSpec;
  onDemandFeatureView: OnDemandFeatureViewSpec;
  featureService: FeatureServiceSpec;
}

/** The specs of a set of definitions, by kind and name. */
export type RegistrySpecs = {
  readonly [K in RegistryObjectKind]: ReadonlyMap<string, RegistrySpecByKind[K]>;
};

/** How messages and tables name each kind. */
export const KIND_LABELS: Readonly<Record<RegistryObjectKind, string>> = {
  entity: "entity",
  pushSource: "push source",
  featureView: "feature view",
  onDemandFeatureView: "on-demand feature view",
  featureService: "feature service",
};
