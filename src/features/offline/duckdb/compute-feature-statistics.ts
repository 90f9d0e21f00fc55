import type { DuckDBConnection } from "@duckdb/node-api";
import type { Field } from "../../definitions/value-type.ts";
import {
  type FeatureStatistics,
  type FeatureSummary,
  QUANTILE_LEVELS,
} from "../feature-statistics.ts";
import { quoteIdentifier } from "./sql-names.ts";

/** How many most-frequent values a categorical summary keeps. */
const TOP_CATEGORIES = 10;

/**
 * Summarises feature columns of `table` in DuckDB, one aggregate query per column, so a
 * training set of any size is never pulled into JavaScript to be profiled.
 *
 * @example
 * const stats = await computeFeatureStatistics(connection, "output", [{ name: "rating", type: "float64" }]);
 */
export async function computeFeatureStatistics(
  connection: DuckDBConnection,
  table: string,
  fields: readonly Field[],
): Promise<FeatureStatistics> {
  const from = quoteIdentifier(table);
  const count = await connection.runAndReadAll(`SELECT count(*) FROM ${from}`);
  const numRows = Number(count.getRowsJS()[0]?.[0] ?? 0);
  const features: FeatureSummary[] = [];
  for (const field of fields) {
    const col = quoteIdentifier(field.name);
    if (field.type === "int64" || field.type === "float64") {
      // NaN is a missing float, as in frames and TrainingDataset.
      const x =
        field.type === "float64"
          ? `CASE WHEN isnan(${col}) THEN NULL ELSE ${col} END`
          : `CAST(${col} AS DOUBLE)`;
      const levels = QUANTILE_LEVELS.map(String).join(", ");
      const r = await connection.runAndReadAll(
        `WITH v AS (SELECT ${x} AS x FROM ${from})
         SELECT count(x), count(*) - count(x), min(x), max(x), avg(x), stddev_samp(x), quantile_disc(x, [${levels}]) FROM v`,
      );
      const [n, missing, min, max, mean, std, quantiles] = r.getRowsJS()[0]!;
      const qs = (quantiles as (number | null)[] | null) ?? [];
      features.push({
        name: field.name,
        type: field.type,
        count: Number(n),
        missing: Number(missing),
        min: numberOrNull(min),
        max: numberOrNull(max),
        mean: numberOrNull(mean),
        std: numberOrNull(std),
        quantiles: Object.fromEntries(
          QUANTILE_LEVELS.map((q, i) => [String(q), numberOrNull(qs[i])]),
        ),
      });
    } else if (field.type === "timestamp") {
      const r = await connection.runAndReadAll(
        `SELECT count(${col}), count(*) - count(${col}), epoch_ms(min(${col})), epoch_ms(max(${col})) FROM ${from}`,
      );
      const [n, missing, min, max] = r.getRowsJS()[0]!;
      features.push({
        name: field.name,
        type: field.type,
        count: Number(n),
        missing: Number(missing),
        min: numberOrNull(min),
        max: numberOrNull(max),
      });
    } else {
      const r = await connection.runAndReadAll(
        `SELECT count(${col}), count(*) - count(${col}), count(DISTINCT ${col}) FROM ${from}`,
      );
      const [n, missing, distinct] = r.getRowsJS()[0]!;
      const top = await connection.runAndReadAll(
        `SELECT CAST(${col} AS VARCHAR) AS v, count(*) AS c FROM ${from} WHERE ${col} IS NOT NULL
         GROUP BY 1 ORDER BY c DESC, v ASC LIMIT ${TOP_CATEGORIES}`,
      );
      features.push({
        name: field.name,
        type: field.type,
        count: Number(n),
        missing: Number(missing),
        distinct: Number(distinct),
        topCategories: top
          .getRowsJS()
          .map(([value, c]) => ({ value: String(value), count: Number(c) })),
      });
    }
  }
  return { numRows, features };
}

function numberOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}
