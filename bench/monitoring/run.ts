/**
 * bench/monitoring: plinth's monitoring statistics against NumPy/SciPy doing the same work on
 * the same arrays, in the same run:
 *
 *   profiling  1,000,000 rows × 30 features (plinth's mergeable profile: counts, moments,
 *              quantile sketch, histogram, distinct sketch; NumPy: the same summaries, exact);
 *   drift      the full default drift table of 100,000 current against 100,000 reference rows
 *              × 30 features (Evidently's selection: normed Wasserstein or Jensen-Shannon);
 *   ks, psi    the same table with K-S (SciPy's asymptotic p-value) or PSI for every column.
 *
 *   npm run bench:monitoring              # full size, 5 runs each, median reported
 *   npm run bench:monitoring -- --quick   # 100,000 rows to profile, 10,000 per drift side
 *   flags: --runs N --skip-peer --json
 *
 * The peer is bench/monitoring/numpy_peer.py under /usr/bin/python3 (override with
 * PLINTH_BENCH_PYTHON); only computation is timed on both sides. Prints a table (speed-up =
 * peer seconds / plinth seconds), checks both sides computed the same scores, and writes
 * bench/results/monitoring-<time>.json.
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { computeDrift } from "../../src/monitoring/drift/compute-drift.ts";
import type { DriftOptions } from "../../src/monitoring/drift/drift-options.ts";
import { profileColumns } from "../../src/monitoring/profile/profile-columns.ts";
import type { NumericColumn } from "../../src/training/dataset/training-dataset.ts";
import { DATA_DIR, FEATURES, prepareTables } from "./bench-data.ts";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    runs: { type: "string", default: "5" },
    "skip-peer": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const runs = Number(flags.runs);
if (!(Number.isInteger(runs) && runs >= 3))
  throw new Error("--runs must be an integer >= 3 (medians need three)");
const sizes = flags.quick
  ? { profileRows: 100_000, driftRows: 10_000 }
  : { profileRows: 1_000_000, driftRows: 100_000 };
const python = process.env.PLINTH_BENCH_PYTHON ?? "/usr/bin/python3";
const log = (message: string) => process.stderr.write(`[bench:monitoring] ${message}\n`);

interface PeerWork {
  readonly seconds: number[];
  readonly tests?: string[];
  readonly scores?: number[];
}
interface PeerResult {
  readonly versions: Record<string, string>;
  readonly profile: PeerWork;
  readonly drift: PeerWork;
  readonly ks: PeerWork;
  readonly psi: PeerWork;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1
    ? s[(s.length - 1) / 2]!
    : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function time<T>(work: () => T): { seconds: number[]; result: T } {
  const seconds: number[] = [];
  let result: T | undefined;
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    result = work();
    seconds.push((performance.now() - start) / 1000);
  }
  return { seconds, result: result as T };
}

async function runPeer(): Promise<PeerResult> {
  const child = spawn(
    python,
    [join(import.meta.dirname, "numpy_peer.py"), "--dir", DATA_DIR, "--runs", String(runs)],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let stdout = "";
  child.stdout.setEncoding("utf8").on("data", (text: string) => {
    stdout += text;
  });
  const code = await new Promise<number | null>((resolve, reject) =>
    child.on("error", reject).on("close", resolve),
  );
  if (code !== 0) throw new Error(`numpy_peer.py exited with ${code}`);
  return JSON.parse(stdout) as PeerResult;
}

const startedAt = new Date();
log(
  `preparing ${sizes.profileRows} x ${FEATURES} profile rows and 2 x ${sizes.driftRows} x ${FEATURES} drift rows`,
);
const tables = prepareTables(sizes);
const asColumns = (arrays: Float64Array[]): NumericColumn[] =>
  arrays.map((values, f) => ({ kind: "numeric", name: `f${f}`, values }));
const profileInput = asColumns(tables.profile);
const reference = asColumns(tables.reference);
const current = asColumns(tables.current);

log("plinth: profiling");
const profile = time(() => profileColumns(profileInput));
const driftRuns: Record<string, ReturnType<typeof time<ReturnType<typeof computeDrift>>>> = {};
for (const [name, options] of [
  ["drift", {}],
  ["ks", { all: { stattest: "ks" } }],
  ["psi", { all: { stattest: "psi" } }],
] as [string, DriftOptions][]) {
  log(`plinth: ${name} table`);
  driftRuns[name] = time(() => computeDrift({ reference, current, options }));
}
log(flags["skip-peer"] ? "skipping the NumPy/SciPy peer" : "numpy/scipy peer");
const peer = flags["skip-peer"] ? null : await runPeer();

/** Largest relative difference between plinth's and the peer's scores (same test per column). */
function parity(name: string): { sameTests: boolean; maxRelativeDifference: number } | null {
  const theirs = peer?.[name as "drift"];
  if (theirs?.scores === undefined) return null;
  const ours = driftRuns[name]!.result.columns;
  let worst = 0;
  ours.forEach((row, f) => {
    const a = row.score ?? Number.NaN;
    const b = theirs.scores![f]!;
    const diff = a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
    worst = Math.max(worst, Math.abs(a - b) < 1e-15 ? 0 : diff);
  });
  return {
    sameTests: ours.every((r, f) => r.stattest === theirs.tests![f]),
    maxRelativeDifference: worst,
  };
}

const values = sizes.profileRows * FEATURES;
const rows = [
  {
    work: `profile ${sizes.profileRows.toLocaleString("en-US")} x ${FEATURES} (s)`,
    plinth: median(profile.seconds),
    peer: peer === null ? null : median(peer.profile.seconds),
  },
  {
    work: "profile values/s (millions)",
    plinth: values / median(profile.seconds) / 1e6,
    peer: peer === null ? null : values / median(peer.profile.seconds) / 1e6,
  },
  ...["drift", "ks", "psi"].map((name) => ({
    work: `${name === "drift" ? "default drift table" : `${name} on every column`}, ${sizes.driftRows.toLocaleString("en-US")} vs ${sizes.driftRows.toLocaleString("en-US")} x ${FEATURES} (s)`,
    plinth: median(driftRuns[name]!.seconds),
    peer: peer === null ? null : median(peer[name as "drift"].seconds),
  })),
];

const report = {
  startedAt: startedAt.toISOString(),
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    node: process.version,
    loadAverageAtStart: loadavg(),
    shared: true,
  },
  sizes: { ...sizes, features: FEATURES, runs },
  peerVersions: peer?.versions ?? null,
  results: rows.map((r) => ({
    ...r,
    speedUp:
      r.peer === null ? null : r.work.includes("values/s") ? r.plinth / r.peer : r.peer / r.plinth,
  })),
  seconds: {
    plinth: {
      profile: profile.seconds,
      ...Object.fromEntries(Object.entries(driftRuns).map(([k, v]) => [k, v.seconds])),
    },
    peer:
      peer === null
        ? null
        : {
            profile: peer.profile.seconds,
            drift: peer.drift.seconds,
            ks: peer.ks.seconds,
            psi: peer.psi.seconds,
          },
  },
  parity: { drift: parity("drift"), ks: parity("ks"), psi: parity("psi") },
  targets: {
    profileMillionValuesPerSecond: 20,
    profileMet: values / median(profile.seconds) / 1e6 >= 20,
    driftAtLeastPeer:
      peer === null ? null : median(driftRuns.drift!.seconds) <= median(peer.drift.seconds),
  },
};
const resultsDir = join(import.meta.dirname, "..", "results");
mkdirSync(resultsDir, { recursive: true });
const outPath = join(resultsDir, `monitoring-${startedAt.toISOString().replaceAll(":", "-")}.json`);
writeFileSync(outPath, `${JSON.stringify(report, null, 2)}\n`);

const format = (x: number | null) =>
  x === null ? "—" : x >= 100 ? x.toFixed(0) : Number(x.toPrecision(3)).toString();
const cells = report.results.map((r) => [
  r.work,
  format(r.plinth),
  format(r.peer),
  r.speedUp === null ? "—" : `${r.speedUp.toFixed(2)}x`,
]);
const all = [["work (median of " + runs + " runs)", "plinth", "numpy/scipy", "speed-up"], ...cells];
const widths = all[0]!.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
const line = (row: string[]) =>
  row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(" | ");
if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
else {
  process.stdout.write(
    [
      line(all[0]!),
      widths.map((w) => "-".repeat(w)).join("-|-"),
      ...cells.map(line),
      "",
      `parity (same test per column, max relative score difference): ${JSON.stringify(report.parity)}`,
      `targets: profiling >= 20 M values/s: ${report.targets.profileMet}; default drift table at least as fast as SciPy: ${report.targets.driftAtLeastPeer}`,
      `machine: ${report.machine.cpus} cores (shared with other work), load average at start ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
      `wrote ${outPath}`,
      "",
    ].join("\n"),
  );
}
