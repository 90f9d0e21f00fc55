import { sql } from "kysely";
import { invalidArgument, PlinthError } from "../core/errors.ts";
import type { MetadataDb, MetadataStore } from "../metadata/metadata-store.ts";
import type { ExperimentsTable } from "../metadata/schema.ts";
import { isUniqueViolation } from "../metadata/unique-violation.ts";
import { decodePageToken, encodePageToken, resolveMaxResults } from "./page-token.ts";
import { EXPERIMENT_FILTER_GRAMMAR, parseOrderBy, parseSearchFilter } from "./search-filter.ts";
import { comparisonSql, orderTermSql } from "./search-sql.ts";
import type { Experiment, KeyValue, Page, ViewType } from "./types.ts";
import { LIMITS, parseExperimentId, validateKey, validateStringValue } from "./validation.ts";

export interface ExperimentSearch {
  filter?: string;
  orderBy?: readonly string[];
  maxResults?: number;
  pageToken?: string;
  viewType?: ViewType;
}

/** Experiments: named groups of runs, each with its artifact location. */
export interface ExperimentService {
  /** Creates an experiment and returns its id; a taken name (even deleted) is an error. */
  create(input: { name: string; artifactLocation?: string; tags?: KeyValue[] }): Promise<string>;
  /** The experiment with this id, deleted or not. */
  get(experimentId: string): Promise<Experiment>;
  /** The experiment with this name, deleted or not. */
  getByName(name: string): Promise<Experiment>;
  /** A page of experiments matching MLflow's experiment filter grammar. */
  search(query?: ExperimentSearch): Promise<Page<Experiment>>;
  /** Renames an active experiment. */
  rename(experimentId: string, newName: string): Promise<void>;
  /** Marks an experiment (and so its runs, for searches) deleted. */
  delete(experimentId: string): Promise<void>;
  /** Brings a deleted experiment back. */
  restore(experimentId: string): Promise<void>;
  /** Sets (or overwrites) one experiment tag. */
  setTag(experimentId: string, key: string, value: string): Promise<void>;
}

const MAX_SEARCH_RESULTS = 50_000;

/** The experiment service over a metadata store. */
export function createExperimentService(store: MetadataStore): ExperimentService {
  return {
    async create(input) {
      const name = validateName(input.name);
      const tags = (input.tags ?? []).map((t, i) => ({
        key: validateKey("tag", t.key, `tags[${i}].key`),
        value: validateStringValue(t.value, `tags[${i}].value`, LIMITS.tagValueLength),
      }));
      if (input.artifactLocation !== undefined) {
        validateStringValue(input.artifactLocation, "artifact_location", 2048);
      }
      const now = Date.now();
      try {
        return await store.transaction(async (trx) => {
          const existing = await trx
            .selectFrom("experiments")
            .select("experiment_id")
            .where("name", "=", name)
            .executeTakeFirst();
          if (existing !== undefined) throw experimentExists(name);
          const row = await trx
            .insertInto("experiments")
            .values({
              name,
              artifact_location: input.artifactLocation ?? "",
              lifecycle_stage: "active",
              creation_time: now,
              last_update_time: now,
            })
            .returning("experiment_id")
            .executeTakeFirstOrThrow();
          const id = Number(row.experiment_id);
          if (input.artifactLocation === undefined) {
            await trx
              .updateTable("experiments")
              .set({ artifact_location: `mlflow-artifacts:/${id}` })
              .where("experiment_id", "=", id)
              .execute();
          }
          if (tags.length > 0) {
            await trx
              .insertInto("experiment_tags")
              .values(dedupeByKey(tags).map((t) => ({ experiment_id: id, ...t })))
              .execute();
          }
          return String(id);
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw experimentExists(name);
        throw error;
      }
    },

    async get(experimentId) {
      const id = parseExperimentId(experimentId);
      const row = await store.db
        .selectFrom("experiments")
        .selectAll()
        .where("experiment_id", "=", id)
        .executeTakeFirst();
      if (row === undefined) {
        throw new PlinthError(
          "TRACKING_EXPERIMENT_NOT_FOUND",
          `No Experiment with id=${experimentId} exists`,
          { field: "experiment_id" },
        );
      }
      return (await withTags(store.db, [row]))[0]!;
    },

    async getByName(name) {
      const row = await store.db
        .selectFrom("experiments")
        .selectAll()
        .where(
          "name",
          "=",
          validateStringValue(name, "experiment_name", LIMITS.experimentNameLength),
        )
        .executeTakeFirst();
      if (row === undefined) {
        throw new PlinthError(
          "TRACKING_EXPERIMENT_NOT_FOUND",
          `Could not find experiment with name '${name}'`,
          { field: "experiment_name" },
        );
      }
      return (await withTags(store.db, [row]))[0]!;
    },

    async search(query = {}) {
      const comparisons = parseSearchFilter(query.filter, EXPERIMENT_FILTER_GRAMMAR);
      const orderBy = parseOrderBy(query.orderBy, EXPERIMENT_FILTER_GRAMMAR);
      const limit = resolveMaxResults(query.maxResults, 1000, MAX_SEARCH_RESULTS);
      const offset = decodePageToken(query.pageToken);
      let q = store.db.selectFrom("experiments").selectAll("experiments");
      q = q.where(lifecycleFilter(query.viewType ?? "ACTIVE_ONLY"));
      for (const c of comparisons) {
        q = q.where(
          c.entity === "tag"
            ? comparisonSql(c, {
                kind: "keyValue",
                table: "experiment_tags",
                ownerColumn: "experiment_id",
                outerColumn: "experiments.experiment_id",
                numeric: false,
              })
            : comparisonSql(c, { kind: "column", column: `experiments.${c.key}` }),
        );
      }
      for (const o of orderBy) {
        if (o.entity === "tag") continue;
        q = q.orderBy(orderTermSql(sql.ref(`experiments.${o.key}`), o.ascending));
      }
      if (orderBy.length === 0) q = q.orderBy("last_update_time", "desc");
      q = q
        .orderBy("experiment_id", "asc")
        .limit(limit + 1)
        .offset(offset);
      const rows = await q.execute();
      const page = rows.slice(0, limit);
      return {
        items: await withTags(store.db, page),
        nextPageToken: rows.length > limit ? encodePageToken(offset + limit) : undefined,
      };
    },

    async rename(experimentId, newName) {
      const id = parseExperimentId(experimentId);
      const name = validateName(newName, "new_name");
      try {
        await store.transaction(async (trx) => {
          const current = await requireExperiment(trx, id);
          if (current.lifecycle_stage !== "active") throw notActive(experimentId, "renamed");
          await trx
            .updateTable("experiments")
            .set({ name, last_update_time: Date.now() })
            .where("experiment_id", "=", id)
            .execute();
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw experimentExists(name);
        throw error;
      }
    },

    async delete(experimentId) {
      await setStage(store, experimentId, "deleted");
    },

    async restore(experimentId) {
      await setStage(store, experimentId, "active");
    },

    async setTag(experimentId, key, value) {
      const id = parseExperimentId(experimentId);
      const k = validateKey("tag", key, "key");
      const v = validateStringValue(value, "value", LIMITS.tagValueLength);
      await store.transaction(async (trx) => {
        const current = await requireExperiment(trx, id);
        if (current.lifecycle_stage !== "active") throw notActive(experimentId, "tagged");
        await trx
          .insertInto("experiment_tags")
          .values({ experiment_id: id, key: k, value: v })
          .onConflict((oc) => oc.columns(["experiment_id", "key"]).doUpdateSet({ value: v }))
          .execute();
      });
    },
  };
}

/** The lifecycle-stage condition for a view type. */
export function lifecycleFilter(viewType: ViewType) {
  if (viewType === "ALL") return sql<boolean>`1 = 1`;
  return sql<boolean>`lifecycle_stage = ${viewType === "ACTIVE_ONLY" ? "active" : "deleted"}`;
}

async function setStage(store: MetadataStore, experimentId: string, stage: "active" | "deleted") {
  const id = parseExperimentId(experimentId);
  if (id === 0 && stage === "deleted") {
    throw invalidArgument("experiment_id", "the Default experiment (id 0) cannot be deleted");
  }
  await store.transaction(async (trx) => {
    const current = await requireExperiment(trx, id);
    if (current.lifecycle_stage === stage) {
      throw notActive(experimentId, stage === "deleted" ? "deleted" : "restored");
    }
    await trx
      .updateTable("experiments")
      .set({ lifecycle_stage: stage, last_update_time: Date.now() })
      .where("experiment_id", "=", id)
      .execute();
  });
}

async function requireExperiment(db: MetadataDb, id: number) {
  const row = await db
    .selectFrom("experiments")
    .select(["experiment_id", "lifecycle_stage"])
    .where("experiment_id", "=", id)
    .executeTakeFirst();
  if (row === undefined) {
    throw new PlinthError("TRACKING_EXPERIMENT_NOT_FOUND", `No Experiment with id=${id} exists`, {
      field: "experiment_id",
    });
  }
  return row;
}

type ExperimentRow = Omit<ExperimentsTable, "experiment_id"> & { experiment_id: number };

async function withTags(db: MetadataDb, rows: ExperimentRow[]): Promise<Experiment[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => Number(r.experiment_id));
  const tags = await db
    .selectFrom("experiment_tags")
    .selectAll()
    .where("experiment_id", "in", ids)
    .execute();
  const byId = new Map<number, KeyValue[]>();
  for (const t of tags) {
    const id = Number(t.experiment_id);
    const list = byId.get(id) ?? [];
    list.push({ key: t.key, value: t.value });
    byId.set(id, list);
  }
  return rows.map((r) => ({
    experimentId: String(r.experiment_id),
    name: r.name,
    artifactLocation: r.artifact_location,
    lifecycleStage: r.lifecycle_stage,
    creationTime: Number(r.creation_time),
    lastUpdateTime: Number(r.last_update_time),
    tags: byId.get(Number(r.experiment_id)) ?? [],
  }));
}

function validateName(name: unknown, field = "name"): string {
  if (typeof name !== "string" || name.trim() === "") {
    throw invalidArgument(field, "an experiment name must be a non-empty string");
  }
  return validateStringValue(name, field, LIMITS.experimentNameLength);
}

/** The last value for each key wins, as when the same tag is set twice in a row. */
export function dedupeByKey<T extends { key: string }>(items: readonly T[]): T[] {
  return [...new Map(items.map((i) => [i.key, i])).values()];
}

function experimentExists(name: string): PlinthError {
  return new PlinthError("TRACKING_EXPERIMENT_EXISTS", `Experiment '${name}' already exists.`, {
    field: "name",
  });
}

function notActive(experimentId: string, verb: string): PlinthError {
  return new PlinthError(
    "TRACKING_EXPERIMENT_NOT_ACTIVE",
    `Experiment ${experimentId} cannot be ${verb} in its current lifecycle stage`,
    { field: "experiment_id" },
  );
}
