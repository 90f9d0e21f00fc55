import { stat } from "node:fs/promises";
import { invalidArgument } from "../../core/errors.ts";
import {
  FRAUD_CATEGORICAL_FEATURES,
  FRAUD_LABEL,
  writeFraudCsv,
} from "../../training/synthetic/fraud-dataset.ts";
import type { Command } from "../command.ts";
import { emit } from "../output.ts";
import { createProgressBar } from "../progress-bar.ts";

/** Rows a generated file may have: 100 million rows is about 25 GB of CSV. */
const MAX_ROWS = 100_000_000;

export const datasetsCommand: Command = {
  summary: "Write plinth's seeded synthetic datasets (for quickstarts, tests and benchmarks)",
  usage: `plinth datasets generate fraud --out FILE [--rows N] [--seed N] [--json]

Writes a fraud-like table as CSV: 28 numeric features n01..n28 (four with 5% missing), four
categoricals c1..c4 (10, 100, 1000 and 50 levels) and the label is_fraud (about 3% positives).
The same --seed always gives the same file. Defaults: 100000 rows, seed 1.`,
  options: {
    out: { type: "string" },
    rows: { type: "string" },
    seed: { type: "string" },
  },

  async run({ positionals, values, io }) {
    const [verb, name, ...rest] = positionals;
    if (verb !== "generate") {
      throw invalidArgument("datasets", "expected 'plinth datasets generate fraud --out FILE'");
    }
    if (name !== "fraud") {
      throw invalidArgument(
        "dataset",
        `unknown dataset '${name ?? ""}'; the one dataset is 'fraud'`,
      );
    }
    if (rest.length > 0) throw invalidArgument("datasets", `unexpected argument '${rest[0]}'`);
    if (typeof values.out !== "string" || values.out === "") {
      throw invalidArgument("out", "is required: the CSV file to write");
    }
    const out = values.out;
    const rows = integerFlag(values.rows, "rows", 100_000, 1, MAX_ROWS);
    const seed = integerFlag(values.seed, "seed", 1, 0, 2 ** 32 - 1);
    if (await exists(out)) {
      throw invalidArgument("out", `'${out}' already exists; remove it or choose another path`);
    }
    const bar = createProgressBar({
      label: "writing rows",
      total: rows,
      enabled: !io.json,
    });
    await writeFraudCsv(out, { rows, seed, onProgress: (written) => bar.update(written) });
    bar.finish();
    const result = {
      path: out,
      rows,
      seed,
      label: FRAUD_LABEL,
      categorical: FRAUD_CATEGORICAL_FEATURES,
    };
    emit(
      io,
      result,
      () =>
        `Wrote ${rows} rows to ${out} (label ${FRAUD_LABEL}; categorical ${FRAUD_CATEGORICAL_FEATURES.join(",")})`,
    );
    return 0;
  },
};

function integerFlag(
  value: string | boolean | undefined,
  flag: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw invalidArgument(flag, `must be an integer from ${min} to ${max}, got '${String(value)}'`);
  }
  return n;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
