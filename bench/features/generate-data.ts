/**
 * The benchmark's data, made by DuckDB from hash-seeded expressions (so every run and
 * thread count makes the same bytes) and cached under bench/.data/features-<size>/:
 *
 * - entities.parquet: labelled events (row_id, user_id, merchant_id, event_timestamp,
 *   label) at random times in random order; 80% of them at one of the user's five usual
 *   merchants, so the composite-key view matches often;
 * - user_stats.parquet (50% of the feature rows): per user, three features, created_ts, ttl 7 days;
 * - merchant_stats.parquet (30%): per merchant, three features incl. a string, no ttl;
 * - user_merchant_stats.parquet (20%): per (user, merchant), two features, ttl 30 days.
 *
 * Feature rows are in event-time order (as event logs land) with event times strictly
 * increasing, so no two rows of a key share an event time: every peer's answer is then the
 * same, with no tie-breaking rule to disagree on. Some feature values are null.
 * The same tables as CSV (timestamps as epoch microseconds) feed pandas, which cannot read
 * Parquet here.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";

/** Sizes of one benchmark run. */
export interface BenchSize {
  readonly entities: number;
  readonly featureRows: number;
}

/** Where each generated file is. */
export interface BenchData {
  readonly dir: string;
  readonly size: BenchSize;
  readonly parquet: Readonly<Record<BenchTable, string>>;
  readonly csv: Readonly<Record<BenchTable, string>>;
}

export type BenchTable = "entities" | "user_stats" | "merchant_stats" | "user_merchant_stats";

const TABLES: readonly BenchTable[] = [
  "entities",
  "user_stats",
  "merchant_stats",
  "user_merchant_stats",
];
const SPAN_US = 182n * 86_400n * 1_000_000n;
const START = "TIMESTAMP '2024-01-01'";

function tableSql(table: BenchTable, size: BenchSize): string {
  const users = Math.max(10, Math.round(size.entities / 5));
  const merchants = Math.max(10, Math.round(size.entities / 50));
  // A strictly increasing event time for feature row i of n: step i, plus jitter within the step.
  const eventTime = (n: number, salt: number) => {
    const step = SPAN_US / BigInt(n);
    return `${START} + to_microseconds((i * ${step} + hash(i, ${salt}) % ${step})::BIGINT)`;
  };
  const nullable = (salt: number, percent: number, expr: string) =>
    `CASE WHEN hash(i, ${salt}) % 100 < ${percent} THEN NULL ELSE ${expr} END`;
  const usual = (user: string, salt: number) =>
    `((${user} * 7 + hash(i, ${salt}) % 5) % ${merchants})::BIGINT`;
  switch (table) {
    case "entities":
      return `SELECT i::BIGINT AS row_id,
          (hash(i, 1) % ${users})::BIGINT AS user_id,
          CASE WHEN hash(i, 2) % 10 < 8 THEN ${usual("user_id", 3)} ELSE (hash(i, 4) % ${merchants})::BIGINT END AS merchant_id,
          ${START} + to_microseconds((${SPAN_US / 6n} + hash(i, 5) % ${(SPAN_US * 5n) / 6n})::BIGINT) AS event_timestamp,
          (hash(i, 6) % 100 < 3)::INTEGER AS label
        FROM range(${size.entities}) t(i)`;
    case "user_stats": {
      const n = Math.round(size.featureRows * 0.5);
      return `SELECT (hash(i, 11) % ${users})::BIGINT AS user_id,
          ${eventTime(n, 12)} AS event_ts,
          event_ts + to_microseconds((hash(i, 13) % 3600000000)::BIGINT) AS created_ts,
          (hash(i, 14) % 50)::BIGINT AS txn_count_7d,
          ${nullable(15, 2, "(hash(i, 16) % 100000) / 100.0")}::DOUBLE AS avg_amount_7d,
          ((hash(i, 17) % 500000) / 100.0)::DOUBLE AS max_amount_7d
        FROM range(${n}) t(i)`;
    }
    case "merchant_stats": {
      const n = Math.round(size.featureRows * 0.3);
      return `SELECT (hash(i, 21) % ${merchants})::BIGINT AS merchant_id,
          ${eventTime(n, 22)} AS event_ts,
          ((hash(i, 23) % 10000) / 100000.0)::DOUBLE AS fraud_rate_30d,
          ${nullable(24, 2, "(hash(i, 25) % 100000)::BIGINT")} AS txn_volume_30d,
          'c' || (hash(i, 26) % 40)::VARCHAR AS category
        FROM range(${n}) t(i)`;
    }
    case "user_merchant_stats": {
      const n = Math.round(size.featureRows * 0.2);
      return `SELECT (hash(i, 31) % ${users})::BIGINT AS user_id,
          ${usual("user_id", 32)} AS merchant_id,
          ${eventTime(n, 33)} AS event_ts,
          (hash(i, 34) % 20)::BIGINT AS txn_count_90d,
          ${nullable(35, 5, "(hash(i, 36) % 200000) / 100.0")}::DOUBLE AS last_amount
        FROM range(${n}) t(i)`;
    }
  }
}

/** Makes (or reuses) the data of `size` under `root`. */
export async function generateBenchData(
  root: string,
  size: BenchSize,
  log: (message: string) => void,
): Promise<BenchData> {
  const dir = join(root, `features-${size.entities}x${size.featureRows}`);
  const path = (t: BenchTable, ext: string) => join(dir, `${t}.${ext}`);
  const data: BenchData = {
    dir,
    size,
    parquet: Object.fromEntries(TABLES.map((t) => [t, path(t, "parquet")])) as BenchData["parquet"],
    csv: Object.fromEntries(TABLES.map((t) => [t, path(t, "csv")])) as BenchData["csv"],
  };
  if (existsSync(join(dir, "done"))) return data;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    for (const table of TABLES) {
      log(`generating ${table}`);
      await connection.run(`CREATE TABLE ${table} AS ${tableSql(table, size)}`);
      await connection.run(`COPY ${table} TO '${data.parquet[table]}' (FORMAT parquet)`);
      // pandas reads timestamps faster as integers; they are epoch microseconds.
      const columns = await connection.runAndReadAll(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`,
      );
      const select = columns
        .getRowsJS()
        .map(([name, type]) =>
          String(type).startsWith("TIMESTAMP") ? `epoch_us(${name}) AS ${name}` : String(name),
        )
        .join(", ");
      await connection.run(
        `COPY (SELECT ${select} FROM ${table}) TO '${data.csv[table]}' (FORMAT csv, HEADER)`,
      );
      await connection.run(`DROP TABLE ${table}`);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  // Written last, so an interrupted generation is redone rather than reused.
  writeFileSync(join(dir, "done"), new Date().toISOString());
  return data;
}
