import { createReadStream } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { PlinthError } from "../../../core/errors.ts";
import { sha256Hex, sha256OfStream } from "../../../core/hash.ts";
import type { DataSource } from "../../definitions/sources.ts";

/** A FROM-clause relation for a source or entity file, with its one parameter. */
export interface Relation {
  /** `read_parquet($path)`, `read_csv($path)` or `(query)`. */
  readonly from: string;
  readonly params: Record<string, string>;
  /** The files read (sorted), empty for a query. */
  readonly files: readonly string[];
  /**
   * sha256 of the files' bytes in order, or of the query text. A promise, so hashing the
   * bytes overlaps the join instead of delaying it; lineage awaits it at the end.
   */
  readonly sha256: Promise<string>;
}

/**
 * Resolves a file or query into a relation and hashes its content. `onMissing` builds the
 * error for a path no file matches, so sources and entity files name themselves.
 */
export async function openRelation(
  connection: DuckDBConnection,
  spec: { format: "parquet" | "csv"; path: string } | { format: "sql"; query: string },
  baseDir: string,
  onMissing: (path: string) => PlinthError,
): Promise<Relation> {
  if (spec.format === "sql") {
    return {
      from: `(${spec.query})`,
      params: {},
      files: [],
      sha256: Promise.resolve(sha256Hex(spec.query)),
    };
  }
  const path = isAbsolute(spec.path) ? spec.path : resolve(baseDir, spec.path);
  const listed = await connection.runAndReadAll("SELECT file FROM glob($path) ORDER BY file", {
    path,
  });
  const files = listed.getRowsJS().map((r) => String(r[0]));
  if (files.length === 0) throw onMissing(path);
  const sha256 = hashFiles(files);
  // Whoever opened the relation may fail before awaiting the hash; that is not an error here.
  sha256.catch(() => {});
  const reader = spec.format === "parquet" ? "read_parquet" : "read_csv";
  return { from: `${reader}($path)`, params: { path }, files, sha256 };
}

async function hashFiles(files: readonly string[]): Promise<string> {
  const hashes: string[] = [];
  // 1 MiB reads: with the default 64 KiB, per-chunk overhead costs more than the hash itself.
  for (const file of files) {
    hashes.push(await sha256OfStream(createReadStream(file, { highWaterMark: 1 << 20 })));
  }
  return files.length === 1 ? hashes[0]! : sha256Hex(hashes.join("\n"));
}

/** The relation of a feature view's source; a missing file is FEATURES_SOURCE_NOT_FOUND. */
export function openSource(
  connection: DuckDBConnection,
  source: DataSource,
  baseDir: string,
): Promise<Relation> {
  return openRelation(
    connection,
    source.format === "sql"
      ? { format: "sql", query: source.query }
      : { format: source.format, path: source.path },
    baseDir,
    (path) =>
      new PlinthError(
        "FEATURES_SOURCE_NOT_FOUND",
        `Source '${source.name}': no file matches '${path}'`,
        {
          field: source.name,
        },
      ),
  );
}

/**
 * Column names and DuckDB types of a relation. A relation DuckDB cannot read (not Parquet,
 * a query that fails) becomes the error `onError` builds.
 */
export async function describeRelation(
  connection: DuckDBConnection,
  relation: Relation,
  onError: (message: string, cause: unknown) => PlinthError,
): Promise<Map<string, string>> {
  try {
    const reader = await connection.runAndReadAll(
      `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${relation.from})`,
      relation.params,
    );
    return new Map(reader.getRowsJS().map(([n, t]) => [String(n), String(t)]));
  } catch (cause) {
    throw onError((cause as Error).message.split("\n")[0] ?? "", cause);
  }
}
