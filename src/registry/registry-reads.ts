import { PlinthError } from "../core/errors.ts";
import type { MetadataDb } from "../metadata/metadata-store.ts";
import type { ModelVersionsTable, RegisteredModelsTable } from "../metadata/schema.ts";
import type { KeyValue } from "../tracking/types.ts";
import {
  DELETED_STAGE,
  type ModelVersion,
  type RegisteredModel,
  STAGES,
  type Stage,
} from "./types.ts";

/** The registered model row, or REGISTRY_MODEL_NOT_FOUND. */
export async function requireModel(db: MetadataDb, name: string): Promise<RegisteredModelsTable> {
  const row = await db
    .selectFrom("registered_models")
    .selectAll()
    .where("name", "=", name)
    .executeTakeFirst();
  if (row === undefined) {
    throw new PlinthError(
      "REGISTRY_MODEL_NOT_FOUND",
      `Registered Model with name=${name} not found`,
      {
        field: "name",
      },
    );
  }
  return row;
}

/** The live (not deleted) version row, or REGISTRY_VERSION_NOT_FOUND. */
export async function requireVersion(
  db: MetadataDb,
  name: string,
  version: number,
): Promise<ModelVersionsTable> {
  const row = await db
    .selectFrom("model_versions")
    .selectAll()
    .where("name", "=", name)
    .where("version", "=", version)
    .where("current_stage", "!=", DELETED_STAGE)
    .executeTakeFirst();
  if (row === undefined) {
    throw new PlinthError(
      "REGISTRY_VERSION_NOT_FOUND",
      `Model Version (name=${name}, version=${version}) not found`,
      { field: "version" },
    );
  }
  return row;
}

/** Versions with their tags and aliases. */
export async function loadVersions(
  db: MetadataDb,
  rows: readonly ModelVersionsTable[],
): Promise<ModelVersion[]> {
  if (rows.length === 0) return [];
  const names = [...new Set(rows.map((r) => r.name))];
  const [tags, aliases] = await Promise.all([
    db.selectFrom("model_version_tags").selectAll().where("name", "in", names).execute(),
    db.selectFrom("registered_model_aliases").selectAll().where("name", "in", names).execute(),
  ]);
  const keyOf = (name: string, version: number) => `${name}\u0000${version}`;
  const tagsOf = group(tags, (t) => keyOf(t.name, Number(t.version)));
  const aliasesOf = group(aliases, (a) => keyOf(a.name, Number(a.version)));
  return rows.map((r) => {
    const key = keyOf(r.name, Number(r.version));
    return {
      name: r.name,
      version: String(r.version),
      creationTimestamp: Number(r.creation_timestamp),
      lastUpdatedTimestamp: Number(r.last_updated_timestamp),
      currentStage: r.current_stage as Stage,
      description: r.description,
      userId: r.user_id,
      source: r.source,
      runId: r.run_id,
      runLink: r.run_link,
      status: r.status,
      statusMessage: r.status_message,
      tags: (tagsOf.get(key) ?? []).map((t): KeyValue => ({ key: t.key, value: t.value })),
      aliases: (aliasesOf.get(key) ?? []).map((a) => a.alias),
      signature: r.signature === "" ? undefined : JSON.parse(r.signature),
    };
  });
}

/** Registered models with tags, aliases and the newest version in each stage. */
export async function loadModels(
  db: MetadataDb,
  rows: readonly RegisteredModelsTable[],
): Promise<RegisteredModel[]> {
  if (rows.length === 0) return [];
  const names = rows.map((r) => r.name);
  const [tags, aliases, latest] = await Promise.all([
    db.selectFrom("registered_model_tags").selectAll().where("name", "in", names).execute(),
    db.selectFrom("registered_model_aliases").selectAll().where("name", "in", names).execute(),
    latestVersionRows(db, names, STAGES),
  ]);
  const tagsOf = group(tags, (t) => t.name);
  const aliasesOf = group(aliases, (a) => a.name);
  const latestOf = group(await loadVersions(db, latest), (v) => v.name);
  return rows.map((r) => ({
    name: r.name,
    creationTimestamp: Number(r.creation_timestamp),
    lastUpdatedTimestamp: Number(r.last_updated_timestamp),
    description: r.description,
    tags: (tagsOf.get(r.name) ?? []).map((t) => ({ key: t.key, value: t.value })),
    aliases: (aliasesOf.get(r.name) ?? []).map((a) => ({
      alias: a.alias,
      version: String(a.version),
    })),
    latestVersions: latestOf.get(r.name) ?? [],
  }));
}

/** For each model and each requested stage, the row of its highest version in that stage. */
export async function latestVersionRows(
  db: MetadataDb,
  names: readonly string[],
  stages: readonly Stage[],
): Promise<ModelVersionsTable[]> {
  if (names.length === 0 || stages.length === 0) return [];
  const rows = await db
    .selectFrom("model_versions")
    .selectAll()
    .where("name", "in", names)
    .where("current_stage", "in", stages)
    .orderBy("name")
    .orderBy("version", "desc")
    .execute();
  const seen = new Set<string>();
  return rows
    .filter((r) => {
      const key = `${r.name}\u0000${r.current_stage}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) =>
      a.name === b.name ? Number(a.version) - Number(b.version) : a.name < b.name ? -1 : 1,
    );
}

function group<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = out.get(key);
    if (list === undefined) out.set(key, [item]);
    else list.push(item);
  }
  return out;
}
