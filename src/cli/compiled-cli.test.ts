import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";

// The CLI as a user runs it: the compiled bin (no TypeScript loader), in a project of their
// own whose TypeScript modules import "plinth". `npm ci` builds dist/ (the prepare script).
const REPO = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(REPO, "bin", "plinth.js");
const project = mkdtempSync(join(tmpdir(), "plinth-user-project-"));
after(() => rmSync(project, { recursive: true, force: true }));

function plinth(...argv: string[]) {
  assert.ok(existsSync(join(REPO, "dist", "cli", "run.js")), "dist/ is missing: run npm run build");
  const result = spawnSync(process.execPath, [BIN, ...argv, "--home", join(project, ".plinth")], {
    cwd: project,
    encoding: "utf8",
    env: { ...process.env, PLINTH_LOG_LEVEL: "silent" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("the compiled CLI loads a user's TypeScript modules that import plinth", () => {
  mkdirSync(join(project, "node_modules"));
  symlinkSync(REPO, join(project, "node_modules", "plinth"), "dir");
  writeFileSync(join(project, "package.json"), '{ "type": "module" }\n');
  writeFileSync(
    join(project, "features.ts"),
    `import { entity, featureService, featureView, parquetSource } from "plinth";
export const driver = entity({ name: "driver", joinKeys: [{ name: "driver_id", type: "int64" }] });
const trips = parquetSource({ name: "trips", path: "trips.parquet", timestampField: "event_ts" });
const ratingType: string = "float64"; // a TypeScript annotation: plain Node could not load this
export const stats = featureView({
  name: "stats",
  entities: [driver],
  schema: [{ name: "rating", type: ratingType as "float64" }],
  source: trips,
});
export const fraud = featureService({ name: "fraud", features: [stats] });
`,
  );
  const plan = plinth("features", "plan", "--json");
  assert.equal(plan.code, 0, plan.stderr);
  const changes = (JSON.parse(plan.stdout) as { changes: { name: string }[] }).changes;
  assert.deepEqual(changes.map((c) => c.name).sort(), ["driver", "fraud", "stats"]);

  // A definition error thrown inside the user's module keeps its typed code.
  writeFileSync(
    join(project, "bad.ts"),
    `import { entity } from "plinth";\nexport const e = entity({ name: "bad name!", joinKeys: [] });\n`,
  );
  const bad = plinth("features", "plan", "--module", "bad.ts", "--json");
  assert.equal(bad.code, 1);
  assert.equal(
    (JSON.parse(bad.stdout || bad.stderr) as { error_code: string }).error_code,
    "FEATURES_INVALID_DEFINITION",
  );
});
