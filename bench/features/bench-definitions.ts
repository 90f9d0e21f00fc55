/** The benchmark's feature repo over the generated Parquet files, and the same join by hand. */

import { entity } from "../../src/features/definitions/entity.ts";
import {
  defineFeatures,
  type FeatureDefinitions,
} from "../../src/features/definitions/feature-definitions.ts";
import { featureService } from "../../src/features/definitions/feature-service.ts";
import { featureView } from "../../src/features/definitions/feature-view.ts";
import { parquetSource } from "../../src/features/definitions/sources.ts";
import type { BenchData } from "./generate-data.ts";

export const USER_TTL_DAYS = 7;
export const PAIR_TTL_DAYS = 30;

/** The output feature columns, in service order, with how each is checksummed. */
export const FEATURES: readonly { name: string; kind: "int" | "float" | "category" }[] = [
  { name: "txn_count_7d", kind: "int" },
  { name: "avg_amount_7d", kind: "float" },
  { name: "max_amount_7d", kind: "float" },
  { name: "fraud_rate_30d", kind: "float" },
  { name: "txn_volume_30d", kind: "int" },
  { name: "category", kind: "category" },
  { name: "txn_count_90d", kind: "int" },
  { name: "last_amount", kind: "float" },
];

/** Three views (one with a composite key) and a service reading all their features. */
export function benchDefinitions(data: BenchData): FeatureDefinitions {
  const user = entity({ name: "user", joinKeys: [{ name: "user_id", type: "int64" }] });
  const merchant = entity({ name: "merchant", joinKeys: [{ name: "merchant_id", type: "int64" }] });
  const pair = entity({
    name: "user_merchant",
    joinKeys: [
      { name: "user_id", type: "int64" },
      { name: "merchant_id", type: "int64" },
    ],
  });
  const userStats = featureView({
    name: "user_stats",
    entities: [user],
    schema: [
      { name: "txn_count_7d", type: "int64" },
      { name: "avg_amount_7d", type: "float64" },
      { name: "max_amount_7d", type: "float64" },
    ],
    source: parquetSource({
      name: "user_stats_src",
      path: data.parquet.user_stats,
      timestampField: "event_ts",
      createdTimestampField: "created_ts",
    }),
    ttlSeconds: USER_TTL_DAYS * 86_400,
  });
  const merchantStats = featureView({
    name: "merchant_stats",
    entities: [merchant],
    schema: [
      { name: "fraud_rate_30d", type: "float64" },
      { name: "txn_volume_30d", type: "int64" },
      { name: "category", type: "string" },
    ],
    source: parquetSource({
      name: "merchant_stats_src",
      path: data.parquet.merchant_stats,
      timestampField: "event_ts",
    }),
  });
  const pairStats = featureView({
    name: "user_merchant_stats",
    entities: [pair],
    schema: [
      { name: "txn_count_90d", type: "int64" },
      { name: "last_amount", type: "float64" },
    ],
    source: parquetSource({
      name: "user_merchant_stats_src",
      path: data.parquet.user_merchant_stats,
      timestampField: "event_ts",
    }),
    ttlSeconds: PAIR_TTL_DAYS * 86_400,
  });
  const service = featureService({
    name: "fraud_bench",
    features: [userStats, merchantStats, pairStats],
  });
  return defineFeatures([user, merchant, pair, userStats, merchantStats, pairStats, service]);
}

/**
 * The point-in-time join as an engineer would write it for DuckDB: one ASOF LEFT JOIN per
 * view straight over the Parquet files, the ttl as a CASE on the matched row, the entity
 * order restored at the end. Correct here because no key has two rows at one event time.
 */
export function handWrittenSql(data: BenchData): string {
  const ttl = (alias: string, days: number, column: string) =>
    `CASE WHEN ${alias}.event_ts >= e.event_timestamp - INTERVAL ${days} DAY THEN ${alias}.${column} END AS ${column}`;
  return `SELECT e.row_id, e.user_id, e.merchant_id, e.event_timestamp, e.label,
    ${ttl("u", USER_TTL_DAYS, "txn_count_7d")}, ${ttl("u", USER_TTL_DAYS, "avg_amount_7d")}, ${ttl("u", USER_TTL_DAYS, "max_amount_7d")},
    m.fraud_rate_30d, m.txn_volume_30d, m.category,
    ${ttl("p", PAIR_TTL_DAYS, "txn_count_90d")}, ${ttl("p", PAIR_TTL_DAYS, "last_amount")}
  FROM read_parquet('${data.parquet.entities}') e
  ASOF LEFT JOIN read_parquet('${data.parquet.user_stats}') u
    ON e.user_id = u.user_id AND e.event_timestamp >= u.event_ts
  ASOF LEFT JOIN read_parquet('${data.parquet.merchant_stats}') m
    ON e.merchant_id = m.merchant_id AND e.event_timestamp >= m.event_ts
  ASOF LEFT JOIN read_parquet('${data.parquet.user_merchant_stats}') p
    ON e.user_id = p.user_id AND e.merchant_id = p.merchant_id AND e.event_timestamp >= p.event_ts
  ORDER BY e.row_id`;
}
