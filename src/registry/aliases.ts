import { PlinthError } from "../core/errors.ts";
import type { MetadataStore } from "../metadata/metadata-store.ts";
import { recordAudit } from "./audit.ts";
import { loadVersions, requireModel, requireVersion } from "./registry-reads.ts";
import { parseVersion, validateAlias, validateModelName } from "./registry-validation.ts";
import type { ModelVersion, RegistryContext } from "./types.ts";

/** Aliases: movable names (`champion`, `challenger`) for one version of a model each. */
export interface AliasService {
  /** Points the alias at a version, moving it if it pointed elsewhere. */
  set(name: string, alias: string, version: string, ctx?: RegistryContext): Promise<void>;
  /** Removes the alias; a missing alias is REGISTRY_ALIAS_NOT_FOUND. */
  delete(name: string, alias: string, ctx?: RegistryContext): Promise<void>;
  /** The version the alias points at. */
  resolve(name: string, alias: string): Promise<ModelVersion>;
}

export function createAliasService(store: MetadataStore): AliasService {
  return {
    async set(name, alias, version, ctx) {
      validateModelName(name);
      const a = validateAlias(alias);
      const v = parseVersion(version);
      await store.transaction(async (trx) => {
        await requireVersion(trx, name, v);
        const before = await trx
          .selectFrom("registered_model_aliases")
          .select("version")
          .where("name", "=", name)
          .where("alias", "=", a)
          .executeTakeFirst();
        await trx
          .insertInto("registered_model_aliases")
          .values({ name, alias: a, version: v })
          .onConflict((oc) => oc.columns(["name", "alias"]).doUpdateSet({ version: v }))
          .execute();
        await trx
          .updateTable("registered_models")
          .set({ last_updated_timestamp: Date.now() })
          .where("name", "=", name)
          .execute();
        await recordAudit(trx, ctx, {
          action: "set_registered_model_alias",
          modelName: name,
          version: v,
          before: before === undefined ? undefined : { alias: a, version: String(before.version) },
          after: { alias: a, version: String(v) },
        });
      });
    },

    async delete(name, alias, ctx) {
      validateModelName(name);
      const a = validateAlias(alias);
      await store.transaction(async (trx) => {
        await requireModel(trx, name);
        const removed = await trx
          .deleteFrom("registered_model_aliases")
          .where("name", "=", name)
          .where("alias", "=", a)
          .returning("version")
          .executeTakeFirst();
        if (removed === undefined) throw aliasNotFound(a);
        await recordAudit(trx, ctx, {
          action: "delete_registered_model_alias",
          modelName: name,
          version: Number(removed.version),
          before: { alias: a, version: String(removed.version) },
        });
      });
    },

    async resolve(name, alias) {
      validateModelName(name);
      const a = validateAlias(alias);
      await requireModel(store.db, name);
      const row = await store.db
        .selectFrom("registered_model_aliases")
        .select("version")
        .where("name", "=", name)
        .where("alias", "=", a)
        .executeTakeFirst();
      if (row === undefined) throw aliasNotFound(a);
      const version = await requireVersion(store.db, name, Number(row.version));
      return (await loadVersions(store.db, [version]))[0]!;
    },
  };
}

function aliasNotFound(alias: string): PlinthError {
  return new PlinthError("REGISTRY_ALIAS_NOT_FOUND", `Registered model alias ${alias} not found.`, {
    field: "alias",
  });
}
