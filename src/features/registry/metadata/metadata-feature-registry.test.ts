import { sql } from "kysely";
import type { MetadataStore } from "../../../metadata/metadata-store.ts";
import { metadataBackends } from "../../../metadata/testing/metadata-backends.ts";
import { runFeatureRegistryContract } from "../feature-registry.contract.ts";
import { createMetadataFeatureRegistry } from "./create-metadata-feature-registry.ts";

/** Installs a trigger that aborts any insert or update of the registry object `name`. */
async function failWritesOf(store: MetadataStore, name: string): Promise<void> {
  const literal = sql.lit(name);
  if (store.dialect === "sqlite") {
    for (const event of ["INSERT", "UPDATE"]) {
      await sql`CREATE TRIGGER ${sql.id(`fail_${event}_${name}`)} BEFORE ${sql.raw(event)} ON feature_registry_objects
        WHEN NEW.name = ${literal} BEGIN SELECT RAISE(ABORT, 'injected failure'); END`.execute(
        store.db,
      );
    }
    return;
  }
  await sql`CREATE FUNCTION ${sql.id(`fail_${name}`)}() RETURNS trigger AS $$
    BEGIN IF NEW.name = ${literal} THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END
    $$ LANGUAGE plpgsql`.execute(store.db);
  await sql`CREATE TRIGGER ${sql.id(`fail_${name}`)} BEFORE INSERT OR UPDATE ON feature_registry_objects
    FOR EACH ROW EXECUTE FUNCTION ${sql.id(`fail_${name}`)}()`.execute(store.db);
}

for (const backend of metadataBackends()) {
  runFeatureRegistryContract(backend.name, async () => {
    const { store, cleanup } = await backend.open();
    return {
      registry: createMetadataFeatureRegistry(store),
      failWritesOf: (name) => failWritesOf(store, name),
      cleanup,
    };
  });
}
