/** Checksums of a point-in-time join's result, so three peers' answers can be compared. */
import { DuckDBInstance } from "@duckdb/node-api";

/** Per feature: values present, their sum, and their sum weighted by row_id + 1 (order-free). */
export type Checksum = { readonly rows: number } & Record<
  string,
  number | { readonly count: number; readonly sum: number; readonly weighted: number }
>;

/**
 * The checksum of a result file, computed in DuckDB. Also refuses a file whose rows are not
 * in entity order (row_id = position), which the weighted sums alone would not notice.
 */
export async function parquetChecksum(
  path: string,
  features: readonly { name: string; kind: "int" | "float" | "category" }[],
): Promise<Checksum> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    const from = `read_parquet('${path}', file_row_number = true)`;
    const misplaced = await connection.runAndReadAll(
      `SELECT count(*) FROM ${from} WHERE row_id <> file_row_number`,
    );
    if (Number(misplaced.getRowsJS()[0]![0]) !== 0)
      throw new Error(`${path} is not in entity order`);
    const value = (f: (typeof features)[number]) =>
      f.kind === "category" ? `CAST(substr(${f.name}, 2) AS DOUBLE)` : `CAST(${f.name} AS DOUBLE)`;
    const parts = features.flatMap((f) => [
      `count(${f.name})`,
      `sum(${value(f)})`,
      `sum((row_id + 1)::DOUBLE * ${value(f)})`,
    ]);
    const row = (
      await connection.runAndReadAll(`SELECT count(*), ${parts.join(", ")} FROM ${from}`)
    ).getRowsJS()[0]!;
    const out: Record<string, unknown> = { rows: Number(row[0]) };
    features.forEach((f, i) => {
      out[f.name] = {
        count: Number(row[1 + 3 * i]),
        sum: Number(row[2 + 3 * i] ?? 0),
        weighted: Number(row[3 + 3 * i] ?? 0),
      };
    });
    return out as Checksum;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Equal counts, and sums equal to 1e-9 relative (they are added in different orders). */
export function sameChecksum(a: Checksum, b: Checksum): boolean {
  const close = (x: number, y: number) =>
    Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
  for (const key of Object.keys(b)) {
    const x = a[key];
    const y = b[key];
    if (typeof x === "number" || typeof y === "number" || x === undefined || y === undefined) {
      if (x !== y) return false;
      continue;
    }
    if (x.count !== y.count || !close(x.sum, y.sum) || !close(x.weighted, y.weighted)) return false;
  }
  return true;
}
