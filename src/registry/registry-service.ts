import type { MetadataStore } from "../metadata/metadata-store.ts";
import { type AliasService, createAliasService } from "./aliases.ts";
import { auditHistory } from "./audit.ts";
import { createModelVersionService, type ModelVersionService } from "./model-versions.ts";
import { createRegisteredModelService, type RegisteredModelService } from "./registered-models.ts";
import type { AuditEntry } from "./types.ts";

/** The model registry: models, their versions, aliases and the audit history of every change. */
export interface RegistryService {
  readonly models: RegisteredModelService;
  readonly versions: ModelVersionService;
  readonly aliases: AliasService;
  /** Every change to a model and its versions, oldest first: who, when, what, before and after. */
  history(modelName: string): Promise<AuditEntry[]>;
}

/**
 * The registry over a metadata store.
 *
 * @example
 * const registry = createRegistryService(metadata);
 * await registry.models.create({ name: "fraud" }, { actor: "ana" });
 * const v = await registry.versions.create({ name: "fraud", source: "runs:/…/model", runId });
 * await registry.aliases.set("fraud", "champion", v.version, { actor: "ana" });
 */
export function createRegistryService(metadata: MetadataStore): RegistryService {
  return Object.freeze({
    models: createRegisteredModelService(metadata),
    versions: createModelVersionService(metadata),
    aliases: createAliasService(metadata),
    history: (modelName: string) => auditHistory(metadata.db, modelName),
  });
}
