import type { FeatureDefinitions } from "../definitions/feature-definitions.ts";
import type { RegistryObject } from "./registry-object.ts";
import type { RegistryChange, RegistryPlan } from "./registry-plan.ts";
import type { RegistryObjectKind } from "./registry-spec.ts";

/** Options of an apply. */
export interface RegistryApplyOptions {
  /** Apply breaking changes too, each as a new version of its object (`view@v2`). */
  readonly force?: boolean;
  /** Who applies, for the record; default "anonymous". */
  readonly actor?: string;
  /** Where the definitions came from (the module path), for the record. */
  readonly module?: string;
  /** Refuse (FEATURES_REGISTRY_CONFLICT) unless the registry is still at this revision. */
  readonly expectedRevision?: number;
}

/** One recorded apply: who, when, from where, and what changed. */
export interface RegistryApplyRecord {
  readonly revision: number;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly actor: string;
  readonly module: string;
  readonly forced: boolean;
  readonly changes: readonly RegistryChange[];
}

/** What an apply did; `applied` is false (and nothing recorded) when there was nothing to change. */
export interface RegistryApplyResult {
  readonly applied: boolean;
  readonly record: RegistryApplyRecord;
}

/**
 * The feature registry: which entities, views, on-demand views, services and push sources
 * are applied, at which version, and the history of applies (Feast's registry, with
 * plan/apply and breaking-change checks). Definitions stay code in the user's module; the
 * registry is the catalog the CLI, REST API and web UI read, and the record of what
 * changed when.
 */
export interface FeatureRegistry {
  /** The changes applying `definitions` would make, each classified as safe or breaking. */
  plan(definitions: FeatureDefinitions): Promise<RegistryPlan>;
  /**
   * Applies `definitions` in one transaction: it all commits or nothing does. Breaking
   * changes are refused with FEATURES_BREAKING_CHANGE unless `force`, which gives each
   * object with one a new version and keeps the old one readable.
   */
  apply(
    definitions: FeatureDefinitions,
    options?: RegistryApplyOptions,
  ): Promise<RegistryApplyResult>;
  /** The active version of every object, by kind then name, and the current revision. */
  list(): Promise<{ readonly revision: number; readonly objects: readonly RegistryObject[] }>;
  /**
   * Every version of every kind of object named `name`, newest first; `version` narrows to
   * one. Nothing found is FEATURES_NOT_IN_REGISTRY.
   */
  lookup(
    name: string,
    options?: { kind?: RegistryObjectKind; version?: number },
  ): Promise<RegistryObject[]>;
  /** The version of `kind/name` whose spec hash is `specHash`, if one was ever applied. */
  findVersion(
    kind: RegistryObjectKind,
    name: string,
    specHash: string,
  ): Promise<number | undefined>;
  /** Applies, newest first (at most `limit`, default 50). */
  history(options?: { limit?: number }): Promise<RegistryApplyRecord[]>;
}
