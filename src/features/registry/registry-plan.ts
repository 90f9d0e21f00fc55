import { hashJson } from "../../core/hash.ts";
import { breakingReasons } from "./breaking-changes.ts";
import { diffSpec, type FieldChange } from "./diff-spec.ts";
import type { RegistrySnapshot } from "./registry-object.ts";
import {
  REGISTRY_KINDS,
  type RegistryObjectKind,
  type RegistrySpecByKind,
  type RegistrySpecs,
} from "./registry-spec.ts";

/** One object a plan adds, changes or removes. */
export interface RegistryChange<K extends RegistryObjectKind = RegistryObjectKind> {
  readonly kind: K;
  readonly name: string;
  readonly action: "add" | "change" | "remove";
  /** Field-level differences (a change); empty for an add or a remove. */
  readonly fields: readonly FieldChange[];
  /** Why the change breaks what is applied; empty when it is safe. */
  readonly breaking: readonly string[];
  /** The active version now; null for an add. */
  readonly fromVersion: number | null;
  /** The version after applying: the same for a safe change, the next for a breaking one; null for a remove. */
  readonly toVersion: number | null;
  /** The spec after applying; null for a remove. */
  readonly spec: RegistrySpecByKind[K] | null;
}

/** What applying a set of definitions would do to the registry. */
export interface RegistryPlan {
  /** The registry revision the plan was computed against. */
  readonly baseRevision: number;
  /** In kind order (entities, push sources, views, on-demand views, services), then by name. */
  readonly changes: readonly RegistryChange[];
  /** True when some change is breaking, so apply needs `force`. */
  readonly hasBreakingChanges: boolean;
}

/**
 * Diffs definitions (as specs) against the active registry. Pure: the registry backend
 * calls it inside its apply transaction, and tests call it directly.
 *
 * @example
 * const plan = planRegistryChanges(snapshot, toRegistrySpecs(defs));
 * plan.changes.filter((c) => c.breaking.length > 0);
 */
export function planRegistryChanges(snapshot: RegistrySnapshot, next: RegistrySpecs): RegistryPlan {
  const changes: RegistryChange[] = [];
  for (const kind of REGISTRY_KINDS) {
    const active = snapshot.active[kind] as ReadonlyMap<
      string,
      { version: number; spec: unknown; specHash: string }
    >;
    const wanted = next[kind] as ReadonlyMap<string, RegistrySpecByKind[typeof kind]>;
    const names = [...new Set([...active.keys(), ...wanted.keys()])].sort();
    for (const name of names) {
      const current = active.get(name);
      const spec = wanted.get(name);
      if (current === undefined && spec !== undefined) {
        const last = snapshot.lastVersion.get(`${kind}/${name}`) ?? 0;
        changes.push({
          kind,
          name,
          action: "add",
          fields: [],
          breaking: [],
          fromVersion: null,
          toVersion: last + 1,
          spec,
        });
      } else if (current !== undefined && spec === undefined) {
        const breaking = breakingReasons(kind, name, "remove", [], snapshot);
        changes.push({
          kind,
          name,
          action: "remove",
          fields: [],
          breaking,
          fromVersion: current.version,
          toVersion: null,
          spec: null,
        });
      } else if (
        current !== undefined &&
        spec !== undefined &&
        hashJson(spec) !== current.specHash
      ) {
        const fields = diffSpec(current.spec, spec);
        const breaking = breakingReasons(kind, name, "change", fields, snapshot);
        const last = snapshot.lastVersion.get(`${kind}/${name}`) ?? current.version;
        const toVersion = breaking.length > 0 ? last + 1 : current.version;
        changes.push({
          kind,
          name,
          action: "change",
          fields,
          breaking,
          fromVersion: current.version,
          toVersion,
          spec,
        });
      }
    }
  }
  return {
    baseRevision: snapshot.revision,
    changes,
    hasBreakingChanges: changes.some((c) => c.breaking.length > 0),
  };
}
