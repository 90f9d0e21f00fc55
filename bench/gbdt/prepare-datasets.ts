/**
 * The benchmark's datasets as train/test CSV pairs under bench/.data/ (gitignored), made once
 * and reused: the synthetic fraud set (first 80% of rows train, last 20% test, so the split
 * is a pure function of rows and seed) and scikit-learn's bundled breast-cancer table (a
 * seeded 80/20 shuffle split, as its rows are ordered by nothing meaningful).
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import {
  FRAUD_CATEGORICAL_FEATURES,
  FRAUD_LABEL,
  writeFraudCsv,
} from "../../src/training/synthetic/fraud-dataset.ts";
import { RandomSource } from "../../src/training/synthetic/random-source.ts";

export interface BenchDataset {
  readonly name: string;
  readonly train: string;
  readonly test: string;
  readonly label: string;
  readonly categorical: readonly string[];
  readonly objective: "binary";
}

export const DATA_DIR = join(import.meta.dirname, "..", ".data");
const BREAST_CANCER_CSV = "/usr/lib/python3/dist-packages/sklearn/datasets/data/breast_cancer.csv";

const log = (message: string) => process.stderr.write(`[bench:gbdt] ${message}\n`);

/** The fraud set of `rows` rows, generated (with progress) and split when not cached. */
export async function prepareFraud(rows: number, seed: number): Promise<BenchDataset> {
  mkdirSync(DATA_DIR, { recursive: true });
  const base = join(DATA_DIR, `fraud-${rows}-seed${seed}`);
  const full = `${base}.csv`;
  const train = `${base}-train.csv`;
  const test = `${base}-test.csv`;
  if (!existsSync(full)) {
    log(`generating ${rows} fraud rows into ${full}`);
    let shown = 0;
    await writeFraudCsv(full, {
      rows,
      seed,
      onProgress(done) {
        if (done - shown >= rows / 10 || done === rows) {
          shown = done;
          log(`  ${Math.round((100 * done) / rows)}%`);
        }
      },
    });
  }
  if (!existsSync(train) || !existsSync(test)) {
    log(`splitting ${full}: first 80% train, last 20% test`);
    await splitCsvLines(full, train, test, Math.round(rows * 0.8));
  }
  return {
    name: `fraud-${rows}`,
    train,
    test,
    label: FRAUD_LABEL,
    categorical: FRAUD_CATEGORICAL_FEATURES,
    objective: "binary",
  };
}

/**
 * scikit-learn's breast-cancer table (569 rows, 30 numeric features; target 1 = benign), or
 * null when scikit-learn's data files are not installed.
 */
export async function prepareBreastCancer(seed: number): Promise<BenchDataset | null> {
  if (!existsSync(BREAST_CANCER_CSV)) return null;
  mkdirSync(DATA_DIR, { recursive: true });
  const train = join(DATA_DIR, `breast-cancer-seed${seed}-train.csv`);
  const test = join(DATA_DIR, `breast-cancer-seed${seed}-test.csv`);
  if (!existsSync(train) || !existsSync(test)) {
    // The file's first line is "569,30,malignant,benign" (counts and class names), not a header.
    const lines = readFileSync(BREAST_CANCER_CSV, "utf8").trim().split(/\r?\n/).slice(1);
    const measures = [
      "radius",
      "texture",
      "perimeter",
      "area",
      "smoothness",
      "compactness",
      "concavity",
      "concave_points",
      "symmetry",
      "fractal_dimension",
    ];
    const header = [
      ...measures.map((m) => `mean_${m}`),
      ...measures.map((m) => `${m}_error`),
      ...measures.map((m) => `worst_${m}`),
      "target",
    ].join(",");
    const random = new RandomSource(seed);
    for (let i = lines.length - 1; i > 0; i--) {
      const j = Math.floor(random.uniform() * (i + 1));
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    }
    const cut = Math.round(lines.length * 0.8);
    await writeFile(train, `${header}\n${lines.slice(0, cut).join("\n")}\n`);
    await writeFile(test, `${header}\n${lines.slice(cut).join("\n")}\n`);
  }
  return {
    name: "breast-cancer",
    train,
    test,
    label: "target",
    categorical: [],
    objective: "binary",
  };
}

/**
 * Copies the header and the first `trainRows` data lines of `source` to `train`, the header
 * and the rest to `test`. Splits on newlines, so it is only for files without quoted
 * newlines, like the generated ones.
 */
async function splitCsvLines(source: string, train: string, test: string, trainRows: number) {
  let headerEnd = -1;
  let splitAt = -1;
  let lines = 0;
  let offset = 0;
  const chunks = createReadStream(source, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
  for await (const chunk of chunks) {
    for (let p = chunk.indexOf(10); p >= 0 && splitAt < 0; p = chunk.indexOf(10, p + 1)) {
      lines++;
      if (lines === 1) headerEnd = offset + p + 1;
      if (lines === trainRows + 1) splitAt = offset + p + 1;
    }
    offset += chunk.length;
    if (splitAt >= 0) break;
  }
  if (splitAt < 0) throw new Error(`${source} has fewer than ${trainRows} rows`);
  const copy = async (path: string, start: number, end?: number) => {
    const out = createWriteStream(`${path}.tmp`);
    await pipeline(createReadStream(source, { start: 0, end: headerEnd - 1 }), out, { end: false });
    await pipeline(createReadStream(source, { start, ...(end === undefined ? {} : { end }) }), out);
    await rename(`${path}.tmp`, path);
  };
  await copy(train, headerEnd, splitAt - 1);
  await copy(test, splitAt);
}
