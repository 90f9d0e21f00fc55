import type { Selectable, Transaction } from "kysely";
import { invalidArgument, PlinthError } from "../../../core/errors.ts";
import { hashJson } from "../../../core/hash.ts";
import type { MetadataDb, MetadataStore } from "../../../metadata/metadata-store.ts";
import type {
  FeatureRegistryAppliesTable,
  FeatureRegistryObjectsTable,
  MetadataSchema,
} from "../../../metadata/schema.ts";
import { isUniqueViolation } from "../../../metadata/unique-violation.ts";
import type { FeatureRegistry, RegistryApplyRecord } from "../feature-registry.ts";
import type { RegistryObject, RegistrySnapshot } from "../registry-object.ts";
import { planRegistryChanges, type RegistryChange, type RegistryPlan } from "../registry-plan.ts";
import { KIND_LABELS, REGISTRY_KINDS, type RegistryObjectKind } from "../registry-spec.ts";
import { toRegistrySpecs } from "../to-registry-specs.ts";

const MAX_TEXT_LENGTH = 4096;

/**
 * The feature registry in the metadata store's `feature_registry_objects` and
 * `feature_registry_applies` tables; the same queries serve SQLite and PostgreSQL.
 *
 * An apply reads the registry, plans and writes inside one transaction, and claims its
 * revision number (the applies table's primary key) before writing anything else, so of
 * two applies planned against one revision exactly one commits; the other rolls back whole
 * and reports FEATURES_REGISTRY_CONFLICT.
 *
 * @example
 * const registry = createMetadataFeatureRegistry(platform.metadata);
 * const plan = await registry.plan(await loadFeatureDefinitions("features.ts"));
 */
export function createMetadataFeatureRegistry(metadata: MetadataStore): FeatureRegistry {
  return {
    async plan(definitions) {
      return planRegistryChanges(await readSnapshot(metadata.db), toRegistrySpecs(definitions));
    },

    async apply(definitions, options = {}) {
      const next = toRegistrySpecs(definitions);
      const actor = text(options.actor ?? "anonymous", "actor");
      const module = text(options.module ?? "", "module");
      const expected = options.expectedRevision;
      if (expected !== undefined && (!Number.isSafeInteger(expected) || expected < 0)) {
        throw invalidArgument("expectedRevision", "must be a revision number (an integer >= 0)");
      }
      try {
        return await metadata.transaction(async (trx) => {
          const snapshot = await readSnapshot(trx);
          if (expected !== undefined && expected !== snapshot.revision) {
            throw conflict(`it is at revision ${snapshot.revision}, not ${expected}`);
          }
          const plan = planRegistryChanges(snapshot, next);
          const record: RegistryApplyRecord = {
            revision: snapshot.revision + 1,
            at: Date.now(),
            actor,
            module,
            forced: options.force === true,
            changes: plan.changes,
          };
          if (plan.changes.length === 0) {
            return { applied: false, record: { ...record, revision: snapshot.revision } };
          }
          if (plan.hasBreakingChanges && options.force !== true) throw breaking(plan);
          await trx
            .insertInto("feature_registry_applies")
            .values({
              revision: record.revision,
              at: record.at,
              actor,
              module,
              forced: record.forced ? 1 : 0,
              changes: JSON.stringify(plan.changes),
            })
            .execute();
          for (const change of plan.changes) await writeChange(trx, change, record);
          return { applied: true, record };
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict("another apply committed first", error);
        throw error;
      }
    },

    async list() {
      const snapshot = await readSnapshot(metadata.db);
      return {
        revision: snapshot.revision,
        objects: REGISTRY_KINDS.flatMap((k) => [...snapshot.active[k].values()]),
      };
    },

    async lookup(name, options = {}) {
      text(name, "name");
      if (name === "") throw invalidArgument("name", "is empty");
      const { kind, version } = options;
      if (kind !== undefined && !REGISTRY_KINDS.includes(kind)) {
        throw invalidArgument("kind", `must be one of ${REGISTRY_KINDS.join(", ")}`);
      }
      if (version !== undefined && (!Number.isSafeInteger(version) || version < 1)) {
        throw invalidArgument("version", "must be a positive integer");
      }
      let query = metadata.db
        .selectFrom("feature_registry_objects")
        .selectAll()
        .where("name", "=", name);
      if (kind !== undefined) query = query.where("kind", "=", kind);
      if (version !== undefined) query = query.where("version", "=", version);
      const rows = await query.orderBy("kind").orderBy("version", "desc").execute();
      if (rows.length === 0) {
        const what = kind === undefined ? "object" : KIND_LABELS[kind];
        throw new PlinthError(
          "FEATURES_NOT_IN_REGISTRY",
          `No applied ${what} is named '${name}'${version === undefined ? "" : ` at version ${version}`}; run 'plinth features list' to see what is applied`,
          { field: name },
        );
      }
      return rows.map(toObject);
    },

    async findVersion(kind, name, specHash) {
      const row = await metadata.db
        .selectFrom("feature_registry_objects")
        .select("version")
        .where("kind", "=", kind)
        .where("name", "=", name)
        .where("spec_hash", "=", specHash)
        .orderBy("version", "desc")
        .executeTakeFirst();
      return row === undefined ? undefined : Number(row.version);
    },

    async history(options = {}) {
      const limit = options.limit ?? 50;
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > 10_000) {
        throw invalidArgument("limit", "must be an integer from 1 to 10000");
      }
      const rows = await metadata.db
        .selectFrom("feature_registry_applies")
        .selectAll()
        .orderBy("revision", "desc")
        .limit(limit)
        .execute();
      return rows.map(toRecord);
    },
  };
}

async function readSnapshot(db: MetadataDb): Promise<RegistrySnapshot> {
  const revision = await db
    .selectFrom("feature_registry_applies")
    .select((eb) => eb.fn.max("revision").as("revision"))
    .executeTakeFirst();
  const rows = await db
    .selectFrom("feature_registry_objects")
    .selectAll()
    .where("status", "=", "active")
    .orderBy("name")
    .execute();
  const versions = await db
    .selectFrom("feature_registry_objects")
    .select((eb) => ["kind", "name", eb.fn.max("version").as("version")])
    .groupBy(["kind", "name"])
    .execute();
  const active = Object.fromEntries(REGISTRY_KINDS.map((k) => [k, new Map()])) as Record<
    RegistryObjectKind,
    Map<string, RegistryObject>
  >;
  for (const row of rows) active[row.kind].set(row.name, toObject(row));
  return {
    revision: Number(revision?.revision ?? 0),
    active: active as RegistrySnapshot["active"],
    lastVersion: new Map(versions.map((v) => [`${v.kind}/${v.name}`, Number(v.version)])),
  };
}

async function writeChange(
  trx: Transaction<MetadataSchema>,
  change: RegistryChange,
  record: RegistryApplyRecord,
): Promise<void> {
  const touch = { updated_revision: record.revision, updated_at: record.at };
  const current = trx
    .updateTable("feature_registry_objects")
    .where("kind", "=", change.kind)
    .where("name", "=", change.name)
    .where("version", "=", change.fromVersion ?? 0);
  if (change.action === "remove") {
    await current.set({ status: "removed", ...touch }).execute();
    return;
  }
  const spec = { spec: JSON.stringify(change.spec), spec_hash: hashJson(change.spec) };
  if (change.action === "change" && change.toVersion === change.fromVersion) {
    await current.set({ ...spec, ...touch }).execute();
    return;
  }
  // A breaking change keeps the old version, superseded, before the new one becomes active
  // (the partial unique index allows one active version per name).
  if (change.action === "change") await current.set({ status: "superseded", ...touch }).execute();
  await trx
    .insertInto("feature_registry_objects")
    .values({
      kind: change.kind,
      name: change.name,
      version: change.toVersion!,
      status: "active",
      ...spec,
      created_revision: record.revision,
      created_at: record.at,
      ...touch,
    })
    .execute();
}

function toObject(row: Selectable<FeatureRegistryObjectsTable>): RegistryObject {
  return {
    kind: row.kind,
    name: row.name,
    version: Number(row.version),
    status: row.status,
    spec: JSON.parse(row.spec),
    specHash: row.spec_hash,
    createdRevision: Number(row.created_revision),
    updatedRevision: Number(row.updated_revision),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  } as RegistryObject;
}

function toRecord(row: Selectable<FeatureRegistryAppliesTable>): RegistryApplyRecord {
  return {
    revision: Number(row.revision),
    at: Number(row.at),
    actor: row.actor,
    module: row.module,
    forced: Number(row.forced) === 1,
    changes: JSON.parse(row.changes),
  };
}

function breaking(plan: RegistryPlan): PlinthError {
  const refused = plan.changes.filter((c) => c.breaking.length > 0);
  const lines = refused.map((c) => `${KIND_LABELS[c.kind]} '${c.name}' ${c.breaking.join("; ")}`);
  const versions = refused
    .filter((c) => c.toVersion !== null)
    .map((c) => `${c.name}@v${c.toVersion}`);
  return new PlinthError(
    "FEATURES_BREAKING_CHANGE",
    `Refused ${refused.length} breaking change${refused.length === 1 ? "" : "s"}: ${lines.join(". ")}. ` +
      `Nothing was applied. To apply ${refused.length === 1 ? "it" : "them"} as new versions` +
      `${versions.length > 0 ? ` (${versions.join(", ")})` : ""}, keeping the old versions readable, ` +
      `run 'plinth features apply --force' (force: true); or make the definitions compatible`,
    { field: refused[0]!.name },
  );
}

function conflict(why: string, cause?: unknown): PlinthError {
  return new PlinthError(
    "FEATURES_REGISTRY_CONFLICT",
    `The feature registry changed while applying (${why}); nothing was applied. Run plan again and re-apply`,
    { field: "revision", cause },
  );
}

function text(value: unknown, field: string): string {
  if (typeof value !== "string") throw invalidArgument(field, "must be a string");
  if (value.length > MAX_TEXT_LENGTH)
    throw invalidArgument(field, `is longer than ${MAX_TEXT_LENGTH} characters`);
  return value;
}
