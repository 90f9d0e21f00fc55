import type { Kysely, Transaction } from "kysely";
import type { MetadataSchema } from "./schema.ts";

/** Which SQL engine a metadata store runs on; modules branch on it only for SQL the two spell differently. */
export type MetadataDialect = "sqlite" | "postgres";

/** A typed handle on the metadata tables, inside or outside a transaction. */
export type MetadataDb = Kysely<MetadataSchema> | Transaction<MetadataSchema>;

/**
 * The metadata store: tracking, registry and (later) feature, pipeline and monitoring
 * metadata, behind one typed query layer. Backends differ only in the Kysely dialect
 * they build and how they open the database; every query above this interface is
 * written once.
 */
export interface MetadataStore {
  /** The SQL engine underneath. */
  readonly dialect: MetadataDialect;
  /** The typed query builder over the metadata tables. */
  readonly db: Kysely<MetadataSchema>;
  /**
   * Runs `work` in one transaction: it commits when `work` resolves and rolls back when it
   * throws, so a failed operation leaves no partial state.
   */
  transaction<T>(work: (trx: Transaction<MetadataSchema>) => Promise<T>): Promise<T>;
  /** Closes connections; the store is unusable afterwards. */
  close(): Promise<void>;
}
