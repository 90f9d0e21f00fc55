import { PlinthError } from "../../core/errors.ts";
import { assertIdentifier } from "./assert-identifier.ts";
import type { DataSource } from "./sources.ts";
import { validateFields } from "./validate-fields.ts";
import type { Field } from "./value-type.ts";

/**
 * A source whose rows are pushed at run time (a stream consumer, a request handler) as
 * well as stored in a batch source. Offline retrieval reads `batchSource`; a push writes to
 * the online store and appends to the batch source, so both paths see the same rows.
 */
export interface PushSource {
  readonly kind: "pushSource";
  readonly name: string;
  /** The columns a pushed row must carry (join keys, features, timestamps). */
  readonly schema: readonly Field[];
  readonly batchSource: DataSource;
  /**
   * Whether a push also appends its rows to the batch source (as a new Parquet file
   * matching its glob), so offline retrieval sees pushed rows too; default false.
   */
  readonly writeOffline: boolean;
  readonly description: string;
}

/**
 * Defines a push source over a batch source; a feature view may use it as its source.
 *
 * @example
 * export const liveTrips = pushSource({
 *   name: "live_trips",
 *   schema: [{ name: "driver_id", type: "int64" }, { name: "trips", type: "int64" },
 *            { name: "event_ts", type: "timestamp" }],
 *   batchSource: trips,
 * });
 */
export function pushSource(spec: {
  name: string;
  schema: readonly Field[];
  batchSource: DataSource;
  writeOffline?: boolean;
  description?: string;
}): PushSource {
  assertIdentifier(spec.name, "push source");
  if (spec.batchSource?.kind !== "source") {
    throw new PlinthError(
      "FEATURES_INVALID_DEFINITION",
      `Push source '${spec.name}' needs a batchSource made by parquetSource, csvSource or sqlSource`,
      { field: "batchSource" },
    );
  }
  const schema = validateFields(spec.schema, `push source '${spec.name}'`);
  if (!schema.some((f) => f.name === spec.batchSource.timestampField)) {
    throw new PlinthError(
      "FEATURES_INVALID_DEFINITION",
      `Push source '${spec.name}' schema lacks the batch source's timestamp field '${spec.batchSource.timestampField}'`,
      { field: "schema" },
    );
  }
  const writeOffline = spec.writeOffline ?? false;
  if (writeOffline && !appendable(spec.batchSource)) {
    throw new PlinthError(
      "FEATURES_INVALID_DEFINITION",
      `Push source '${spec.name}' has writeOffline, so its batchSource must be a parquetSource whose path is a glob like 'dir/*.parquet' (one '*' in the file name)`,
      { field: "writeOffline" },
    );
  }
  return Object.freeze({
    kind: "pushSource",
    name: spec.name,
    schema,
    batchSource: spec.batchSource,
    writeOffline,
    description: spec.description ?? "",
  });
}

/** A Parquet glob a new file can be added to: one `*` in the file name, no other glob syntax. */
function appendable(source: DataSource): boolean {
  if (source.format !== "parquet") return false;
  const name = source.path.split(/[\\/]/).at(-1) ?? "";
  const dir = source.path.slice(0, source.path.length - name.length);
  return /^[^*?[\]{}]*\*[^*?[\]{}]*\.parquet$/.test(name) && !/[*?[\]{}]/.test(dir);
}
