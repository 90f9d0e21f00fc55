import type { MetadataConfig } from "../core/config.ts";
import type { MetadataStore } from "./metadata-store.ts";
import { createPostgresMetadataStore } from "./postgres/create-postgres-metadata-store.ts";
import { createSqliteMetadataStore } from "./sqlite/create-sqlite-metadata-store.ts";

/** Opens (and migrates) the metadata store the configuration names. */
export function createMetadataStore(config: MetadataConfig): Promise<MetadataStore> {
  switch (config.type) {
    case "sqlite":
      return createSqliteMetadataStore({ path: config.path });
    case "postgres":
      return createPostgresMetadataStore(
        config.schema === undefined
          ? { url: config.url }
          : { url: config.url, schema: config.schema },
      );
  }
}
