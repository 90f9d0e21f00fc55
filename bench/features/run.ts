/**
 * bench/features: plinth's point-in-time join against a hand-written DuckDB ASOF query and
 * pandas merge_asof, on the same data: 1,000,000 entity rows against three feature views
 * holding 10,000,000 rows in total (one with a composite key, two with a ttl).
 *
 *   npm run bench:features              # full size
 *   npm run bench:features -- --quick   # 100,000 entity rows, 1,000,000 feature rows
 *   flags: --entities N --feature-rows N --runs N (default 3) --skip-pandas --json
 *
 * Timed, median of the runs:
 * - plinth: `getHistoricalFeatures({ parquet }, "fraud_bench").toParquet(path)`, all of it:
 *   reading and checking the sources, hashing every input file for lineage, the join,
 *   writing Parquet;
 * - DuckDB by hand: `COPY (<ASOF query>) TO path` over the same Parquet files, in a fresh
 *   in-memory database, with DuckDB's default threads like plinth's;
 * - pandas (/usr/bin/python3): sorts, three merge_asof calls and the reorder only; loading
 *   its CSV copy of the data is excluded, and it writes nothing.
 * The three results are checked equal by per-feature checksums (count, sum, and a sum
 * weighted by row id), and plinth's and DuckDB's files are checked to be in entity order.
 * Prints a table (ratio = time / DuckDB by hand's; CPU seconds too, which a shared machine
 * disturbs less than wall time) and writes bench/results/features-<time>.json.
 */
import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { createDuckDbOfflineStore } from "../../src/features/offline/duckdb/create-duckdb-offline-store.ts";
import {
  benchDefinitions,
  FEATURES,
  handWrittenSql,
  PAIR_TTL_DAYS,
  USER_TTL_DAYS,
} from "./bench-definitions.ts";
import { type BenchData, generateBenchData } from "./generate-data.ts";
import { type Checksum, parquetChecksum, sameChecksum } from "./result-checksum.ts";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    entities: { type: "string" },
    "feature-rows": { type: "string" },
    runs: { type: "string", default: "3" },
    "skip-pandas": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const positiveInt = (name: string, text: string): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
};
const size = {
  entities: positiveInt("entities", flags.entities ?? (flags.quick ? "100000" : "1000000")),
  featureRows: positiveInt(
    "feature-rows",
    flags["feature-rows"] ?? (flags.quick ? "1000000" : "10000000"),
  ),
};
const runs = positiveInt("runs", flags.runs);
const python = process.env.PLINTH_BENCH_PYTHON ?? "/usr/bin/python3";
const log = (message: string) => process.stderr.write(`[bench:features] ${message}\n`);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1
    ? s[(s.length - 1) / 2]!
    : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Wall and CPU seconds of `work` (CPU: this process, DuckDB's threads included). */
async function timed(work: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 };
}

function timePlinth(data: BenchData, out: string) {
  const store = createDuckDbOfflineStore(benchDefinitions(data));
  return timed(async () => {
    const job = store.getHistoricalFeatures({ parquet: data.parquet.entities }, "fraud_bench");
    await job.toParquet(out);
    await job.close();
  });
}

function timeDuckDb(data: BenchData, out: string) {
  return timed(async () => {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    try {
      await connection.run(`COPY (${handWrittenSql(data)}) TO '${out}' (FORMAT parquet)`);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
}

interface PandasResult {
  readonly pandas: string;
  readonly load_seconds: number;
  readonly seconds: readonly number[];
  readonly cpu_seconds: readonly number[];
  readonly checksum: Checksum;
}

async function runPandas(data: BenchData): Promise<PandasResult> {
  const args = [
    join(import.meta.dirname, "pandas_peer.py"),
    ...["--dir", data.dir, "--runs", String(runs)],
    ...["--user-ttl-days", String(USER_TTL_DAYS), "--pair-ttl-days", String(PAIR_TTL_DAYS)],
    ...["--features", JSON.stringify(FEATURES.map((f) => [f.name, f.kind]))],
  ];
  const child = spawn(python, args, { stdio: ["ignore", "pipe", "inherit"] });
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    stdout += text;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject).on("close", resolve);
  });
  if (code !== 0) throw new Error(`pandas_peer.py exited with ${code}`);
  return JSON.parse(stdout) as PandasResult;
}

const startedAt = new Date();
const loadAtStart = loadavg();
const data = await generateBenchData(join(import.meta.dirname, "..", ".data"), size, log);
const outDir = join(data.dir, "out");
mkdirSync(outDir, { recursive: true });
const outputs = { plinth: join(outDir, "plinth.parquet"), duckdb: join(outDir, "duckdb.parquet") };

// Alternating runs, so a change in the machine's load falls on both alike.
const seconds = { plinth: [] as number[], duckdb: [] as number[] };
const cpuSeconds = { plinth: [] as number[], duckdb: [] as number[] };
for (let run = 1; run <= runs; run++) {
  const duck = await timeDuckDb(data, outputs.duckdb);
  const plinth = await timePlinth(data, outputs.plinth);
  seconds.duckdb.push(duck.wall);
  cpuSeconds.duckdb.push(duck.cpu);
  seconds.plinth.push(plinth.wall);
  cpuSeconds.plinth.push(plinth.cpu);
  log(
    `run ${run}/${runs}: plinth ${seconds.plinth.at(-1)!.toFixed(2)} s, DuckDB by hand ${seconds.duckdb.at(-1)!.toFixed(2)} s`,
  );
}
const pandas = flags["skip-pandas"] ? null : await runPandas(data);

const checksums = {
  plinth: await parquetChecksum(outputs.plinth, FEATURES),
  duckdb: await parquetChecksum(outputs.duckdb, FEATURES),
  pandas: pandas?.checksum ?? null,
};
const agrees = {
  plinth: sameChecksum(checksums.plinth, checksums.duckdb),
  pandas: checksums.pandas === null ? null : sameChecksum(checksums.pandas, checksums.duckdb),
};
rmSync(outDir, { recursive: true, force: true });

const hand = median(seconds.duckdb);
const rows = [
  {
    peer: "plinth getHistoricalFeatures().toParquet()",
    seconds: seconds.plinth,
    cpu: cpuSeconds.plinth,
    same: agrees.plinth,
  },
  {
    peer: "DuckDB hand-written ASOF query, COPY to Parquet",
    seconds: seconds.duckdb,
    cpu: cpuSeconds.duckdb,
    same: true,
  },
  ...(pandas === null
    ? []
    : [
        {
          peer: "pandas merge_asof (join only, load excluded)",
          seconds: pandas.seconds,
          cpu: pandas.cpu_seconds,
          same: agrees.pandas,
        },
      ]),
];
const handCpu = median(cpuSeconds.duckdb);
const table = [
  ["peer", "median s", "min s", "max s", "ratio", "median CPU s", "CPU ratio", "same result"],
  ...rows.map((r) => [
    r.peer,
    median(r.seconds).toFixed(2),
    Math.min(...r.seconds).toFixed(2),
    Math.max(...r.seconds).toFixed(2),
    (median(r.seconds) / hand).toFixed(2),
    median(r.cpu).toFixed(2),
    (median(r.cpu) / handCpu).toFixed(2),
    r.same === true ? "yes" : "NO",
  ]),
];
const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
const line = (row: string[]) =>
  row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(" | ");
const report = {
  startedAt: startedAt.toISOString(),
  size,
  runs,
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: loadavg(),
  },
  seconds: {
    plinth: seconds.plinth,
    duckdbByHand: seconds.duckdb,
    pandasMergeAsof: pandas?.seconds ?? null,
  },
  cpuSeconds: {
    plinth: cpuSeconds.plinth,
    duckdbByHand: cpuSeconds.duckdb,
    pandasMergeAsof: pandas?.cpu_seconds ?? null,
  },
  medians: {
    plinth: median(seconds.plinth),
    duckdbByHand: hand,
    pandasMergeAsof: pandas === null ? null : median(pandas.seconds),
  },
  pandas: pandas === null ? null : { version: pandas.pandas, loadSeconds: pandas.load_seconds },
  checksums,
  sameResult: agrees,
};
const resultsDir = join(import.meta.dirname, "..", "results");
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, `features-${startedAt.toISOString().replaceAll(":", "-")}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else {
  process.stdout.write(
    [
      `Point-in-time join: ${size.entities.toLocaleString("en-US")} entity rows, 3 views, ${size.featureRows.toLocaleString("en-US")} feature rows; median of ${runs} runs`,
      `machine: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), load average ${loadAtStart.map((l) => l.toFixed(1)).join(" ")} at start, ${report.machine.loadAverageAtEnd.map((l) => l.toFixed(1)).join(" ")} at end`,
      line(table[0]!),
      widths.map((w) => "-".repeat(w)).join("-|-"),
      ...table.slice(1).map(line),
      `written to ${file}`,
      "",
    ].join("\n"),
  );
}
if (agrees.plinth !== true || agrees.pandas === false) process.exitCode = 1;
