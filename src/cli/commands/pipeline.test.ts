import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { pathToFileURL } from "node:url";
import { runCli } from "../testing/run-cli.ts";

const API = pathToFileURL(join(import.meta.dirname, "../../pipelines/index.ts")).href;

const dir = mkdtempSync(join(tmpdir(), "plinth-pipeline-cli-"));
const home = join(dir, "home");
// A user's project is ESM; without this, tsx would compile the pipeline files as CommonJS.
writeFileSync(join(dir, "package.json"), '{ "type": "module" }');
after(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...argv: string[]) => runCli(home, ...argv);

/** A pipeline module in the temp dir; `fail` makes step b throw while a marker file exists. */
function writePipeline(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `import { definePipeline, param, step } from ${JSON.stringify(API)};\n${body}`,
  );
  return file;
}

const MAIN = writePipeline(
  "main.ts",
  `import { existsSync } from "node:fs";
const a = step("a", {
  inputs: { n: param<number>("n") },
  run: async ({ n }) => ({ squares: Array.from({ length: n }, (_, i) => i * i) }),
});
const b = step("b", {
  inputs: { squares: a.output("squares"), label: param<string>("label") },
  run: async ({ squares, label }) => {
    if (existsSync(${JSON.stringify(join(dir, "break-b"))})) throw new Error("b is broken");
    return { total: squares.reduce((x, y) => x + y, 0), label };
  },
});
export default definePipeline({
  name: "cli-demo",
  params: { n: { type: "integer", default: 3 }, label: { type: "string", default: "x" } },
  steps: [a, b],
});
`,
);

test("pipeline run executes a file, reports JSON, and hits the cache on a rerun", async () => {
  const first = await cli("pipeline", "run", MAIN, "--param", "n=4", "--json");
  assert.equal(first.code, 0, first.stderr);
  const out = JSON.parse(first.stdout);
  assert.equal(out.status, "succeeded");
  assert.equal(out.pipeline, "cli-demo");
  assert.deepEqual(out.params, { n: 4, label: "x" });
  assert.deepEqual(
    out.steps.map((s: { step: string; status: string }) => [s.step, s.status]),
    [
      ["a", "succeeded"],
      ["b", "succeeded"],
    ],
  );

  const again = await cli("pipeline", "run", MAIN, "--param", "n=4");
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /cached\s+a .*cache hit from run/);
  assert.match(again.stdout, /pipeline cli-demo run [0-9a-f]{32}: succeeded/);

  const shown = await cli("pipeline", "show", out.run_id, "--json");
  assert.equal(shown.code, 0, shown.stderr);
  assert.equal(JSON.parse(shown.stdout).steps[1].outputs.total.encoding, "json");

  const runs = await cli("pipeline", "runs", "--pipeline", "cli-demo", "--json");
  assert.equal(JSON.parse(runs.stdout).length, 2);
  const text = await cli("pipeline", "runs");
  assert.match(text.stdout, /cli-demo\s+succeeded/);
});

test("a failed run exits 1 and --resume continues it", async () => {
  writeFileSync(join(dir, "break-b"), "");
  const failed = await cli(
    "pipeline",
    "run",
    MAIN,
    "--param",
    "n=9",
    "--param",
    "label=r",
    "--json",
  );
  assert.equal(failed.code, 1);
  const run = JSON.parse(failed.stdout);
  assert.equal(run.status, "failed");
  assert.equal(run.steps[1].error, "b is broken");
  rmSync(join(dir, "break-b"));
  const resumed = await cli("pipeline", "run", MAIN, "--resume", run.run_id, "--json");
  assert.equal(resumed.code, 0, resumed.stderr);
  const r = JSON.parse(resumed.stdout);
  assert.equal(r.resumed_from, run.run_id);
  assert.deepEqual(r.params, { n: 9, label: "r" });
  assert.deepEqual(
    r.steps.map((s: { status: string }) => s.status),
    ["cached", "succeeded"],
  );
});

test("bad files, definitions and params are typed errors before anything runs", async () => {
  const cycle = writePipeline(
    "cycle.ts",
    `import { ref } from ${JSON.stringify(API)};
const a = step("a", { inputs: { x: ref("b", "y") }, run: async () => ({ y: 1 }) });
const b = step("b", { inputs: { x: ref("a", "y") }, run: async () => ({ y: 1 }) });
export default definePipeline({ name: "cyc", steps: [a, b] });
`,
  );
  const none = writePipeline("none.ts", "export const x = 1;\n");
  const cases: Array<[string[], string, number]> = [
    [["pipeline", "run", cycle], "PIPELINES_CYCLE", 1],
    [["pipeline", "run", none], "PIPELINES_LOAD_FAILED", 1],
    [["pipeline", "run", join(dir, "missing.ts")], "PIPELINES_LOAD_FAILED", 1],
    [["pipeline", "run", MAIN, "--param", "n=abc"], "PIPELINES_INVALID_PARAM", 1],
    [["pipeline", "run", MAIN, "--param", "nope=1"], "PIPELINES_INVALID_PARAM", 1],
    [["pipeline", "run", MAIN, "--param", "n"], "INVALID_ARGUMENT", 2],
    [["pipeline", "show", "0".repeat(32)], "PIPELINES_RUN_NOT_FOUND", 1],
    [["pipeline", "fly"], "INVALID_ARGUMENT", 2],
  ];
  for (const [argv, code, exit] of cases) {
    const result = await cli(...argv, "--json");
    assert.equal(result.code, exit, `${argv.join(" ")}: ${result.stderr}`);
    assert.equal(JSON.parse(result.stderr).error_code, code, argv.join(" "));
  }
  const runs = await cli("pipeline", "runs", "--pipeline", "cyc", "--json");
  assert.deepEqual(JSON.parse(runs.stdout), []);
});
