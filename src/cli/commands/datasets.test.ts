import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { runCli } from "../testing/run-cli.ts";

let home: string;
before(() => {
  home = mkdtempSync(join(tmpdir(), "plinth-datasets-"));
});
after(() => rmSync(home, { recursive: true, force: true }));

const cli = (...argv: string[]) => runCli(home, ...argv);

test("datasets generate fraud writes a seeded CSV and reports it as JSON", async () => {
  const first = join(home, "a.csv");
  const second = join(home, "b.csv");
  const a = await cli("datasets", "generate", "fraud", "--out", first, "--rows", "500", "--json");
  assert.equal(a.code, 0, a.stderr);
  assert.deepEqual(JSON.parse(a.stdout), {
    path: first,
    rows: 500,
    seed: 1,
    label: "is_fraud",
    categorical: ["c1", "c2", "c3", "c4"],
  });
  const lines = readFileSync(first, "utf8").trimEnd().split("\n");
  assert.equal(lines.length, 501);
  assert.equal(lines[0]?.split(",").length, 33);
  await cli("datasets", "generate", "fraud", "--out", second, "--rows", "500");
  assert.equal(readFileSync(second, "utf8"), readFileSync(first, "utf8"));
});

test("datasets generate refuses bad flags and never overwrites a file", async () => {
  const existing = join(home, "existing.csv");
  writeFileSync(existing, "keep me");
  const cases: [string[], string][] = [
    [["datasets", "generate", "fraud"], "out"],
    [["datasets", "generate", "cats", "--out", join(home, "x.csv")], "dataset"],
    [["datasets", "make", "fraud", "--out", join(home, "x.csv")], "datasets"],
    [["datasets", "generate", "fraud", "--out", join(home, "x.csv"), "--rows", "0"], "rows"],
    [["datasets", "generate", "fraud", "--out", join(home, "x.csv"), "--rows", "1e3"], "rows"],
    [
      ["datasets", "generate", "fraud", "--out", join(home, "x.csv"), "--seed", "4294967296"],
      "seed",
    ],
    [["datasets", "generate", "fraud", "--out", existing], "out"],
  ];
  for (const [argv, field] of cases) {
    const result = await cli(...argv, "--json");
    assert.equal(result.code, 2, `${argv.join(" ")}: ${result.stdout} ${result.stderr}`);
    const error = JSON.parse(result.stderr) as { field?: string };
    assert.equal(error.field, field, argv.join(" "));
  }
  assert.equal(readFileSync(existing, "utf8"), "keep me");
});
