import { type Kysely, type Migration, type MigrationProvider, Migrator } from "kysely";
import { PlinthError } from "../core/errors.ts";
import type { MetadataDialect } from "./metadata-store.ts";
import * as initial from "./migrations/001-initial.ts";
import * as searchAndIngestLayout from "./migrations/002-search-and-ingest-layout.ts";
import * as pipelines from "./migrations/003-pipelines.ts";
import * as featureMaterialization from "./migrations/004-feature-materialization.ts";
import * as featureRegistry from "./migrations/005-feature-registry.ts";
import * as pipelineSchedules from "./migrations/006-pipeline-schedules.ts";
import * as deployments from "./migrations/007-deployments.ts";
import * as predictionLabels from "./migrations/008-prediction-labels.ts";

/** Migrations in order; a name, once released, never changes. */
const MIGRATIONS: ReadonlyArray<{ name: string; up: typeof initial.up }> = [
  { name: "001-initial", up: initial.up },
  { name: "002-search-and-ingest-layout", up: searchAndIngestLayout.up },
  { name: "003-pipelines", up: pipelines.up },
  { name: "004-feature-materialization", up: featureMaterialization.up },
  { name: "005-feature-registry", up: featureRegistry.up },
  { name: "006-pipeline-schedules", up: pipelineSchedules.up },
  { name: "007-deployments", up: deployments.up },
  { name: "008-prediction-labels", up: predictionLabels.up },
];

/**
 * Brings the schema up to date. Each migration runs in its own transaction, and Kysely's
 * migration lock keeps two servers starting at once from both applying it.
 */
export async function migrateToLatest(
  // biome-ignore lint/suspicious/noExplicitAny: the migrator works below the typed schema
  db: Kysely<any>,
  dialect: MetadataDialect,
  /**
   * PostgreSQL only: the schema holding the migration tables. Kysely's existence check
   * otherwise matches a same-named table in any schema, so two plinth schemas in one
   * database would share (and miss) each other's lock table.
   */
  schema?: string,
): Promise<void> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, Migration> = {};
      for (const m of MIGRATIONS) out[m.name] = { up: (trx) => m.up(trx, dialect) };
      return out;
    },
  };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: "plinth_migrations",
    migrationLockTableName: "plinth_migrations_lock",
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
  let { error, results } = await migrator.migrateToLatest();
  // Kysely checks for its tables with a query over the whole catalog, which PostgreSQL
  // fails with "schema does not exist" (3F000) when another session drops some schema
  // meanwhile; nothing was applied then, so it is retried.
  for (let retry = 0; retry < 5 && isConcurrentSchemaDrop(error); retry++) {
    await new Promise((resolve) => setTimeout(resolve, 50 * (retry + 1)));
    ({ error, results } = await migrator.migrateToLatest());
  }
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    if (error instanceof Error && /corrupted migrations/i.test(error.message)) {
      throw new PlinthError(
        "METADATA_SCHEMA_TOO_NEW",
        "The metadata store has migrations this plinth does not know; upgrade plinth",
        { cause: error },
      );
    }
    throw new PlinthError(
      "METADATA_UNAVAILABLE",
      `Migration ${failed ?? "(unknown)"} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

function isConcurrentSchemaDrop(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === "3F000";
}
