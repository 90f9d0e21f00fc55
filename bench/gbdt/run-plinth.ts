/**
 * plinth's side of bench/gbdt, measured the way xgboost_peer.py measures XGBoost: CSV read,
 * training alone per thread count, test AUC and log loss, batch predict on a prebuilt
 * row-major matrix (median of 5 after a warm-up), single-row latency of predictRowRaw.
 */
import { statSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { predict, predictRowRaw } from "../../src/models/tree-predictor.ts";
import { readCsvDataset } from "../../src/training/dataset/read-csv-dataset.ts";
import { toRowMajor } from "../../src/training/dataset/to-row-major.ts";
import type { GbdtModel } from "../../src/training/gbdt/train-gbdt.ts";
import { trainGbdt } from "../../src/training/gbdt/train-gbdt.ts";
import { logLoss } from "../../src/training/metrics/log-loss.ts";
import { rocAuc } from "../../src/training/metrics/roc-auc.ts";
import { type BenchParams, toPlinthParams } from "./bench-params.ts";
import type { BenchDataset } from "./prepare-datasets.ts";

export interface PlinthResult {
  readonly csvRead: { readonly seconds: number; readonly megabytesPerSecond: number };
  readonly train: readonly { readonly numThreads: number; readonly seconds: number }[];
  readonly testMetrics: { readonly auc: number; readonly logloss: number };
  readonly predict: { readonly medianSeconds: number; readonly rowsPerSecond: number };
  readonly singleRow: { readonly reps: number; readonly p50Us: number; readonly p99Us: number };
  readonly trees: number;
}

const PREDICT_REPS = 5;
const LATENCY_REPS = 10_000;

export async function runPlinth(
  dataset: BenchDataset,
  params: BenchParams,
  threads: readonly number[],
  log: (message: string) => void,
): Promise<PlinthResult> {
  log(`plinth: reading ${dataset.train} and ${dataset.test}`);
  const readStarted = performance.now();
  const options = { label: dataset.label, categorical: dataset.categorical };
  const train = await readCsvDataset(dataset.train, options);
  const test = await readCsvDataset(dataset.test, { ...options, reference: train });
  const readSeconds = (performance.now() - readStarted) / 1000;
  const megabytes = (statSync(dataset.train).size + statSync(dataset.test).size) / 1e6;

  const trainRuns: { numThreads: number; seconds: number }[] = [];
  let model: GbdtModel | undefined;
  for (const numThreads of threads) {
    log(`plinth: training ${params.rounds} rounds with ${numThreads} thread(s)`);
    const started = performance.now();
    const trained = await trainGbdt(train, toPlinthParams(params, numThreads), {
      onIteration({ iteration }) {
        if (iteration % 50 === 0) log(`  round ${iteration}/${params.rounds}`);
      },
    });
    trainRuns.push({ numThreads, seconds: (performance.now() - started) / 1000 });
    model ??= trained;
  }
  if (model === undefined) throw new Error("no thread counts given");
  const ensemble = model.ensemble;

  log("plinth: scoring");
  const rows = toRowMajor(test);
  const probabilities = predict(ensemble, rows, test.numRows);
  const testMetrics = {
    auc: rocAuc(test.label, probabilities),
    logloss: logLoss(test.label, probabilities),
  };
  const seconds: number[] = [];
  for (let rep = 0; rep < PREDICT_REPS; rep++) {
    const started = performance.now();
    predict(ensemble, rows, test.numRows);
    seconds.push((performance.now() - started) / 1000);
  }
  const medianSeconds = percentile(seconds, 0.5);

  log(`plinth: timing ${LATENCY_REPS} single-row predictions`);
  const width = test.features.length;
  const rowViews = Array.from({ length: LATENCY_REPS }, (_, i) => {
    const r = i % test.numRows;
    return rows.subarray(r * width, (r + 1) * width);
  });
  const out = new Float64Array(ensemble.numOutputs);
  for (let i = 0; i < 1000; i++) predictRowRaw(ensemble, rowViews[i]!, out);
  const micros = new Array<number>(LATENCY_REPS);
  for (let i = 0; i < LATENCY_REPS; i++) {
    const started = process.hrtime.bigint();
    predictRowRaw(ensemble, rowViews[i]!, out);
    micros[i] = Number(process.hrtime.bigint() - started) / 1000;
  }

  return {
    csvRead: { seconds: readSeconds, megabytesPerSecond: megabytes / readSeconds },
    train: trainRuns,
    testMetrics,
    predict: { medianSeconds, rowsPerSecond: test.numRows / medianSeconds },
    singleRow: {
      reps: LATENCY_REPS,
      p50Us: percentile(micros, 0.5),
      p99Us: percentile(micros, 0.99),
    },
    trees: ensemble.treeRoot.length,
  };
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}
