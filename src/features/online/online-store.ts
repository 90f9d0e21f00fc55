/**
 * A feature value as an online store keeps it: JSON-safe, so every backend stores the same
 * thing. `online-value-codec.ts` maps typed values to and from it (int64 as a decimal
 * string, timestamps as epoch microseconds, non-finite floats as strings).
 */
export type OnlineValue = string | number | boolean | null;

/** Created time of a record whose source row had none: it loses every tie, as offline. */
export const NO_CREATED_TIME = Number.MIN_SAFE_INTEGER;

/** The latest feature values of one entity in one feature view. */
export interface OnlineRecord {
  /** The entity's join-key values, encoded by `encodeEntityKey`. */
  readonly entityKey: string;
  /** Event time of the values, epoch microseconds. */
  readonly eventMicros: number;
  /** Created time (epoch microseconds), the tie-breaker between equal event times; NO_CREATED_TIME when unknown. */
  readonly createdMicros: number;
  /** Encoded values by feature name; null is a stored null. */
  readonly values: Readonly<Record<string, OnlineValue>>;
  /** When the store may drop the record (epoch milliseconds); null keeps it until overwritten or deleted. */
  readonly expiresAtMs: number | null;
}

/** What a read finds for one entity: the record's times and values, as written. */
export interface StoredRecord {
  readonly eventMicros: number;
  readonly createdMicros: number;
  readonly values: Readonly<Record<string, OnlineValue>>;
}

/** Entities to read from one feature view. */
export interface OnlineReadRequest {
  readonly view: string;
  readonly entityKeys: readonly string[];
}

/**
 * Where materialized and pushed feature values live for serving (Feast's online store).
 * Backends only move records; encoding values and keys, ttl and statuses are done above.
 * Every backend passes `online-store.contract.ts`.
 */
export interface OnlineStore {
  /** Names the storage (`sqlite:/path`, `redis://host:port/db#prefix`); materialization watermarks are kept per location. */
  readonly location: string;
  /**
   * Writes records of one view. A record replaces the stored one only when its event time
   * is later, or equal with a created time at least as late, decided inside the store's
   * own write, so concurrent and out-of-order writers never move an entity back in time.
   * Resolves to the number of records that replaced (or created) a stored one.
   */
  write(view: string, records: readonly OnlineRecord[]): Promise<number>;
  /**
   * Reads entities of several views in one round trip. The result has one array per
   * request, one entry per entity key, undefined where the store holds nothing (never
   * written, deleted, or past its expiry).
   */
  read(requests: readonly OnlineReadRequest[]): Promise<(StoredRecord | undefined)[][]>;
  /** Deletes entities of one view; resolves to how many existed. */
  delete(view: string, entityKeys: readonly string[]): Promise<number>;
  /** Deletes every entity of one view (a view removed from the definitions); resolves to how many existed. */
  dropView(view: string): Promise<number>;
  /** Removes records past their expiry now; resolves to how many. Redis expires keys itself and answers 0. */
  purgeExpired(): Promise<number>;
  /** Closes connections; the store is unusable afterwards. */
  close(): Promise<void>;
}
