import type { Selectable } from "kysely";
import { PlinthError } from "../../../core/errors.ts";
import type { MetadataStore } from "../../../metadata/metadata-store.ts";
import type { PipelineDefinitionsTable } from "../../../metadata/schema.ts";
import { BUILTIN_PIPELINES } from "../../builtin/builtin-pipelines.ts";
import { BUILTIN_PREFIX } from "../../definition/load-pipeline-module.ts";
import type { RegisteredPipeline, RegisteredPipelineStore } from "../registered-pipeline-store.ts";

/**
 * Registered pipelines in the metadata store's `pipeline_definitions` table, with the
 * built-in pipelines listed beside them.
 *
 * @example
 * const pipelines = createMetadataRegisteredPipelineStore(platform.metadata);
 * const { module } = await pipelines.get("training");
 */
export function createMetadataRegisteredPipelineStore(
  metadata: MetadataStore,
): RegisteredPipelineStore {
  const { db } = metadata;
  const builtin = (name: string): RegisteredPipeline | undefined => {
    const p = Object.hasOwn(BUILTIN_PIPELINES, name) ? BUILTIN_PIPELINES[name] : undefined;
    return p === undefined
      ? undefined
      : {
          name,
          module: `${BUILTIN_PREFIX}${name}`,
          description: p.description ?? "",
          params: p.params,
          builtin: true,
          createdAt: 0,
          updatedAt: 0,
        };
  };
  const taken = (name: string) =>
    new PlinthError(
      "PIPELINES_NAME_TAKEN",
      `'${name}' is a built-in pipeline; give yours another name`,
      { field: "name" },
    );
  const notRegistered = (name: string) =>
    new PlinthError(
      "PIPELINES_NOT_REGISTERED",
      `No pipeline is registered as '${name}'; register it with 'plinth pipeline register FILE'`,
      { field: "pipeline" },
    );

  const store: RegisteredPipelineStore = {
    async register(input) {
      if (builtin(input.name) !== undefined) throw taken(input.name);
      const now = Date.now();
      const row = {
        name: input.name,
        module: input.module,
        description: input.description,
        params: JSON.stringify(input.params),
        updated_at: now,
      };
      await db
        .insertInto("pipeline_definitions")
        .values({ ...row, created_at: now })
        .onConflict((oc) => oc.column("name").doUpdateSet(row))
        .execute();
      return store.get(input.name);
    },

    async get(name) {
      const known = builtin(name);
      if (known !== undefined) return known;
      const row = await db
        .selectFrom("pipeline_definitions")
        .selectAll()
        .where("name", "=", name)
        .executeTakeFirst();
      if (row === undefined) throw notRegistered(name);
      return toRecord(row);
    },

    async list() {
      const rows = await db
        .selectFrom("pipeline_definitions")
        .selectAll()
        .orderBy("name")
        .execute();
      const builtins = Object.keys(BUILTIN_PIPELINES)
        .sort()
        .map((n) => builtin(n) as RegisteredPipeline);
      return [...builtins, ...rows.map(toRecord)];
    },

    async remove(name) {
      if (builtin(name) !== undefined) throw taken(name);
      const result = await db
        .deleteFrom("pipeline_definitions")
        .where("name", "=", name)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw notRegistered(name);
    },
  };
  return Object.freeze(store);
}

function toRecord(row: Selectable<PipelineDefinitionsTable>): RegisteredPipeline {
  return {
    name: row.name,
    module: row.module,
    description: row.description,
    params: JSON.parse(row.params),
    builtin: false,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
