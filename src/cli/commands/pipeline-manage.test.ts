import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { createPipelineModuleDir } from "../../pipelines/testing/write-pipeline-module.ts";
import { runCli } from "../testing/run-cli.ts";

const modules = createPipelineModuleDir("plinth-pipeline-manage-");
const home = join(modules.dir, "home");
after(() => modules.cleanup());
const cli = (...argv: string[]) => runCli(home, ...argv);
const FILE = modules.write(
  "nightly.ts",
  `const count = step("count", {
  inputs: { n: param<number>("n") },
  run: async ({ n }, ctx) => {
    ctx.log("counting to " + n);
    return { total: n };
  },
});
export default definePipeline({
  name: "nightly",
  description: "counts",
  params: { n: { type: "integer", default: 2 } },
  steps: [count],
});
`,
);

test("register, run by name, schedule, list and remove", async () => {
  const reg = await cli("pipeline", "register", FILE, "--json");
  assert.equal(reg.code, 0, reg.stderr);
  assert.equal(JSON.parse(reg.stdout).name, "nightly");
  const list = await cli("pipeline", "list", "--json");
  const names = (JSON.parse(list.stdout) as Array<{ name: string }>).map((p) => p.name);
  assert.ok(names.includes("nightly"));

  const byName = await cli("pipeline", "run", "nightly", "--param", "n=5", "--json");
  assert.equal(byName.code, 0, byName.stderr);
  const run = JSON.parse(byName.stdout);
  assert.equal(run.status, "succeeded");
  const logs = await cli("pipeline", "logs", run.run_id, "--json");
  assert.match(JSON.parse(logs.stdout)[0].logs, /counting to 5/);

  const added = await cli(
    "pipeline",
    "schedule",
    "add",
    "nightly",
    "--cron",
    "0 3 * * *",
    "--timezone",
    "Europe/Berlin",
    "--param",
    "n=9",
    "--json",
  );
  assert.equal(added.code, 0, added.stderr);
  const schedule = JSON.parse(added.stdout);
  assert.equal(schedule.cron, "0 3 * * *");
  assert.deepEqual(schedule.params, { n: "9" });
  assert.ok(schedule.next_run > Date.now());
  const text = await cli("pipeline", "schedule", "list");
  assert.match(
    text.stdout,
    new RegExp(`${schedule.schedule_id}\\s+nightly\\s+0 3 \\* \\* \\*\\s+Europe/Berlin\\s+n=9`),
  );
  const removed = await cli("pipeline", "schedule", "remove", schedule.schedule_id);
  assert.equal(removed.code, 0, removed.stderr);
  assert.deepEqual(JSON.parse((await cli("pipeline", "schedule", "list", "--json")).stdout), []);
  assert.equal((await cli("pipeline", "unregister", "nightly")).code, 0);
  assert.ok(!(await cli("pipeline", "list")).stdout.includes("nightly"));
});

test("bad schedule, registration and lineage requests are typed errors", async () => {
  await cli("pipeline", "register", FILE);
  const cases: Array<[string[], string, string | undefined]> = [
    [["pipeline", "schedule", "add", "nightly"], "INVALID_ARGUMENT", "cron"],
    [
      ["pipeline", "schedule", "add", "nightly", "--cron", "whenever"],
      "PIPELINES_INVALID_SCHEDULE",
      "cron",
    ],
    [
      [
        "pipeline",
        "schedule",
        "add",
        "nightly",
        "--cron",
        "0 3 * * *",
        "--timezone",
        "Nowhere/Land",
      ],
      "PIPELINES_INVALID_SCHEDULE",
      "timezone",
    ],
    [
      ["pipeline", "schedule", "add", "nightly", "--cron", "0 3 * * *", "--param", "n=many"],
      "PIPELINES_INVALID_PARAM",
      "params.n",
    ],
    [
      ["pipeline", "schedule", "add", "ghost", "--cron", "0 3 * * *"],
      "PIPELINES_NOT_REGISTERED",
      "pipeline",
    ],
    [["pipeline", "schedule", "remove", "nope"], "PIPELINES_SCHEDULE_NOT_FOUND", "schedule_id"],
    [["pipeline", "schedule", "fly"], "INVALID_ARGUMENT", "schedule"],
    [["pipeline", "register", join(modules.dir, "missing.ts")], "PIPELINES_LOAD_FAILED", "file"],
    [["pipeline", "register"], "INVALID_ARGUMENT", "file"],
    [["pipeline", "unregister", "ghost"], "PIPELINES_NOT_REGISTERED", "pipeline"],
    [["pipeline", "run", "ghost"], "PIPELINES_NOT_REGISTERED", "pipeline"],
    [["pipeline", "logs", "0".repeat(32)], "PIPELINES_RUN_NOT_FOUND", "run_id"],
    [["pipeline", "cancel", "0".repeat(32)], "PIPELINES_RUN_NOT_FOUND", "run_id"],
    [["pipeline", "lineage", "no-model", "1"], "REGISTRY_VERSION_NOT_FOUND", "version"],
    [["pipeline", "run", FILE, "--queue", "bad:name"], "INVALID_ARGUMENT", "queue"],
    [["pipeline", "run", FILE, "--queue", "q", "--redis", "http://x"], "INVALID_ARGUMENT", "redis"],
    [["worker", "--concurrency", "0"], "INVALID_ARGUMENT", "concurrency"],
    [["worker", "--redis", "localhost"], "INVALID_ARGUMENT", "redis"],
  ];
  for (const [argv, code, field] of cases) {
    const result = await cli(...argv, "--json");
    assert.notEqual(result.code, 0, argv.join(" "));
    const error = JSON.parse(result.stderr);
    assert.equal(error.error_code, code, `${argv.join(" ")}: ${result.stderr}`);
    if (field !== undefined) assert.equal(error.field, field, argv.join(" "));
  }
});

test("a run on an unreachable queue fails before anything is recorded", async () => {
  const listRuns = async () =>
    JSON.parse((await cli("pipeline", "runs", "--pipeline", "nightly", "--json")).stdout);
  const before = await listRuns();
  const result = await cli(
    "pipeline",
    "run",
    FILE,
    "--queue",
    "nobody-listens",
    "--redis",
    "redis://127.0.0.1:1",
    "--json",
  );
  assert.equal(result.code, 1);
  assert.equal(JSON.parse(result.stderr).error_code, "PIPELINES_QUEUE_UNAVAILABLE");
  assert.deepEqual(await listRuns(), before);
});
