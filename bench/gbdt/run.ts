/**
 * bench/gbdt: plinth's GBDT against XGBoost 1.7 (`hist`, categorical support) on the same
 * CSV files with the same hyperparameters (depth 8, eta 0.1, 200 rounds, 255 bins): training
 * time with 1 and 2 threads, test AUC and log loss, batch and single-row prediction speed.
 * Datasets: the synthetic fraud set (1,000,000 rows by default; first 80% train, last 20%
 * test) and scikit-learn's bundled breast-cancer table. Data are cached in bench/.data/.
 *
 *   npm run bench:gbdt                          # full size
 *   npm run bench:gbdt -- --rows 100000         # a quicker run
 *   flags: --rows N --seed N --rounds N --threads 1,2 --dataset fraud|breast-cancer
 *          --skip-plinth --skip-xgboost --json
 *
 * XGBoost runs in bench/gbdt/xgboost_peer.py under /usr/bin/python3 (override with
 * PLINTH_BENCH_PYTHON). Prints a table (ratio = plinth / xgboost) and writes
 * bench/results/gbdt-<time>.json.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type BenchParams, DEFAULT_BENCH_PARAMS, toXgboostParams } from "./bench-params.ts";
import {
  type BenchDataset,
  DATA_DIR,
  prepareBreastCancer,
  prepareFraud,
} from "./prepare-datasets.ts";
import { type PlinthResult, runPlinth } from "./run-plinth.ts";

const { values: flags } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    seed: { type: "string", default: "1" },
    rounds: { type: "string", default: String(DEFAULT_BENCH_PARAMS.rounds) },
    threads: { type: "string", default: "1,2" },
    dataset: { type: "string", multiple: true },
    "skip-plinth": { type: "boolean", default: false },
    "skip-xgboost": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const positiveInt = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
};
const rows = positiveInt("rows", flags.rows);
const seed = positiveInt("seed", flags.seed);
const threads = flags.threads.split(",").map((t) => positiveInt("threads", t));
const params: BenchParams = {
  ...DEFAULT_BENCH_PARAMS,
  rounds: positiveInt("rounds", flags.rounds),
};
const wanted = new Set(flags.dataset ?? ["fraud", "breast-cancer"]);
const python = process.env.PLINTH_BENCH_PYTHON ?? "/usr/bin/python3";
const log = (message: string) => process.stderr.write(`[bench:gbdt] ${message}\n`);

/** The peer's JSON; only the fields the table reads are typed. */
interface XgboostResult {
  readonly data: { readonly csv_read_seconds: number };
  readonly train: readonly { readonly nthread: number; readonly seconds: number }[];
  readonly test_metrics: { readonly auc: number; readonly logloss: number };
  readonly predict: readonly {
    readonly nthread: number;
    readonly dmatrix: { readonly rows_per_second: number };
    readonly inplace_numpy: { readonly rows_per_second: number };
  }[];
  readonly single_row: { readonly numpy: { readonly p50_us: number; readonly p99_us: number } };
  readonly trees: number;
}

interface TableRow {
  readonly metric: string;
  readonly plinth: number | null;
  readonly xgboost: number | null;
}

async function runXgboost(dataset: BenchDataset): Promise<XgboostResult> {
  const args = [
    join(import.meta.dirname, "xgboost_peer.py"),
    ...["--train", dataset.train, "--test", dataset.test, "--label", dataset.label],
    ...["--categorical", dataset.categorical.join(","), "--rounds", String(params.rounds)],
    ...["--threads", threads.join(","), "--params", JSON.stringify(toXgboostParams(params))],
    ...["--model-out", join(DATA_DIR, `${dataset.name}-xgboost-model.json`)],
  ];
  const child = spawn(python, args, { stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    stdout += text;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject).on("close", resolve);
  });
  if (code !== 0) throw new Error(`xgboost_peer.py exited with ${code}`);
  return JSON.parse(stdout) as XgboostResult;
}

function tableRows(plinth: PlinthResult | null, xgb: XgboostResult | null): TableRow[] {
  const xgbPredict = xgb?.predict.find((p) => p.nthread === 1) ?? xgb?.predict[0];
  const rowsOut: TableRow[] = [
    {
      metric: "CSV read, train + test (s)",
      plinth: plinth?.csvRead.seconds ?? null,
      xgboost: xgb?.data.csv_read_seconds ?? null,
    },
    ...threads.map((t) => ({
      metric: `train, ${t} thread${t === 1 ? "" : "s"} (s)`,
      plinth: plinth?.train.find((r) => r.numThreads === t)?.seconds ?? null,
      xgboost: xgb?.train.find((r) => r.nthread === t)?.seconds ?? null,
    })),
    {
      metric: "test AUC",
      plinth: plinth?.testMetrics.auc ?? null,
      xgboost: xgb?.test_metrics.auc ?? null,
    },
    {
      metric: "test log loss",
      plinth: plinth?.testMetrics.logloss ?? null,
      xgboost: xgb?.test_metrics.logloss ?? null,
    },
    {
      metric: "batch predict rows/s (xgb: DMatrix, 1 thread)",
      plinth: plinth?.predict.rowsPerSecond ?? null,
      xgboost: xgbPredict?.dmatrix.rows_per_second ?? null,
    },
    {
      metric: "batch predict rows/s (xgb: inplace numpy)",
      plinth: plinth?.predict.rowsPerSecond ?? null,
      xgboost: xgbPredict?.inplace_numpy.rows_per_second ?? null,
    },
    {
      metric: "single-row p50 (µs)",
      plinth: plinth?.singleRow.p50Us ?? null,
      xgboost: xgb?.single_row.numpy.p50_us ?? null,
    },
    {
      metric: "single-row p99 (µs)",
      plinth: plinth?.singleRow.p99Us ?? null,
      xgboost: xgb?.single_row.numpy.p99_us ?? null,
    },
    { metric: "trees", plinth: plinth?.trees ?? null, xgboost: xgb?.trees ?? null },
  ];
  return rowsOut;
}

function formatNumber(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return "—";
  if (Math.abs(value) >= 1000) return Math.round(value).toLocaleString("en-US");
  return Number(value.toPrecision(4)).toString();
}

function renderTable(title: string, rowsIn: readonly TableRow[]): string {
  const cells = rowsIn.map((r) => [
    r.metric,
    formatNumber(r.plinth),
    formatNumber(r.xgboost),
    r.plinth !== null && r.xgboost !== null && r.xgboost !== 0
      ? (r.plinth / r.xgboost).toFixed(2)
      : "—",
  ]);
  const all = [["metric", "plinth", "xgboost", "ratio"], ...cells];
  const widths = all[0]!.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join(" | ");
  return [
    title,
    line(all[0]!),
    widths.map((w) => "-".repeat(w)).join("-|-"),
    ...cells.map(line),
  ].join("\n");
}

const startedAt = new Date();
const datasets: BenchDataset[] = [];
if (wanted.has("fraud")) datasets.push(await prepareFraud(rows, seed));
if (wanted.has("breast-cancer")) {
  const breastCancer = await prepareBreastCancer(seed);
  if (breastCancer === null) log("scikit-learn's breast_cancer.csv is not installed; skipping it");
  else datasets.push(breastCancer);
}

const results = [];
for (const dataset of datasets) {
  log(`=== ${dataset.name} ===`);
  const xgb = flags["skip-xgboost"] ? null : await runXgboost(dataset);
  const plinth = flags["skip-plinth"] ? null : await runPlinth(dataset, params, threads, log);
  results.push({ dataset, table: tableRows(plinth, xgb), plinth, xgboost: xgb });
}

const report = {
  startedAt: startedAt.toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    node: process.version,
    loadAverageAtStart: loadavg(),
  },
  options: { rows, seed, threads, params },
  results,
};
const resultsDir = join(import.meta.dirname, "..", "results");
mkdirSync(resultsDir, { recursive: true });
const outPath = join(resultsDir, `gbdt-${startedAt.toISOString().replaceAll(":", "-")}.json`);
writeFileSync(outPath, `${JSON.stringify(report, null, 2)}\n`);

if (flags.json) {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} else {
  for (const r of results) {
    process.stdout.write(
      `\n${renderTable(`${r.dataset.name} (ratio = plinth / xgboost)`, r.table)}\n`,
    );
  }
  process.stdout.write(`\nwrote ${outPath}\n`);
}
