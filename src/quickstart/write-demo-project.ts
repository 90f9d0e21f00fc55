import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PlinthError } from "../core/errors.ts";
import { createSeededRandom } from "../core/seeded-random.ts";

/** The files of the quickstart's demo project, and what it holds. */
export interface DemoProject {
  readonly dir: string;
  /** The features module (`features.ts`). */
  readonly features: string;
  /** Labelled transactions: `card_id, event_timestamp, amount, is_fraud`. */
  readonly labels: string;
  /** The daily card snapshots the `card_stats` view reads. */
  readonly stats: string;
  readonly cards: number;
  readonly transactions: number;
}

/** How big the demo is. */
export interface DemoSize {
  readonly cards: number;
  readonly transactions: number;
  readonly seed: number;
}

const DAY = 86_400_000;
const HISTORY_DAYS = 30;
const COUNTRIES = ["DE", "FR", "GB", "US", "BR"] as const;

// The package root, so the demo's `import ... from "plinth"` resolves to this copy of plinth.
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * Writes a small fraud-detection project to `dir`: daily per-card snapshots for the last 30
 * days (`card_stats.csv`), labelled transactions whose fraud odds depend on the card's
 * features as of the transaction and on the amount relative to the card's average
 * (`transactions.csv`), and a `features.ts` defining the entity, the view, an on-demand ratio
 * and the `fraud_v1` service. Times are relative to now so the latest snapshot is online-fresh.
 * Refuses a non-empty directory so it never overwrites a user's files.
 */
export function writeDemoProject(dir: string, size: DemoSize, now = Date.now()): DemoProject {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new PlinthError(
      "INVALID_ARGUMENT",
      `--dir '${dir}' exists and is not empty: pass a new directory (the quickstart writes a whole project)`,
      { field: "dir" },
    );
  }
  mkdirSync(dir, { recursive: true });
  const rng = createSeededRandom(size.seed);
  const today = Math.floor(now / DAY) * DAY;
  const firstDay = today - (HISTORY_DAYS - 1) * DAY;
  type Snapshot = { txns: number; avg: number; chargebacks: number; country: string };
  const snapshots: Snapshot[][] = [];
  const stats = ["card_id,event_ts,txn_count_7d,avg_amount_7d,chargebacks_90d,country"];
  for (let card = 0; card < size.cards; card++) {
    const base = 20 + rng.next() * 180;
    const country = COUNTRIES[rng.nextInt(COUNTRIES.length)] as string;
    let chargebacks = rng.next() < 0.1 ? 1 : 0;
    const days: Snapshot[] = [];
    for (let d = 0; d < HISTORY_DAYS; d++) {
      if (rng.next() < 0.01) chargebacks++;
      const s = {
        txns: 1 + rng.nextInt(40),
        avg: base * (0.8 + 0.4 * rng.next()),
        chargebacks,
        country,
      };
      days.push(s);
      // A snapshot is taken at 01:00 each day (the latest one is before `now` whenever the
      // quickstart runs after 01:00 UTC; before that it is yesterday's).
      const at = firstDay + d * DAY + 3_600_000;
      if (at <= now) {
        stats.push(`${card},${iso(at)},${s.txns},${s.avg.toFixed(2)},${s.chargebacks},${country}`);
      }
    }
    snapshots.push(days);
  }
  const labels = ["card_id,event_timestamp,amount,is_fraud"];
  const span = Math.max(now - firstDay - 2 * 3_600_000, DAY);
  for (let i = 0; i < size.transactions; i++) {
    const card = rng.nextInt(size.cards);
    const at = firstDay + 2 * 3_600_000 + Math.floor(rng.next() * span);
    const day = Math.min(Math.floor((at - firstDay) / DAY), HISTORY_DAYS - 1);
    const s = snapshots[card]?.[day] as Snapshot;
    const ratio = rng.next() < 0.1 ? 2 + rng.next() * 6 : 0.2 + rng.next() * 1.6;
    const amount = s.avg * ratio;
    const logit =
      -4.2 + 0.9 * ratio + 1.3 * s.chargebacks + 0.04 * s.txns + (s.country === "BR" ? 0.8 : 0);
    const fraud = rng.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    labels.push(`${card},${iso(at)},${amount.toFixed(2)},${fraud}`);
  }
  const project: DemoProject = {
    dir,
    features: join(dir, "features.ts"),
    labels: join(dir, "transactions.csv"),
    stats: join(dir, "card_stats.csv"),
    cards: size.cards,
    transactions: size.transactions,
  };
  writeFileSync(project.stats, `${stats.join("\n")}\n`);
  writeFileSync(project.labels, `${labels.join("\n")}\n`);
  writeFileSync(project.features, FEATURES_MODULE);
  writeFileSync(
    join(dir, "package.json"),
    `${JSON.stringify({ name: "plinth-quickstart", private: true, type: "module" }, null, 2)}\n`,
  );
  // As if `npm install plinth` had run: the module imports "plinth" like a user's would.
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(PACKAGE_ROOT, join(dir, "node_modules", "plinth"), "dir");
  return project;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

const FEATURES_MODULE = `// The quickstart's feature definitions: edit them, then \`npx plinth features plan\` shows the diff.
import {
  csvSource,
  entity,
  featureService,
  featureView,
  onDemandFeatureView,
  requestSource,
} from "plinth";

export const card = entity({ name: "card", joinKeys: [{ name: "card_id", type: "int64" }] });

export const cardStats = featureView({
  name: "card_stats",
  entities: [card],
  schema: [
    { name: "txn_count_7d", type: "int64" },
    { name: "avg_amount_7d", type: "float64" },
    { name: "chargebacks_90d", type: "int64" },
    { name: "country", type: "string" },
  ],
  source: csvSource({ name: "card_stats_src", path: "card_stats.csv", timestampField: "event_ts" }),
  ttlSeconds: 7 * 86_400,
  owner: "risk-team",
  description: "Daily per-card activity snapshot",
});

export const transaction = requestSource({
  name: "transaction",
  schema: [{ name: "amount", type: "float64" }],
});

// Runs as the same code when building training sets and when serving.
export const amountFeatures = onDemandFeatureView({
  name: "amount_features",
  sources: [cardStats.select(["avg_amount_7d"]), transaction],
  schema: [{ name: "amount_ratio", type: "float64" }],
  transform: ({ avg_amount_7d, amount }) => {
    const avg = avg_amount_7d as Float64Array;
    const a = amount as Float64Array;
    return { amount_ratio: a.map((x, i) => x / Math.max(avg[i] as number, 1)) };
  },
});

export const fraudV1 = featureService({
  name: "fraud_v1",
  features: [cardStats, amountFeatures],
  description: "Card-not-present fraud model",
});
`;
