import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { createSeededRandom } from "../../src/core/seeded-random.ts";
import type { TrainingDataset } from "../../src/training/dataset/training-dataset.ts";

/** Online features per view (2 views: 20 from the store) and request inputs (10). */
export const VIEW_FEATURES = 10;
export const REQUEST_FEATURES = 10;
export const SERVICE = "bench_v1";

/** The bench's feature repository and a training set drawn from the same feature values. */
export interface BenchRepo {
  readonly modulePath: string;
  readonly users: number;
  /** Model inputs in order: a0..a9 (view user_a), b0..b9 (view user_b), r0..r9 (request). */
  readonly inputNames: readonly string[];
  readonly train: TrainingDataset;
  /** The features each user has online, row-major by user (20 per user), for the ceiling's check. */
  readonly onlineValues: Float64Array;
}

const viewNames = (prefix: string) =>
  Array.from({ length: VIEW_FEATURES }, (_, i) => `${prefix}${i}`);
export const requestNames = Array.from({ length: REQUEST_FEATURES }, (_, i) => `r${i}`);

/**
 * Writes `dir/features.ts` (entity user, views user_a and user_b of 10 float64 features
 * each, the service `bench_v1` reading both) with Parquet sources of `users` users, one row
 * each an hour ago, and a training set of `rows` rows: a user's 20 stored features plus 10
 * request values, with a binary label that depends on both (so trees split on all 30).
 */
export async function writeBenchRepo(dir: string, users: number, rows: number): Promise<BenchRepo> {
  const rng = createSeededRandom(7);
  const online = new Float64Array(users * 2 * VIEW_FEATURES);
  for (let i = 0; i < online.length; i++) online[i] = Math.round(rng.next() * 1e6) / 1e4;
  const at = new Date(Date.now() - 3_600_000).toISOString();
  for (const [v, prefix] of ["a", "b"].entries()) {
    const names = viewNames(prefix);
    const lines = [`user_id,event_ts,${names.join(",")}`];
    for (let u = 0; u < users; u++) {
      const base = u * 2 * VIEW_FEATURES + v * VIEW_FEATURES;
      lines.push(`${u},${at},${Array.from(online.subarray(base, base + VIEW_FEATURES)).join(",")}`);
    }
    writeFileSync(join(dir, `user_${prefix}.csv`), `${lines.join("\n")}\n`);
  }
  const instance = await DuckDBInstance.create(":memory:");
  const c = await instance.connect();
  for (const prefix of ["a", "b"]) {
    await c.run(
      `COPY (SELECT user_id::BIGINT AS user_id, event_ts::TIMESTAMPTZ AS event_ts, * EXCLUDE (user_id, event_ts)
         FROM read_csv('${join(dir, `user_${prefix}.csv`)}', header = true))
       TO '${join(dir, `user_${prefix}.parquet`)}' (FORMAT parquet)`,
    );
  }
  c.closeSync();
  instance.closeSync();

  const api = fileURLToPath(new URL("../../src/index.ts", import.meta.url));
  const schema = (prefix: string) =>
    viewNames(prefix)
      .map((n) => `{ name: "${n}", type: "float64" }`)
      .join(", ");
  const modulePath = join(dir, "features.ts");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    modulePath,
    `import { entity, featureService, featureView, parquetSource } from ${JSON.stringify(api)};

export const user = entity({ name: "user", joinKeys: [{ name: "user_id", type: "int64" }] });
${["a", "b"]
  .map(
    (p) => `export const user_${p} = featureView({
  name: "user_${p}",
  entities: [user],
  schema: [${schema(p)}],
  source: parquetSource({ name: "user_${p}_src", path: "user_${p}.parquet", timestampField: "event_ts" }),
  ttlSeconds: 0,
});`,
  )
  .join("\n")}
export const service = featureService({ name: "${SERVICE}", features: [user_a, user_b] });
`,
  );

  const inputNames = [...viewNames("a"), ...viewNames("b"), ...requestNames];
  const width = inputNames.length;
  const columns = inputNames.map(() => new Float64Array(rows));
  const label = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const u = rng.nextInt(users);
    let score = 0;
    for (let j = 0; j < width; j++) {
      const x =
        j < 2 * VIEW_FEATURES
          ? online[u * 2 * VIEW_FEATURES + j]!
          : Math.round(rng.next() * 1e4) / 1e2;
      columns[j]![r] = x;
      // Every input matters a little, some a lot, with interactions: deep trees have work.
      score += ((j % 7) - 3) * (x / 100) * (j % 3 === 0 ? 1.5 : 0.4);
    }
    score += Math.sin(columns[0]![r]! / 10) * Math.cos(columns[25]![r]! / 10) * 2;
    label[r] = rng.next() < 1 / (1 + Math.exp(-(score - 1) + (rng.next() - 0.5) * 2)) ? 1 : 0;
  }
  return {
    modulePath,
    users,
    inputNames,
    onlineValues: online,
    train: {
      numRows: rows,
      label,
      features: inputNames.map((name, j) => ({ kind: "numeric", name, values: columns[j]! })),
    },
  };
}
