import { sql } from "kysely";
import { PlinthError } from "../core/errors.ts";
import type { MetadataStore } from "../metadata/metadata-store.ts";
import { isUniqueViolation } from "../metadata/unique-violation.ts";
import { dedupeByKey } from "../tracking/experiments.ts";
import { decodePageToken, encodePageToken, resolveMaxResults } from "../tracking/page-token.ts";
import {
  parseOrderBy,
  parseSearchFilter,
  REGISTERED_MODEL_FILTER_GRAMMAR,
} from "../tracking/search-filter.ts";
import { comparisonSql, orderTermSql } from "../tracking/search-sql.ts";
import type { KeyValue, Page } from "../tracking/types.ts";
import { LIMITS, validateKey, validateStringValue } from "../tracking/validation.ts";
import { recordAudit } from "./audit.ts";
import { latestVersionRows, loadModels, loadVersions, requireModel } from "./registry-reads.ts";
import { parseStage, validateModelName } from "./registry-validation.ts";
import type { ModelVersion, RegisteredModel, RegistryContext, Stage } from "./types.ts";

export interface ModelSearch {
  filter?: string;
  orderBy?: readonly string[];
  maxResults?: number;
  pageToken?: string;
}

/** Registered models: named lines of versions, with tags and description. */
export interface RegisteredModelService {
  /** Creates a model; a taken name is REGISTRY_MODEL_EXISTS. */
  create(
    input: { name: string; description?: string; tags?: KeyValue[] },
    ctx?: RegistryContext,
  ): Promise<RegisteredModel>;
  /** The model with its tags, aliases and newest version per stage. */
  get(name: string): Promise<RegisteredModel>;
  /** Renames the model and everything that refers to it. */
  rename(name: string, newName: string, ctx?: RegistryContext): Promise<RegisteredModel>;
  /** Replaces the description. */
  update(name: string, description: string, ctx?: RegistryContext): Promise<RegisteredModel>;
  /** Deletes the model with all its versions, tags and aliases. */
  delete(name: string, ctx?: RegistryContext): Promise<void>;
  /** A page of models matching MLflow's registered-model filter grammar. */
  search(query?: ModelSearch): Promise<Page<RegisteredModel>>;
  /** Sets one model tag. */
  setTag(name: string, key: string, value: string, ctx?: RegistryContext): Promise<void>;
  /** Removes one model tag (missing is not an error). */
  deleteTag(name: string, key: string, ctx?: RegistryContext): Promise<void>;
  /** The newest version in each of `stages` (every stage when empty). */
  latestVersions(name: string, stages?: readonly string[]): Promise<ModelVersion[]>;
}

const MAX_SEARCH_RESULTS = 1000;

export function createRegisteredModelService(store: MetadataStore): RegisteredModelService {
  const snapshot = async (name: string) =>
    (await loadModels(store.db, [await requireModel(store.db, name)]))[0]!;

  return {
    async create(input, ctx) {
      const name = validateModelName(input.name);
      const description =
        input.description === undefined
          ? ""
          : validateStringValue(input.description, "description", 5000);
      const tags = validateTags(input.tags ?? []);
      const now = Date.now();
      try {
        await store.transaction(async (trx) => {
          await trx
            .insertInto("registered_models")
            .values({ name, creation_timestamp: now, last_updated_timestamp: now, description })
            .execute();
          if (tags.length > 0) {
            await trx
              .insertInto("registered_model_tags")
              .values(tags.map((t) => ({ name, ...t })))
              .execute();
          }
          await recordAudit(trx, ctx, {
            action: "create_registered_model",
            modelName: name,
            after: { name, description, tags },
          });
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new PlinthError(
            "REGISTRY_MODEL_EXISTS",
            `Registered Model (name=${name}) already exists.`,
            { field: "name" },
          );
        }
        throw error;
      }
      return snapshot(name);
    },

    get: (name) => snapshot(validateModelName(name)),

    async rename(name, newName, ctx) {
      validateModelName(name);
      const target = validateModelName(newName, "new_name");
      try {
        await store.transaction(async (trx) => {
          await requireModel(trx, name);
          const now = Date.now();
          await trx
            .updateTable("registered_models")
            .set({ name: target, last_updated_timestamp: now })
            .where("name", "=", name)
            .execute();
          for (const table of [
            "model_versions",
            "model_version_tags",
            "registered_model_tags",
            "registered_model_aliases",
            "registry_audit",
          ] as const) {
            const column = table === "registry_audit" ? "model_name" : "name";
            await sql`update ${sql.table(table)} set ${sql.ref(column)} = ${target} where ${sql.ref(column)} = ${name}`.execute(
              trx,
            );
          }
          await recordAudit(trx, ctx, {
            action: "rename_registered_model",
            modelName: target,
            before: { name },
            after: { name: target },
          });
        });
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new PlinthError(
            "REGISTRY_MODEL_EXISTS",
            `Registered Model (name=${target}) already exists.`,
            { field: "new_name" },
          );
        }
        throw error;
      }
      return snapshot(target);
    },

    async update(name, description, ctx) {
      validateModelName(name);
      const text = validateStringValue(description ?? "", "description", 5000);
      await store.transaction(async (trx) => {
        const before = await requireModel(trx, name);
        await trx
          .updateTable("registered_models")
          .set({ description: text, last_updated_timestamp: Date.now() })
          .where("name", "=", name)
          .execute();
        await recordAudit(trx, ctx, {
          action: "update_registered_model",
          modelName: name,
          before: { description: before.description },
          after: { description: text },
        });
      });
      return snapshot(name);
    },

    async delete(name, ctx) {
      validateModelName(name);
      await store.transaction(async (trx) => {
        const before = (await loadModels(trx, [await requireModel(trx, name)]))[0]!;
        for (const table of [
          "model_version_tags",
          "registered_model_aliases",
          "registered_model_tags",
          "model_versions",
          "registered_models",
        ] as const) {
          await trx.deleteFrom(table).where("name", "=", name).execute();
        }
        await recordAudit(trx, ctx, { action: "delete_registered_model", modelName: name, before });
      });
    },

    async search(query = {}) {
      const comparisons = parseSearchFilter(query.filter, REGISTERED_MODEL_FILTER_GRAMMAR);
      const orderBy = parseOrderBy(query.orderBy, REGISTERED_MODEL_FILTER_GRAMMAR);
      const limit = resolveMaxResults(query.maxResults, 100, MAX_SEARCH_RESULTS);
      const offset = decodePageToken(query.pageToken);
      let q = store.db.selectFrom("registered_models").selectAll("registered_models");
      for (const c of comparisons) {
        q = q.where(
          c.entity === "tag"
            ? comparisonSql(c, {
                kind: "keyValue",
                table: "registered_model_tags",
                ownerColumn: "name",
                outerColumn: "registered_models.name",
                numeric: false,
              })
            : comparisonSql(c, { kind: "column", column: `registered_models.${c.key}` }),
        );
      }
      for (const o of orderBy) {
        if (o.entity !== "attribute") continue;
        q = q.orderBy(orderTermSql(sql.ref(`registered_models.${o.key}`), o.ascending));
      }
      q = q
        .orderBy("registered_models.name", "asc")
        .limit(limit + 1)
        .offset(offset);
      const rows = await q.execute();
      return {
        items: await loadModels(store.db, rows.slice(0, limit)),
        nextPageToken: rows.length > limit ? encodePageToken(offset + limit) : undefined,
      };
    },

    async setTag(name, key, value, ctx) {
      validateModelName(name);
      const [tag] = validateTags([{ key, value }]);
      await store.transaction(async (trx) => {
        await requireModel(trx, name);
        const before = await trx
          .selectFrom("registered_model_tags")
          .select("value")
          .where("name", "=", name)
          .where("key", "=", tag!.key)
          .executeTakeFirst();
        await trx
          .insertInto("registered_model_tags")
          .values({ name, ...tag! })
          .onConflict((oc) => oc.columns(["name", "key"]).doUpdateSet({ value: tag!.value }))
          .execute();
        await recordAudit(trx, ctx, {
          action: "set_registered_model_tag",
          modelName: name,
          before: before === undefined ? undefined : { [tag!.key]: before.value },
          after: { [tag!.key]: tag!.value },
        });
      });
    },

    async deleteTag(name, key, ctx) {
      validateModelName(name);
      await store.transaction(async (trx) => {
        await requireModel(trx, name);
        const before = await trx
          .deleteFrom("registered_model_tags")
          .where("name", "=", name)
          .where("key", "=", key)
          .returning("value")
          .executeTakeFirst();
        if (before !== undefined) {
          await recordAudit(trx, ctx, {
            action: "delete_registered_model_tag",
            modelName: name,
            before: { [key]: before.value },
          });
        }
      });
    },

    async latestVersions(name, stages = []) {
      validateModelName(name);
      await requireModel(store.db, name);
      const wanted: readonly Stage[] =
        stages.length === 0
          ? ["None", "Staging", "Production", "Archived"]
          : stages.map((s, i) => parseStage(s, `stages[${i}]`));
      return loadVersions(store.db, await latestVersionRows(store.db, [name], wanted));
    },
  };
}

export function validateTags(tags: readonly KeyValue[]): KeyValue[] {
  return dedupeByKey(
    tags.map((t, i) => ({
      key: validateKey("tag", t.key, `tags[${i}].key`),
      value: validateStringValue(t.value, `tags[${i}].value`, LIMITS.tagValueLength),
    })),
  );
}
