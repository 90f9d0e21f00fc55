import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { codeVersionOf } from "./code-version.ts";

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), "plinth-code-version-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const git = (...args: string[]) =>
  execFileSync("git", ["-C", dir, ...args], { encoding: "utf8" }).trim();

test("outside a repository there is no code version", async () => {
  assert.equal(await codeVersionOf(dir), null);
  assert.equal(await codeVersionOf(join(dir, "does-not-exist")), null);
});

test("the commit, whether tracked files changed, and the origin URL", async () => {
  git("init", "-q");
  git("config", "user.email", "test@example.com");
  git("config", "user.name", "test");
  writeFileSync(join(dir, "train.ts"), "export {};\n");
  git("add", "train.ts");
  git("commit", "-qm", "first");
  const head = git("rev-parse", "HEAD");
  assert.deepEqual(await codeVersionOf(dir), { gitCommit: head, dirty: false, repoUrl: null });

  writeFileSync(join(dir, "notes.txt"), "untracked files do not make the tree dirty\n");
  assert.equal((await codeVersionOf(dir))?.dirty, false);
  writeFileSync(join(dir, "train.ts"), "export const changed = 1;\n");
  git("remote", "add", "origin", "https://example.com/team/models.git");
  assert.deepEqual(await codeVersionOf(dir), {
    gitCommit: head,
    dirty: true,
    repoUrl: "https://example.com/team/models.git",
  });
});
