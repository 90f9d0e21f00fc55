import type { Selectable } from "kysely";
import { isPlinthError, PlinthError } from "../../core/errors.ts";
import type { MetadataStore } from "../../metadata/metadata-store.ts";
import type { DeploymentsTable } from "../../metadata/schema.ts";
import { isUniqueViolation } from "../../metadata/unique-violation.ts";
import type { RegistryService } from "../../registry/registry-service.ts";
import type { Deployment, DeploymentVariant } from "./deployment.ts";
import type { DeploymentStore } from "./deployment-store.ts";
import {
  DEPLOYMENT_NAME,
  invalidDeployment,
  parseDeploymentSpec,
  parseDeploymentVariants,
} from "./parse-deployment-spec.ts";

const DEFAULT_THRESHOLD = 0.5;

/** What the `spec` column holds: everything but the name and the times. */
interface StoredSpec {
  readonly variants: readonly DeploymentVariant[];
  readonly stickyKey?: string;
  readonly threshold: number;
  readonly description: string;
}

/**
 * Deployments in the metadata store's `deployments` table (SQLite or PostgreSQL alike). Specs
 * are validated before anything is written, including that every variant's registered model
 * (and a pinned version) exists; each change is one statement or one transaction.
 *
 * @example
 * const deployments = createMetadataDeploymentStore(platform.metadata, platform.registry);
 * await deployments.create({ name: "fraud", variants: [{ name: "champion", model: "fraud", alias: "champion", weight: 100, shadow: false }] });
 */
export function createMetadataDeploymentStore(
  metadata: MetadataStore,
  registry: RegistryService,
): DeploymentStore {
  const { db } = metadata;

  const checkModels = async (variants: readonly DeploymentVariant[]): Promise<void> => {
    for (const [i, v] of variants.entries()) {
      try {
        if (v.version === undefined) await registry.models.get(v.model);
        else await registry.versions.get(v.model, v.version);
      } catch (error) {
        if (!isPlinthError(error)) throw error;
        const field = v.version === undefined || error.code === "REGISTRY_MODEL_NOT_FOUND";
        throw invalidDeployment(
          `variants.${i}.${field ? "model" : "version"}`,
          `variant '${v.name}': ${error.message}`,
        );
      }
    }
  };

  const read = async (name: string): Promise<Selectable<DeploymentsTable>> => {
    const row =
      typeof name === "string" && DEPLOYMENT_NAME.test(name)
        ? await db.selectFrom("deployments").selectAll().where("name", "=", name).executeTakeFirst()
        : undefined;
    if (row === undefined) throw notFound(name);
    return row;
  };

  return {
    async create(input) {
      const spec = parseDeploymentSpec(input);
      await checkModels(spec.variants);
      const now = Date.now();
      const stored: StoredSpec = {
        variants: spec.variants,
        ...(spec.stickyKey === undefined ? {} : { stickyKey: spec.stickyKey }),
        threshold: spec.threshold ?? DEFAULT_THRESHOLD,
        description: spec.description ?? "",
      };
      try {
        await db
          .insertInto("deployments")
          .values({
            name: spec.name,
            spec: JSON.stringify(stored),
            created_at: now,
            updated_at: now,
          })
          .execute();
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        throw new PlinthError(
          "DEPLOYMENT_ALREADY_EXISTS",
          `A deployment named '${spec.name}' already exists; change its variants or delete it first`,
          { field: "name" },
        );
      }
      return toDeployment({
        name: spec.name,
        spec: JSON.stringify(stored),
        created_at: now,
        updated_at: now,
      });
    },

    async get(name) {
      return toDeployment(await read(name));
    },

    async list() {
      const rows = await db.selectFrom("deployments").selectAll().orderBy("name").execute();
      return rows.map(toDeployment);
    },

    async setVariants(name, input) {
      const variants = parseDeploymentVariants(input);
      await checkModels(variants);
      return metadata.transaction(async (trx) => {
        const row = await trx
          .selectFrom("deployments")
          .selectAll()
          .where("name", "=", typeof name === "string" ? name : "")
          .executeTakeFirst();
        if (row === undefined) throw notFound(name);
        const spec: StoredSpec = { ...(JSON.parse(row.spec) as StoredSpec), variants };
        // Strictly later, so a watcher comparing updated_at sees every change.
        const now = Math.max(Date.now(), row.updated_at + 1);
        const text = JSON.stringify(spec);
        await trx
          .updateTable("deployments")
          .set({ spec: text, updated_at: now })
          .where("name", "=", row.name)
          .execute();
        return toDeployment({ ...row, spec: text, updated_at: now });
      });
    },

    async delete(name) {
      const result = await db
        .deleteFrom("deployments")
        .where("name", "=", typeof name === "string" ? name : "")
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) throw notFound(name);
    },
  };
}

function notFound(name: unknown): PlinthError {
  return new PlinthError(
    "DEPLOYMENT_NOT_FOUND",
    `No deployment is named ${JSON.stringify(String(name)).slice(0, 200)}`,
    { field: "name" },
  );
}

function toDeployment(row: Selectable<DeploymentsTable>): Deployment {
  const spec = JSON.parse(row.spec) as StoredSpec;
  return {
    name: row.name,
    variants: spec.variants,
    ...(spec.stickyKey === undefined ? {} : { stickyKey: spec.stickyKey }),
    threshold: spec.threshold,
    description: spec.description,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
