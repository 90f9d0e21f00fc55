import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createPipelineModuleDir } from "../../pipelines/testing/write-pipeline-module.ts";
import { runCli } from "../testing/run-cli.ts";

// `plinth pipeline run` as a real process: Ctrl-C, a kill, and cancel from another process.
const RUN = fileURLToPath(new URL("../run.ts", import.meta.url));
const modules = createPipelineModuleDir("plinth-pipeline-process-");
const home = join(modules.dir, "home");
after(() => modules.cleanup());
const mark = (name: string) => join(modules.dir, name);

const FILE = modules.write(
  "process.ts",
  `import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
const mark = (name: string) => ${JSON.stringify(modules.dir)} + "/" + name;
const first = step("first", {
  cache: false,
  inputs: { tag: param<string>("tag") },
  run: async ({ tag }) => {
    writeFileSync(mark(tag + ".first"), String(Date.now()));
    return { rows: [1, 2, 3] };
  },
});
// Runs a real child process (sleep) that the step's signal kills; waits for a release mark.
const hold = step("hold", {
  cache: false,
  inputs: { rows: first.output("rows"), tag: param<string>("tag") },
  run: async ({ rows, tag }, ctx) => {
    ctx.log("holding");
    if (existsSync(mark(tag + ".release"))) return { total: rows.length };
    const child = spawn("sleep", ["30"], { signal: ctx.signal, stdio: "ignore" });
    child.on("error", () => {});
    writeFileSync(mark(tag + ".sleep-pid"), String(child.pid));
    await new Promise((resolve) => child.once("exit", resolve));
    throw new Error("stopped while holding");
  },
});
const last = step("last", {
  cache: false,
  inputs: { total: hold.output("total") },
  run: async ({ total }) => ({ text: "total=" + total }),
});
export default definePipeline({
  name: "process-demo",
  params: { tag: { type: "string" } },
  steps: [first, hold, last],
});
`,
);

function start(tag: string): {
  child: ChildProcess;
  output: Promise<{ code: number | null; stdout: string }>;
} {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      RUN,
      "pipeline",
      "run",
      FILE,
      "--param",
      `tag=${tag}`,
      "--home",
      home,
      "--json",
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PLINTH_LOG_LEVEL: "warn" } },
  );
  let stdout = "";
  child.stdout?.on("data", (d) => {
    stdout += String(d);
  });
  child.stderr?.resume();
  const output = once(child, "exit").then(([code]) => ({ code: code as number | null, stdout }));
  return { child, output };
}

async function waitFor(path: string): Promise<string> {
  for (let i = 0; i < 1500 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(existsSync(path), `${path} appeared`);
  return readFileSync(path, "utf8");
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function runIdOf(tag: string): Promise<string> {
  const runs = await runCli(home, "pipeline", "runs", "--pipeline", "process-demo", "--json");
  const all = JSON.parse(runs.stdout) as Array<{ run_id: string; status: string }>;
  const shown = await Promise.all(
    all.map(async (r) =>
      JSON.parse((await runCli(home, "pipeline", "show", r.run_id, "--json")).stdout),
    ),
  );
  const match = shown.find((r) => r.params.tag === tag);
  assert.ok(match, `a run with tag ${tag}`);
  return match.run_id;
}

test("Ctrl-C cancels the run cleanly and kills the step's child process", async () => {
  const { child, output } = start("sigint");
  const sleepPid = Number(await waitFor(mark("sigint.sleep-pid")));
  assert.ok(alive(sleepPid));
  child.kill("SIGINT");
  const { code, stdout } = await output;
  assert.equal(code, 130);
  const run = JSON.parse(stdout);
  assert.equal(run.status, "cancelled");
  assert.deepEqual(
    run.steps.map((s: { status: string }) => s.status),
    ["succeeded", "cancelled", "cancelled"],
  );
  for (let i = 0; i < 100 && alive(sleepPid); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(alive(sleepPid), false, "the step's sleep process was killed");
});

test("a killed run resumes from its finished steps", async () => {
  const { child, output } = start("kill");
  await waitFor(mark("kill.sleep-pid"));
  child.kill("SIGKILL");
  await output;
  const runId = await runIdOf("kill");
  const killed = JSON.parse((await runCli(home, "pipeline", "show", runId, "--json")).stdout);
  assert.equal(killed.status, "running", "nothing marked the killed run");
  assert.deepEqual(
    killed.steps.map((s: { status: string }) => s.status),
    ["succeeded", "running", "pending"],
  );
  writeFileSync(mark("kill.release"), "");
  const firstRan = readFileSync(mark("kill.first"), "utf8");
  const resumed = await runCli(home, "pipeline", "run", FILE, "--resume", runId, "--json");
  assert.equal(resumed.code, 0, resumed.stderr);
  const r = JSON.parse(resumed.stdout);
  assert.equal(r.resumed_from, runId);
  assert.deepEqual(
    r.steps.map((s: { status: string }) => s.status),
    ["cached", "succeeded", "succeeded"],
  );
  // first opted out of the cache, yet was reused: resume keeps finished steps.
  assert.equal(readFileSync(mark("kill.first"), "utf8"), firstRan);
  const logs = await runCli(home, "pipeline", "logs", r.run_id, "--step", "hold");
  assert.match(logs.stdout, /== hold\n\S+ holding/);
  rmSync(mark("kill.release"));
});

test("plinth pipeline cancel stops a run driven by another process", async () => {
  const { output } = start("cancel");
  await waitFor(mark("cancel.sleep-pid"));
  const runId = await runIdOf("cancel");
  const cancel = await runCli(home, "pipeline", "cancel", runId, "--json");
  assert.equal(cancel.code, 0, cancel.stderr);
  assert.equal(JSON.parse(cancel.stdout).outcome, "requested");
  const { code, stdout } = await output;
  assert.equal(code, 130);
  assert.equal(JSON.parse(stdout).status, "cancelled");
  const again = await runCli(home, "pipeline", "cancel", runId);
  assert.match(again.stdout, /already finished/);
});
