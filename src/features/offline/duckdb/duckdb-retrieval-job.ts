import { randomBytes } from "node:crypto";
import { rename, rm } from "node:fs/promises";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type { Table } from "apache-arrow";
import { PlinthError } from "../../../core/errors.ts";
import { hashJson } from "../../../core/hash.ts";
import { definitionsHash } from "../../definitions/definitions-hash.ts";
import type { Field, ValueType } from "../../definitions/value-type.ts";
import { viewSpecHash } from "../../registry/to-registry-specs.ts";
import type { EntityInput } from "../entity-input.ts";
import type { FeatureFrame } from "../feature-frame.ts";
import type { FeatureStatistics } from "../feature-statistics.ts";
import type { HistoricalFeaturesOptions } from "../offline-store.ts";
import type { RetrievalJob, TrainingSetManifest } from "../retrieval-job.ts";
import type { RetrievalPlan } from "../retrieval-plan.ts";
import type { TrainingSetLineage } from "../training-set-lineage.ts";
import { applyOnDemand } from "./apply-on-demand.ts";
import { readColumns } from "./column-batches.ts";
import { computeFeatureStatistics } from "./compute-feature-statistics.ts";
import { frameToArrow } from "./frame-to-arrow.ts";
import { loadEntityInput } from "./load-entity-input.ts";
import { type LoadedViewRows, loadViewRows, readFailed } from "./load-view-rows.ts";
import { pointInTimeSql } from "./point-in-time-sql.ts";
import { quoteIdentifier, sqlString } from "./sql-names.ts";

interface Materialized {
  readonly instance: DuckDBInstance;
  readonly connection: DuckDBConnection;
  /** Columns of table `output` in order (it also has `__row_id`). */
  readonly schema: readonly Field[];
  readonly features: readonly Field[];
  readonly zoned: boolean;
  readonly lineage: TrainingSetLineage;
}

/**
 * A lazy retrieval on a private in-memory DuckDB database: the first call runs the whole
 * join into table `output`; later calls read it. The database lives until close().
 *
 * @example
 * const job = createDuckDbRetrievalJob(plan, rows, ".", {});
 * const frame = await job.toFrame();
 * await job.close();
 */
export function createDuckDbRetrievalJob(
  plan: RetrievalPlan,
  entities: EntityInput,
  baseDir: string,
  options: HistoricalFeaturesOptions,
): RetrievalJob {
  let run: Promise<Materialized> | undefined;
  let closed = false;
  let stats: Promise<FeatureStatistics> | undefined;
  const ready = (): Promise<Materialized> => {
    if (closed)
      throw new PlinthError("INVALID_ARGUMENT", "This retrieval job is closed", { field: "job" });
    run ??= materialize(plan, entities, baseDir, options);
    return run;
  };
  const statistics = async (): Promise<FeatureStatistics> => {
    const m = await ready();
    stats ??= computeFeatureStatistics(m.connection, "output", m.features);
    return stats;
  };
  const toFrame = async (): Promise<FeatureFrame> => {
    const m = await ready();
    const batch = await readColumns(m.connection, selectOutput(m.schema), m.schema);
    return { numRows: batch.numRows, schema: m.schema, columns: batch.columns };
  };
  return {
    toFrame,
    async toArrow(): Promise<Table> {
      const m = await ready();
      return frameToArrow(await toFrame(), m.zoned);
    },
    async toParquet(path: string): Promise<TrainingSetManifest> {
      const m = await ready();
      // Written under a temporary name and renamed, so a reader never sees half a file.
      const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
      try {
        await m.connection.run(
          `COPY (${selectOutput(m.schema)}) TO ${sqlString(temporary)} (FORMAT parquet)`,
        );
        await rename(temporary, path);
      } catch (cause) {
        await rm(temporary, { force: true });
        throw new PlinthError(
          "INVALID_ARGUMENT",
          `Cannot write Parquet to '${path}': ${(cause as Error).message}`,
          {
            field: "path",
            cause,
          },
        );
      }
      const count = await m.connection.runAndReadAll("SELECT count(*) FROM output");
      return { path, numRows: Number(count.getRowsJS()[0]?.[0] ?? 0), lineage: m.lineage };
    },
    statistics,
    async lineage(): Promise<TrainingSetLineage> {
      return (await ready()).lineage;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const m = await run?.catch(() => undefined);
      m?.connection.closeSync();
      m?.instance.closeSync();
    },
  };
}

/** The result in entity order: `output` is (a projection of) a table filled in that order. */
function selectOutput(schema: readonly Field[]): string {
  return `SELECT ${schema.map((f) => quoteIdentifier(f.name)).join(", ")} FROM output`;
}

async function materialize(
  plan: RetrievalPlan,
  entities: EntityInput,
  baseDir: string,
  options: HistoricalFeaturesOptions,
): Promise<Materialized> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    // Zoned timestamps then print and cast in UTC whatever the machine's zone.
    await connection.run("SET TimeZone = 'UTC'");
    const timestampColumn = options.timestampColumn ?? "event_timestamp";
    const loaded = await loadEntityInput(connection, entities, requirements(plan, timestampColumn));
    for (const o of plan.outputs) {
      if (loaded.columns.some((c) => c.name === o.name)) {
        throw new PlinthError(
          "FEATURES_NAME_COLLISION",
          `Feature '${o.name}' has the name of an entity input column; set fullFeatureNames or rename the column`,
          { field: o.name },
        );
      }
    }
    const sources: Record<string, { sha256: Promise<string>; files: readonly string[] }> = {};
    const loadedViews: (LoadedViewRows & { table: string; sourceName: string })[] = [];
    for (const [i, planned] of plan.views.entries()) {
      const table = `src_${i}`;
      const rows = await loadViewRows(
        connection,
        planned,
        table,
        baseDir,
        loaded.zoned,
        timestampColumn,
      );
      const source =
        planned.view.source.kind === "pushSource"
          ? planned.view.source.batchSource
          : planned.view.source;
      sources[source.name] = { sha256: rows.relation.sha256, files: rows.relation.files };
      loadedViews.push({ ...rows, table, sourceName: source.name });
    }
    const statements = pointInTimeSql(
      plan.views.map((planned, i) => ({
        rows: loadedViews[i]!.table,
        keys: planned.view.entities.flatMap((e) => e.joinKeys.map((k) => k.name)),
        columns: planned.features.map((f) => f.column),
        ttlMicros: BigInt(Math.round(planned.view.ttlSeconds * 1e6)),
        sourceOrder: loadedViews[i]!.sourceOrder,
      })),
      { timestampColumn, excludeLateArrivals: options.excludeLateArrivals === true },
    );
    try {
      for (const statement of statements) await connection.run(statement);
    } catch (cause) {
      // Parquet is read inside the join, so a value that does not cast surfaces here:
      // find the input it came from.
      await connection.run("SELECT * FROM entity_rows").catch((e: unknown) => {
        throw new PlinthError(
          "FEATURES_INVALID_ENTITY_INPUT",
          `Cannot read the entity file: ${(e as Error).message.split("\n")[0]}`,
          { field: "entities", cause: e },
        );
      });
      for (const v of loadedViews) {
        await connection.run(`SELECT * FROM ${quoteIdentifier(v.table)}`).catch((e: unknown) => {
          throw readFailed(v.where, v.sourceName, e);
        });
      }
      throw cause;
    }
    for (const v of loadedViews) await connection.run(`DROP ${v.kind} ${quoteIdentifier(v.table)}`);
    const writer = await instance.connect();
    try {
      for (const [k, planned] of plan.onDemand.entries()) {
        await applyOnDemand(
          connection,
          writer,
          planned,
          "joined",
          `odfv_${k}`,
          loaded.zoned,
          options.onDemandBatchSize ?? 8192,
        );
      }
    } finally {
      writer.closeSync();
    }
    const select = [
      "j.__row_id",
      ...loaded.columns.map((c) => `j.${quoteIdentifier(c.name)}`),
      ...plan.outputs.map((o) => {
        const k = plan.onDemand.findIndex((p) => p.outputs.some((out) => out.column === o.column));
        return `${k < 0 ? "j" : `odfv_${k}`}.${quoteIdentifier(o.column)} AS ${quoteIdentifier(o.name)}`;
      }),
    ];
    if (plan.onDemand.length === 0) {
      // Only renames: a view over `joined`, which is already in entity order.
      await connection.run(`CREATE VIEW output AS SELECT ${select.join(", ")} FROM joined j`);
    } else {
      const odfvJoins = plan.onDemand.map(
        (_, k) => `LEFT JOIN odfv_${k} ON odfv_${k}.__row_id = j.__row_id`,
      );
      await connection.run(
        `CREATE TABLE output AS SELECT ${select.join(", ")} FROM joined j ${odfvJoins.join(" ")} ORDER BY j.__row_id`,
      );
    }
    const features: Field[] = plan.outputs.map((o) => ({ name: o.name, type: o.type }));
    const lineageOptions = {
      timestampColumn,
      fullFeatureNames: options.fullFeatureNames === true,
      excludeLateArrivals: options.excludeLateArrivals === true,
    };
    const hashed: Record<string, { sha256: string; files: readonly string[] }> = {};
    for (const [name, { sha256, files }] of Object.entries(sources)) {
      hashed[name] = { sha256: await sha256, files };
    }
    const body = {
      featureService: plan.service.name,
      entityInputHash: await loaded.sha256,
      entityInputKind: loaded.kind,
      definitionsHash: definitionsHash(plan.service),
      sources: hashed,
      options: lineageOptions,
    };
    const views = Object.fromEntries([
      ...plan.views.map((p) => [p.view.name, viewSpecHash(p.view)]),
      ...plan.onDemand.map((p) => [p.odfv.name, viewSpecHash(p.odfv)]),
    ]);
    return {
      instance,
      connection,
      schema: [...loaded.columns.map((c) => ({ name: c.name, type: c.kind.type })), ...features],
      features,
      zoned: loaded.zoned,
      lineage: { hash: hashJson(body), ...body, views },
    };
  } catch (e) {
    connection.closeSync();
    instance.closeSync();
    throw e;
  }
}

/** The join keys and request fields the entity input must carry, by name, with their types. */
function requirements(plan: RetrievalPlan, timestampColumn: string) {
  const keys = new Map<string, ValueType>();
  for (const { view } of plan.views) {
    for (const e of view.entities) {
      for (const k of e.joinKeys) {
        const seen = keys.get(k.name);
        if (seen !== undefined && seen !== k.type) {
          throw new PlinthError(
            "FEATURES_KEY_TYPE_MISMATCH",
            `Join key '${k.name}' is ${seen} in one entity and ${k.type} in entity '${e.name}'`,
            { field: k.name },
          );
        }
        keys.set(k.name, k.type);
      }
    }
  }
  const request = new Map<string, ValueType>();
  for (const p of plan.onDemand)
    for (const i of p.inputs) if (i.request) request.set(i.field.name, i.field.type);
  return { timestampColumn, keys, request };
}
