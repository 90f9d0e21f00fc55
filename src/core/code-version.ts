import { execFile } from "node:child_process";

/** The code a run was made from, as MLflow records it (`mlflow.source.git.*` tags). */
export interface CodeVersion {
  /** The commit checked out, 40 hex digits. */
  readonly gitCommit: string;
  /** Whether tracked files differ from that commit (the commit alone does not reproduce the run). */
  readonly dirty: boolean;
  /** The repository's `origin` URL, when it has one. */
  readonly repoUrl: string | null;
}

/**
 * The git commit of the working tree at `dir`, or null when `dir` is not in a git repository
 * or git is not installed: lineage is recorded when it can be, never required.
 *
 * @example
 * const code = await codeVersionOf(process.cwd()); // { gitCommit: "3f2a…", dirty: false, repoUrl: null }
 */
export async function codeVersionOf(dir: string): Promise<CodeVersion | null> {
  const commit = await git(dir, ["rev-parse", "--verify", "HEAD"]);
  if (commit === null || !/^[0-9a-f]{40}$/.test(commit)) return null;
  const status = await git(dir, ["status", "--porcelain", "--untracked-files=no"]);
  const origin = await git(dir, ["config", "--get", "remote.origin.url"]);
  return {
    gitCommit: commit,
    dirty: status !== null && status !== "",
    repoUrl: origin === null || origin === "" ? null : origin,
  };
}

function git(dir: string, args: readonly string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile("git", ["-C", dir, ...args], { timeout: 5000 }, (error, stdout) => {
      resolve(error === null ? stdout.trim() : null);
    });
  });
}
