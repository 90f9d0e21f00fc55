import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { entity } from "../../src/features/definitions/entity.ts";
import {
  defineFeatures,
  type FeatureDefinitions,
} from "../../src/features/definitions/feature-definitions.ts";
import {
  type FeatureService,
  featureService,
} from "../../src/features/definitions/feature-service.ts";
import { type FeatureView, featureView } from "../../src/features/definitions/feature-view.ts";
import { parquetSource } from "../../src/features/definitions/sources.ts";
import type { Field } from "../../src/features/definitions/value-type.ts";

/** Features per view: 17 + 17 + 16 = 50, mostly floats, some integers and a string each. */
const VIEW_WIDTHS = [17, 17, 16];

/** The benchmark's repository: 3 views keyed by user_id, a service reading all 50 features. */
export interface BenchRepo {
  readonly definitions: FeatureDefinitions;
  readonly service: FeatureService;
  readonly views: readonly FeatureView[];
  /** Source rows in all three views together. */
  readonly sourceRows: number;
}

function schemaOf(v: number, width: number): Field[] {
  return Array.from({ length: width }, (_, f) => ({
    name: `v${v}_f${f}`,
    type: f === width - 1 ? "string" : f % 5 === 4 ? "int64" : "float64",
  }));
}

/**
 * Writes one Parquet file per view with DuckDB: `versions` rows per entity (so
 * materialization has to pick the latest), event times spread over the last day, and a
 * ttl of a week on the first view.
 */
export async function writeBenchRepo(
  dir: string,
  entities: number,
  versions: number,
): Promise<BenchRepo> {
  const instance = await DuckDBInstance.create(":memory:");
  const c = await instance.connect();
  const user = entity({ name: "user", joinKeys: [{ name: "user_id", type: "int64" }] });
  const views: FeatureView[] = [];
  const now = Date.now();
  for (const [v, width] of VIEW_WIDTHS.entries()) {
    const schema = schemaOf(v, width);
    const columns = schema.map((f, i) =>
      f.type === "string"
        ? `'segment_' || ((u * 7 + ${i}) % 13) AS ${f.name}`
        : f.type === "int64"
          ? `((u * 31 + k * 17 + ${i}) % 1000)::BIGINT AS ${f.name}`
          : `random() * 100 AS ${f.name}`,
    );
    const path = join(dir, `view_${v}.parquet`);
    await c.run(`COPY (
      SELECT u::BIGINT AS user_id,
        make_timestamp(((${now} - 86400000 + (k * 86400000 / ${versions}) + (u % 1000)) * 1000)::BIGINT)::TIMESTAMPTZ AS event_ts,
        ${columns.join(",\n        ")}
      FROM range(${entities}) r(u), range(${versions}) s(k)
    ) TO '${path}' (FORMAT parquet)`);
    views.push(
      featureView({
        name: `view_${v}`,
        entities: [user],
        schema,
        source: parquetSource({ name: `view_${v}_src`, path, timestampField: "event_ts" }),
        ttlSeconds: v === 0 ? 7 * 86_400 : 0,
      }),
    );
  }
  c.closeSync();
  instance.closeSync();
  const service = featureService({ name: "bench", features: views });
  return {
    definitions: defineFeatures([user, ...views, service], { baseDir: dir }),
    service,
    views,
    sourceRows: entities * versions * views.length,
  };
}
