import type { RegistryObjectKind, RegistrySpecByKind } from "./registry-spec.ts";

/** One version of an object in the registry. */
export interface RegistryObject<K extends RegistryObjectKind = RegistryObjectKind> {
  readonly kind: K;
  readonly name: string;
  /** 1 when first applied; a forced breaking change makes the next one. */
  readonly version: number;
  /** `active` is the current version; `superseded` an older one; `removed` one no longer defined. */
  readonly status: "active" | "superseded" | "removed";
  readonly spec: RegistrySpecByKind[K];
  /** sha256 of the spec's canonical JSON. */
  readonly specHash: string;
  /** The apply that created this version, and the last one that changed it. */
  readonly createdRevision: number;
  readonly updatedRevision: number;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** The registry as a plan sees it: the active version of everything, and the revision. */
export interface RegistrySnapshot {
  /** The number of the last apply; 0 for an empty registry. */
  readonly revision: number;
  readonly active: { readonly [K in RegistryObjectKind]: ReadonlyMap<string, RegistryObject<K>> };
  /** The highest version ever given to `kind/name`, removed ones included. */
  readonly lastVersion: ReadonlyMap<string, number>;
}
