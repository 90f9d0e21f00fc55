import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { resolveConfig } from "../../core/config.ts";
import { createLogger } from "../../core/logger.ts";
import { openPlatform } from "../../platform.ts";
import { runCli } from "../testing/run-cli.ts";
import { parseTrafficSpec } from "./traffic-spec.ts";

let home: string;
before(async () => {
  home = mkdtempSync(join(tmpdir(), "plinth-deployments-"));
  const platform = await openPlatform(resolveConfig({ overrides: { home }, env: {} }), {
    logger: createLogger({ level: "silent" }),
  });
  await platform.registry.models.create({ name: "fraud" });
  for (let i = 0; i < 3; i++) {
    await platform.registry.versions.create({ name: "fraud", source: `models:/fraud/${i + 1}` });
  }
  await platform.close();
});
after(() => rmSync(home, { recursive: true, force: true }));

const cli = (...argv: string[]) => runCli(home, ...argv);
const json = async (...argv: string[]) => {
  const r = await cli(...argv, "--json");
  assert.equal(r.code, 0, `${argv.join(" ")}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};

test("deployments create, list, show, set-traffic and delete round-trip through the store", async () => {
  const created = await json(
    "deployments",
    "create",
    "fraud",
    "--model",
    "fraud",
    "--alias",
    "champion",
  );
  assert.deepEqual(created.variants, [
    { name: "champion", model: "fraud", alias: "champion", weight: 100, shadow: false },
  ]);
  const split = await json(
    "deployments",
    "set-traffic",
    "fraud",
    "champion=90",
    "challenger=10",
    "--shadow",
    "shadow1=fraud@v3",
  );
  assert.deepEqual(split.variants, [
    { name: "champion", model: "fraud", alias: "champion", weight: 90, shadow: false },
    { name: "challenger", model: "fraud", alias: "challenger", weight: 10, shadow: false },
    { name: "shadow1", model: "fraud", version: "3", weight: 0, shadow: true },
  ]);
  const shown = await json("deployments", "show", "fraud");
  assert.deepEqual(shown.variants, split.variants);
  const pinned = await json(
    "deployments",
    "create",
    "pinned",
    "--model",
    "fraud",
    "--version",
    "2",
  );
  assert.deepEqual(pinned.variants, [
    { name: "v2", model: "fraud", version: "2", weight: 100, shadow: false },
  ]);
  const listed = (await json("deployments", "list")).deployments as { name: string }[];
  assert.deepEqual(
    listed.map((d) => d.name),
    ["fraud", "pinned"],
  );
  const text = await cli("deployments", "list");
  assert.match(
    text.stdout,
    /champion=fraud@champion 90%, challenger=fraud@challenger 10%, shadow1=fraud@v3 \(shadow\)/,
  );
  assert.deepEqual(await json("deployments", "delete", "pinned"), { deleted: "pinned" });
  const gone = await cli("deployments", "show", "pinned", "--json");
  assert.equal(gone.code, 1);
  assert.equal(JSON.parse(gone.stderr).error_code, "DEPLOYMENT_NOT_FOUND");
});

test("deployments refuses bad arguments with a typed error naming the field, writing nothing", async () => {
  const cases: [string[], number, string][] = [
    [["deployments", "create", "x"], 2, "model"],
    [["deployments", "create", "x", "--model", "fraud"], 2, "alias"],
    [
      ["deployments", "create", "x", "--model", "fraud", "--alias", "a", "--version", "1"],
      2,
      "alias",
    ],
    [["deployments", "create", "x", "--model", "fraud", "--version", "zz"], 2, "version"],
    [
      ["deployments", "create", "x", "--model", "fraud", "--alias", "a", "--threshold", "high"],
      2,
      "threshold",
    ],
    [["deployments", "create", "x", "--model", "nope", "--alias", "a"], 1, "variants.0.model"],
    [
      ["deployments", "create", "x", "--model", "fraud", "--version", "99"],
      1,
      "variants.0.version",
    ],
    [["deployments", "create", "bad/name", "--model", "fraud", "--alias", "a"], 1, "name"],
    [["deployments", "create"], 2, "name"],
    [["deployments", "set-traffic", "nope", "a=100"], 1, ""],
    [["deployments", "set-traffic", "fraud"], 2, "variants"],
    [["deployments", "set-traffic", "fraud", "champion=60", "challenger=30"], 1, "variants.weight"],
    [["deployments", "set-traffic", "fraud", "champion=abc"], 2, "variants"],
    [["deployments", "set-traffic", "fraud", "champion=100", "champion=0"], 2, "variants"],
    [["deployments", "set-traffic", "fraud", "champion=100", "--shadow", "s=fraud"], 2, "shadow"],
    [["deployments", "frobnicate"], 2, "command"],
  ];
  const before = await json("deployments", "show", "fraud");
  for (const [argv, code, field] of cases) {
    const r = await cli(...argv, "--json");
    assert.equal(r.code, code, `${argv.join(" ")}: ${r.stdout} ${r.stderr}`);
    const error = JSON.parse(r.stderr) as { field?: string; error_code: string };
    if (field !== "") assert.equal(error.field, field, `${argv.join(" ")}: ${r.stderr}`);
  }
  assert.deepEqual(await json("deployments", "show", "fraud"), before);
  const names = ((await json("deployments", "list")).deployments as { name: string }[]).map(
    (d) => d.name,
  );
  assert.deepEqual(names, ["fraud"]);
});

test("parseTrafficSpec keeps an existing variant's target and pins versions given inline", () => {
  const current = [
    { name: "main", model: "fraud", version: "2", weight: 100, shadow: false },
  ] as const;
  assert.deepEqual(parseTrafficSpec(["main=95", "canary=fraud@v3:5"], [], current), [
    { name: "main", model: "fraud", version: "2", weight: 95, shadow: false },
    { name: "canary", model: "fraud", version: "3", weight: 5, shadow: false },
  ]);
  assert.deepEqual(parseTrafficSpec(["x=team@fraud@blue:100"], [], current), [
    { name: "x", model: "team@fraud", alias: "blue", weight: 100, shadow: false },
  ]);
  assert.throws(() => parseTrafficSpec(["main=101"], [], current), /weight/);
  assert.throws(() => parseTrafficSpec(["=100"], [], current), /NAME=WEIGHT/);
  assert.throws(() => parseTrafficSpec(["main=100"], ["main=fraud@v1"], current), /twice/);
});
