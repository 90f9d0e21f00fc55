import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createSeededRandom } from "../../../../core/seeded-random.ts";

const FEATURES_API = pathToFileURL(join(import.meta.dirname, "../../../../features/index.ts")).href;

/** One labelled entity row, as written to the entity file. */
export interface EntityRow {
  readonly customerId: number;
  readonly time: Date;
  readonly label: number;
  readonly region: string;
}

/**
 * A small feature repository in `dir`: daily customer snapshots (`f1`, `f2`, `segment`) in
 * a CSV source, a features module with the `churn_v1` service, and an entity file whose
 * label depends on the features as of each row's time (so a model can learn it) plus a
 * `region` column to slice by.
 */
export function writeSyntheticFeatureRepo(
  dir: string,
  options: { rows?: number; customers?: number; seed?: number } = {},
): { features: string; entities: string; rows: EntityRow[] } {
  const rng = createSeededRandom(options.seed ?? 7);
  const customers = options.customers ?? 60;
  const days = 20;
  const day0 = Date.UTC(2024, 0, 1);
  const stats: Array<{ f1: number; f2: number; segment: string }[]> = [];
  const source = ["customer_id,event_ts,f1,f2,segment"];
  for (let c = 0; c < customers; c++) {
    stats.push([]);
    for (let d = 0; d < days; d++) {
      const s = {
        f1: rng.next() * 2 - 1,
        f2: rng.next() * 2 - 1,
        segment: rng.next() < 0.5 ? "a" : "b",
      };
      stats[c]?.push(s);
      source.push(
        `${c},${iso(day0 + d * 86_400_000)},${s.f1.toFixed(6)},${s.f2.toFixed(6)},${s.segment}`,
      );
    }
  }
  const rows: EntityRow[] = [];
  const entities = ["customer_id,event_timestamp,is_churn,region"];
  for (let i = 0; i < (options.rows ?? 400); i++) {
    const c = rng.nextInt(customers);
    const d = rng.nextInt(days);
    const s = stats[c]?.[d] as { f1: number; f2: number; segment: string };
    const logit = 3 * s.f1 - 2 * s.f2 + (s.segment === "a" ? 0.8 : -0.8);
    const label = rng.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    const region = ["north", "south", "west"][c % 3] as string;
    const time = new Date(day0 + d * 86_400_000 + 12 * 3_600_000 + i * 1000);
    rows.push({ customerId: c, time, label, region });
    entities.push(`${c},${iso(time.getTime())},${label},${region}`);
  }
  writeFileSync(join(dir, "stats.csv"), `${source.join("\n")}\n`);
  writeFileSync(join(dir, "labels.csv"), `${entities.join("\n")}\n`);
  writeFileSync(
    join(dir, "features.ts"),
    `import { csvSource, entity, featureService, featureView } from ${JSON.stringify(FEATURES_API)};
export const customer = entity({ name: "customer", joinKeys: [{ name: "customer_id", type: "int64" }] });
export const customerStats = featureView({
  name: "customer_stats",
  entities: [customer],
  schema: [
    { name: "f1", type: "float64" },
    { name: "f2", type: "float64" },
    { name: "segment", type: "string" },
  ],
  source: csvSource({ name: "stats", path: "stats.csv", timestampField: "event_ts" }),
  ttlSeconds: 30 * 86_400,
});
export const churnV1 = featureService({ name: "churn_v1", features: [customerStats] });
`,
  );
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }');
  return { features: join(dir, "features.ts"), entities: join(dir, "labels.csv"), rows };
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}
