import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createLocalArtifactStore } from "../../artifacts/local/local-artifact-store.ts";
import { createPredictionLog } from "../../serving/prediction-log/create-prediction-log.ts";
import { makeRecord } from "../../serving/prediction-log/testing/make-record.ts";
import { runCli } from "../testing/run-cli.ts";

const T0 = Date.UTC(2026, 11, 6, 10);
let home: string;
before(async () => {
  home = mkdtempSync(join(tmpdir(), "plinth-monitor-labels-"));
  const log = createPredictionLog({
    artifacts: createLocalArtifactStore({ root: join(home, "artifacts") }),
    maxQueue: 1000,
    segmentMaxRows: 1000,
    segmentMaxAgeMs: 3_600_000,
    flushIntervalMs: 60_000,
  });
  for (let i = 0; i < 20; i++) log.append(makeRecord(i, T0 + i * 1000));
  await log.close();
});
after(() => rmSync(home, { recursive: true, force: true }));

test("plinth monitor labels ingest FILE and coverage, as text and --json", async () => {
  const csv = join(home, "labels.csv");
  writeFileSync(
    csv,
    `request_id,label\n${Array.from({ length: 5 }, (_, i) => `r${i},${i % 2}`).join("\n")}\nghost,1\n`,
  );
  const ingest = await runCli(
    home,
    "monitor",
    "labels",
    "ingest",
    "--deployment",
    "fraud",
    csv,
    "--json",
  );
  assert.equal(ingest.code, 0, ingest.stderr);
  assert.deepEqual(JSON.parse(ingest.stdout), {
    deployment: "fraud",
    received: 6,
    inserted: 6,
    replaced: 0,
    byRequestId: 6,
    byEntity: 0,
  });
  const again = await runCli(
    home,
    "monitor",
    "labels",
    "ingest",
    "--deployment",
    "fraud",
    csv,
    "--from",
    String(T0),
    "--to",
    String(T0 + 20_000),
  );
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /0 new, 6 replaced/);
  assert.match(again.stdout, /1 match no prediction in the window \(ghost\)/);
  const coverage = await runCli(
    home,
    "monitor",
    "labels",
    "coverage",
    "--deployment",
    "fraud",
    "--from",
    "2026-12-06T10:00:00Z",
    "--to",
    String(T0 + 20_000),
    "--json",
  );
  assert.equal(coverage.code, 0, coverage.stderr);
  const c = JSON.parse(coverage.stdout) as {
    predictions: number;
    labelled: number;
    coverage: number;
  };
  assert.deepEqual([c.predictions, c.labelled, c.coverage], [20, 5, 0.25]);
  const text = await runCli(
    home,
    "monitor",
    "labels",
    "coverage",
    "--deployment",
    "fraud",
    "--from",
    "0",
    "--to",
    "1",
  );
  assert.match(text.stdout, /0 of 0 predictions labelled \(no data\)/);
});

test("plinth monitor labels: bad input exits non-zero naming the flag or row, storing nothing", async () => {
  const bad = join(home, "bad.ndjson");
  writeFileSync(bad, '{"requestId":"r9","label":1}\n{"requestId":"r10","label":"yes"}\n');
  for (const [argv, field] of [
    [["monitor", "labels", "ingest", "--deployment", "fraud", bad], "labels[1].label"],
    [["monitor", "labels", "ingest", "--deployment", "fraud"], "FILE"],
    [["monitor", "labels", "ingest", "--deployment", "../x", bad], "deployment"],
    [["monitor", "labels", "ingest", bad], "deployment"],
    [
      ["monitor", "labels", "ingest", "--deployment", "fraud", join(home, "missing.csv")],
      undefined,
    ],
    [
      ["monitor", "labels", "coverage", "--deployment", "fraud", "--from", "soon", "--to", "1"],
      "from",
    ],
    [["monitor", "labels", "coverage", "--deployment", "fraud", "--from", "5", "--to", "1"], "to"],
    [["monitor", "labels", "relabel", "--deployment", "fraud"], "labels"],
  ] as const) {
    const result = await runCli(home, ...argv, "--json");
    assert.notEqual(result.code, 0, argv.join(" "));
    const error = JSON.parse(result.stderr) as { field?: string };
    if (field !== undefined) assert.equal(error.field, field, argv.join(" "));
  }
  const coverage = await runCli(
    home,
    "monitor",
    "labels",
    "coverage",
    "--deployment",
    "fraud",
    "--from",
    "0",
    "--to",
    String(T0 + 60_000),
    "--json",
  );
  assert.equal((JSON.parse(coverage.stdout) as { labelled: number }).labelled, 5);
});
