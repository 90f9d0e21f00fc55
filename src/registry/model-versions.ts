import { sql } from "kysely";
import { z } from "zod";
import { invalidArgument } from "../core/errors.ts";
import type { MetadataStore } from "../metadata/metadata-store.ts";
import { decodePageToken, encodePageToken, resolveMaxResults } from "../tracking/page-token.ts";
import {
  MODEL_VERSION_FILTER_GRAMMAR,
  parseOrderBy,
  parseSearchFilter,
} from "../tracking/search-filter.ts";
import { comparisonSql, orderTermSql } from "../tracking/search-sql.ts";
import type { KeyValue, Page } from "../tracking/types.ts";
import { validateStringValue } from "../tracking/validation.ts";
import { recordAudit } from "./audit.ts";
import { validateTags } from "./registered-models.ts";
import { loadVersions, requireModel, requireVersion } from "./registry-reads.ts";
import { parseStage, parseVersion, validateModelName } from "./registry-validation.ts";
import {
  DELETED_STAGE,
  type ModelSignature,
  type ModelVersion,
  type RegistryContext,
  type Stage,
} from "./types.ts";

export interface CreateVersion {
  name: string;
  source: string;
  runId?: string;
  runLink?: string;
  description?: string;
  tags?: KeyValue[];
  signature?: ModelSignature;
  userId?: string;
}

export interface VersionSearch {
  filter?: string;
  orderBy?: readonly string[];
  maxResults?: number;
  pageToken?: string;
}

/** Model versions: the registered, numbered artifacts of a model. */
export interface ModelVersionService {
  /** Registers the next version (numbers are never reused) with status READY. */
  create(input: CreateVersion, ctx?: RegistryContext): Promise<ModelVersion>;
  /** One version with its tags and aliases. */
  get(name: string, version: string): Promise<ModelVersion>;
  /** Replaces the description. */
  update(
    name: string,
    version: string,
    description: string,
    ctx?: RegistryContext,
  ): Promise<ModelVersion>;
  /** Deletes the version and any alias pointing at it. */
  delete(name: string, version: string, ctx?: RegistryContext): Promise<void>;
  /**
   * Moves a version to a stage; with `archiveExisting`, the other versions in that stage
   * (Staging or Production only) move to Archived in the same transaction.
   */
  transitionStage(
    name: string,
    version: string,
    stage: string,
    archiveExisting: boolean,
    ctx?: RegistryContext,
  ): Promise<ModelVersion>;
  /** A page of versions matching MLflow's model-version filter grammar. */
  search(query?: VersionSearch): Promise<Page<ModelVersion>>;
  /** Sets one version tag. */
  setTag(
    name: string,
    version: string,
    key: string,
    value: string,
    ctx?: RegistryContext,
  ): Promise<void>;
  /** Removes one version tag (missing is not an error). */
  deleteTag(name: string, version: string, key: string, ctx?: RegistryContext): Promise<void>;
}

const MAX_SEARCH_RESULTS = 200_000;

const signatureSchema = z
  .object({
    inputs: z.array(
      z.object({
        name: z.string().min(1),
        type: z.enum(["float", "double", "int", "long", "boolean", "string", "category"]),
        shape: z.array(z.number().int()).optional(),
      }),
    ),
    outputs: z.array(
      z.object({
        name: z.string().min(1),
        type: z.enum(["float", "double", "int", "long", "boolean", "string", "category"]),
        shape: z.array(z.number().int()).optional(),
      }),
    ),
  })
  .strict();

const VERSION_COLUMNS: Readonly<Record<string, string>> = {
  name: "name",
  version_number: "version",
  run_id: "run_id",
  source_path: "source",
  source: "source",
  current_stage: "current_stage",
  creation_timestamp: "creation_timestamp",
  last_updated_timestamp: "last_updated_timestamp",
};

export function createModelVersionService(store: MetadataStore): ModelVersionService {
  const snapshot = async (name: string, version: number) =>
    (await loadVersions(store.db, [await requireVersion(store.db, name, version)]))[0]!;

  async function touch(
    trx: Parameters<Parameters<MetadataStore["transaction"]>[0]>[0],
    name: string,
    version: number,
    now: number,
  ) {
    await trx
      .updateTable("model_versions")
      .set({ last_updated_timestamp: now })
      .where("name", "=", name)
      .where("version", "=", version)
      .execute();
    await trx
      .updateTable("registered_models")
      .set({ last_updated_timestamp: now })
      .where("name", "=", name)
      .execute();
  }

  return {
    async create(input, ctx) {
      const name = validateModelName(input.name);
      const source = validateStringValue(input.source, "source", 5000);
      if (source === "") throw invalidArgument("source", "a model version needs a source URI");
      const tags = validateTags(input.tags ?? []);
      let signature = "";
      if (input.signature !== undefined) {
        const parsed = signatureSchema.safeParse(input.signature);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw invalidArgument(`signature.${issue.path.join(".")}`, issue.message);
        }
        signature = JSON.stringify(parsed.data);
      }
      const version = await store.transaction(async (trx) => {
        await requireModel(trx, name);
        const now = Date.now();
        // Touching the model row first takes its row lock on PostgreSQL, so two concurrent
        // registrations of one model number their versions one after the other.
        await trx
          .updateTable("registered_models")
          .set({ last_updated_timestamp: now })
          .where("name", "=", name)
          .execute();
        const max = await trx
          .selectFrom("model_versions")
          .select(sql<number | null>`max(version)`.as("max"))
          .where("name", "=", name)
          .executeTakeFirst();
        const next = Number(max?.max ?? 0) + 1;
        await trx
          .insertInto("model_versions")
          .values({
            name,
            version: next,
            creation_timestamp: now,
            last_updated_timestamp: now,
            description:
              input.description === undefined
                ? ""
                : validateStringValue(input.description, "description", 5000),
            user_id: input.userId ?? "",
            current_stage: "None",
            source,
            run_id: input.runId === undefined ? "" : validateStringValue(input.runId, "run_id", 64),
            run_link:
              input.runLink === undefined
                ? ""
                : validateStringValue(input.runLink, "run_link", 5000),
            status: "READY",
            status_message: "",
            signature,
          })
          .execute();
        if (tags.length > 0) {
          await trx
            .insertInto("model_version_tags")
            .values(tags.map((t) => ({ name, version: next, ...t })))
            .execute();
        }
        await recordAudit(trx, ctx, {
          action: "create_model_version",
          modelName: name,
          version: next,
          after: { source, runId: input.runId ?? "", tags, signature: input.signature },
        });
        return next;
      });
      return snapshot(name, version);
    },

    get: async (name, version) => snapshot(validateModelName(name), parseVersion(version)),

    async update(name, version, description, ctx) {
      validateModelName(name);
      const v = parseVersion(version);
      const text = validateStringValue(description ?? "", "description", 5000);
      await store.transaction(async (trx) => {
        const before = await requireVersion(trx, name, v);
        await trx
          .updateTable("model_versions")
          .set({ description: text })
          .where("name", "=", name)
          .where("version", "=", v)
          .execute();
        await touch(trx, name, v, Date.now());
        await recordAudit(trx, ctx, {
          action: "update_model_version",
          modelName: name,
          version: v,
          before: { description: before.description },
          after: { description: text },
        });
      });
      return snapshot(name, v);
    },

    async delete(name, version, ctx) {
      validateModelName(name);
      const v = parseVersion(version);
      await store.transaction(async (trx) => {
        const before = (await loadVersions(trx, [await requireVersion(trx, name, v)]))[0]!;
        await trx
          .deleteFrom("registered_model_aliases")
          .where("name", "=", name)
          .where("version", "=", v)
          .execute();
        await trx
          .deleteFrom("model_version_tags")
          .where("name", "=", name)
          .where("version", "=", v)
          .execute();
        await trx
          .updateTable("model_versions")
          .set({ current_stage: DELETED_STAGE, last_updated_timestamp: Date.now() })
          .where("name", "=", name)
          .where("version", "=", v)
          .execute();
        await recordAudit(trx, ctx, {
          action: "delete_model_version",
          modelName: name,
          version: v,
          before,
        });
      });
    },

    async transitionStage(name, version, stage, archiveExisting, ctx) {
      validateModelName(name);
      const v = parseVersion(version);
      const target: Stage = parseStage(stage);
      if (typeof archiveExisting !== "boolean") {
        throw invalidArgument("archive_existing_versions", "expected true or false");
      }
      if (archiveExisting && target !== "Staging" && target !== "Production") {
        throw invalidArgument(
          "archive_existing_versions",
          `can only be true when transitioning to Staging or Production, not ${target}`,
        );
      }
      await store.transaction(async (trx) => {
        const before = await requireVersion(trx, name, v);
        const now = Date.now();
        if (archiveExisting) {
          const others = await trx
            .selectFrom("model_versions")
            .select("version")
            .where("name", "=", name)
            .where("current_stage", "=", target)
            .where("version", "!=", v)
            .execute();
          for (const o of others) {
            const ov = Number(o.version);
            await trx
              .updateTable("model_versions")
              .set({ current_stage: "Archived", last_updated_timestamp: now })
              .where("name", "=", name)
              .where("version", "=", ov)
              .execute();
            await recordAudit(trx, ctx, {
              action: "transition_model_version_stage",
              modelName: name,
              version: ov,
              before: { stage: target },
              after: { stage: "Archived", reason: `archive_existing_versions by version ${v}` },
            });
          }
        }
        await trx
          .updateTable("model_versions")
          .set({ current_stage: target })
          .where("name", "=", name)
          .where("version", "=", v)
          .execute();
        await touch(trx, name, v, now);
        await recordAudit(trx, ctx, {
          action: "transition_model_version_stage",
          modelName: name,
          version: v,
          before: { stage: before.current_stage },
          after: { stage: target },
        });
      });
      return snapshot(name, v);
    },

    async search(query = {}) {
      const comparisons = parseSearchFilter(query.filter, MODEL_VERSION_FILTER_GRAMMAR);
      const orderBy = parseOrderBy(query.orderBy, MODEL_VERSION_FILTER_GRAMMAR);
      const limit = resolveMaxResults(query.maxResults, 10_000, MAX_SEARCH_RESULTS);
      const offset = decodePageToken(query.pageToken);
      const column = (key: string) => `model_versions.${VERSION_COLUMNS[key] ?? key}`;
      let q = store.db
        .selectFrom("model_versions")
        .selectAll("model_versions")
        .where("current_stage", "!=", DELETED_STAGE);
      for (const c of comparisons) {
        if (c.entity === "tag") {
          q = q.where(
            sql<boolean>`exists (select 1 from model_version_tags kv where kv.name = model_versions.name and kv.version = model_versions.version and kv.key = ${c.key} and ${comparisonSql({ ...c, entity: "attribute", key: "value" }, { kind: "column", column: "kv.value" })})`,
          );
        } else {
          q = q.where(comparisonSql(c, { kind: "column", column: column(c.key) }));
        }
      }
      for (const o of orderBy) {
        if (o.entity !== "attribute") continue;
        q = q.orderBy(orderTermSql(sql.ref(column(o.key)), o.ascending));
      }
      q = q
        .orderBy("model_versions.name", "asc")
        .orderBy("model_versions.version", "desc")
        .limit(limit + 1)
        .offset(offset);
      const rows = await q.execute();
      return {
        items: await loadVersions(store.db, rows.slice(0, limit)),
        nextPageToken: rows.length > limit ? encodePageToken(offset + limit) : undefined,
      };
    },

    async setTag(name, version, key, value, ctx) {
      validateModelName(name);
      const v = parseVersion(version);
      const [tag] = validateTags([{ key, value }]);
      await store.transaction(async (trx) => {
        await requireVersion(trx, name, v);
        await trx
          .insertInto("model_version_tags")
          .values({ name, version: v, ...tag! })
          .onConflict((oc) =>
            oc.columns(["name", "version", "key"]).doUpdateSet({ value: tag!.value }),
          )
          .execute();
        await recordAudit(trx, ctx, {
          action: "set_model_version_tag",
          modelName: name,
          version: v,
          after: { [tag!.key]: tag!.value },
        });
      });
    },

    async deleteTag(name, version, key, ctx) {
      validateModelName(name);
      const v = parseVersion(version);
      await store.transaction(async (trx) => {
        await requireVersion(trx, name, v);
        const before = await trx
          .deleteFrom("model_version_tags")
          .where("name", "=", name)
          .where("version", "=", v)
          .where("key", "=", key)
          .returning("value")
          .executeTakeFirst();
        if (before !== undefined) {
          await recordAudit(trx, ctx, {
            action: "delete_model_version_tag",
            modelName: name,
            version: v,
            before: { [key]: before.value },
          });
        }
      });
    },
  };
}
