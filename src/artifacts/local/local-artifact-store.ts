import { randomUUID } from "node:crypto";
import type { Dirent, Stats } from "node:fs";
import {
  type FileHandle,
  mkdir,
  open,
  readdir,
  realpath,
  rename,
  rm,
  stat,
} from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { invalidArgument, PlinthError } from "../../core/errors.ts";
import {
  normalizeArtifactKey,
  normalizeArtifactPrefix,
  quoteArtifactKey,
  TEMP_NAME_PREFIX,
} from "../artifact-key.ts";
import type { ArtifactBody, ArtifactEntry, ArtifactStore, ByteRange } from "../artifact-store.ts";

/** Configuration of {@link createLocalArtifactStore}. */
export interface LocalArtifactStoreConfig {
  /** The directory holding every artifact; created on the first write. */
  readonly root: string;
}

/**
 * An artifact store in a local directory: each key is a file path under `root`. Writes go
 * to a temporary file beside the target, are fsynced, then renamed over it, so a reader or
 * a crash never sees half a file.
 *
 * @example
 * const store = createLocalArtifactStore({ root: ".plinth/artifacts" });
 * await store.put("runs/7/model.json", JSON.stringify(model));
 */
export function createLocalArtifactStore(config: LocalArtifactStoreConfig): ArtifactStore {
  if (typeof config.root !== "string" || config.root === "") {
    throw invalidArgument("root", "must be a non-empty directory path");
  }
  const settings = Object.freeze({ ...config, root: resolve(config.root) });
  const { root } = settings;

  /** The file path of a checked key; refuses one that leads outside the root. */
  async function locate(key: string): Promise<string> {
    const path = key === "" ? root : join(root, ...key.split("/"));
    // Checked keys cannot climb out; this guards against a bug in the checks.
    if (!isWithin(root, path)) throw outsideRoot(key);
    const realRoot = await realpathIfExists(root);
    if (realRoot === undefined) return path; // nothing stored yet, so no link can lead out
    // A symbolic link anywhere along the path may point elsewhere: resolve the deepest part
    // that exists and make sure it is still under the root.
    for (let probe = path; probe !== root; probe = dirname(probe)) {
      const real = await realpathIfExists(probe);
      if (real === undefined) continue;
      if (!isWithin(realRoot, real)) throw outsideRoot(key);
      break;
    }
    return path;
  }

  async function entryFor(dir: string, dirent: Dirent): Promise<ArtifactEntry | undefined> {
    const path = join(dir, dirent.name);
    const info = await statIfExists(path);
    // Gone since readdir, a dangling link, or a link out of the root: not an artifact.
    if (info === undefined) return undefined;
    if (dirent.isSymbolicLink()) {
      const [real, realRoot] = await Promise.all([realpathIfExists(path), realpath(root)]);
      if (real === undefined || !isWithin(realRoot, real)) return undefined;
    }
    return info.isDirectory()
      ? { path: dirent.name, isDir: true }
      : { path: dirent.name, isDir: false, size: info.size };
  }

  return {
    location: root,

    async put(key, body) {
      const path = await locate(normalizeArtifactKey(key));
      const dir = dirname(path);
      const temp = join(dir, tempName());
      try {
        await mkdir(dir, { recursive: true });
        const size = await writeNewFile(temp, body);
        await rename(temp, path);
        await syncDirectory(dir);
        return { size };
      } catch (error) {
        await removeIfExists(temp);
        throw pathError(error, key);
      }
    },

    async get(key, range) {
      const checked = normalizeArtifactKey(key);
      const { start, end } = checkRange(range);
      const path = await locate(checked);
      // Opened before it is checked, so the stream reads the very file that was checked
      // even if a put renames a new one over it meanwhile.
      const file = await open(path, "r").catch((error: unknown) => {
        throw isMissing(error) || errorCode(error) === "EISDIR" ? notFound(key) : error;
      });
      try {
        if ((await file.stat()).isDirectory()) throw notFound(key);
      } catch (error) {
        await file.close();
        throw error;
      }
      return file.createReadStream({ start, end });
    },

    async stat(key) {
      const info = await statIfExists(await locate(normalizeArtifactKey(key)));
      if (info === undefined) return undefined;
      return info.isDirectory() ? { size: 0, isDir: true } : { size: info.size, isDir: false };
    },

    async list(prefix) {
      const dir = await locate(normalizeArtifactPrefix(prefix));
      let dirents: Dirent[];
      try {
        dirents = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isMissing(error)) return [];
        throw error;
      }
      const entries = await Promise.all(
        dirents.filter((d) => !d.name.startsWith(TEMP_NAME_PREFIX)).map((d) => entryFor(dir, d)),
      );
      return entries
        .filter((e) => e !== undefined)
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },

    async delete(key) {
      const path = await locate(normalizeArtifactKey(key));
      // Renamed out of sight first, so a directory vanishes at once rather than file by
      // file, and a crash midway leaves only a temporary name that nothing lists.
      const doomed = join(dirname(path), tempName());
      try {
        await rename(path, doomed);
      } catch (error) {
        if (isMissing(error)) return;
        throw error;
      }
      await removeIfExists(doomed);
    },

    async move(from, to) {
      const source = await locate(normalizeArtifactKey(from));
      const target = await locate(normalizeArtifactKey(to));
      // Checked first so that a missing source does not leave new directories behind.
      if ((await statIfExists(source)) === undefined) throw notFound(from);
      await mkdir(dirname(target), { recursive: true }).catch((error: unknown) => {
        throw pathError(error, to);
      });
      await rename(source, target).catch((error: unknown) => {
        throw errorCode(error) === "ENOENT" ? notFound(from) : pathError(error, to);
      });
      await syncDirectory(dirname(target));
    },
  };
}

function tempName(): string {
  return `${TEMP_NAME_PREFIX}${randomUUID()}`;
}

/** Writes `body` to a file that must not exist yet, fsyncs it, and returns its size. */
async function writeNewFile(path: string, body: ArtifactBody): Promise<number> {
  const file = await open(path, "wx");
  try {
    const size =
      typeof body === "string" || body instanceof Uint8Array
        ? await writeAll(file, typeof body === "string" ? Buffer.from(body) : body)
        : await writeStream(file, body);
    await file.sync();
    return size;
  } finally {
    await file.close();
  }
}

/** Pipes the stream chunk by chunk; waiting on each write is the backpressure. */
async function writeStream(file: FileHandle, body: Readable): Promise<number> {
  let size = 0;
  await pipeline(body, async function writeChunks(chunks: AsyncIterable<Uint8Array | string>) {
    for await (const chunk of chunks) {
      size += await writeAll(file, typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    }
  });
  return size;
}

/** `write` may take only part of a buffer; loop until all of it is written. */
async function writeAll(file: FileHandle, bytes: Uint8Array): Promise<number> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await file.write(bytes, offset, bytes.byteLength - offset);
    offset += bytesWritten;
  }
  return bytes.byteLength;
}

/** Makes a rename durable: once this resolves, the new directory entry survives a crash. */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === "win32") return; // Windows cannot open a directory to fsync it
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function checkRange(range: ByteRange | undefined): ByteRange {
  if (range === undefined) return {};
  for (const name of ["start", "end"] as const) {
    const value = range[name];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw invalidArgument(`range.${name}`, "must be a non-negative integer");
    }
  }
  if (range.start !== undefined && range.end !== undefined && range.end < range.start) {
    throw invalidArgument("range.end", "must not be before range.start");
  }
  return range;
}

function isWithin(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

async function realpathIfExists(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

async function removeIfExists(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

async function statIfExists(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** ENOTDIR too: `a/b` when `a` is a file names nothing, as in a bucket. */
function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === "ENOENT" || code === "ENOTDIR";
}

/** What a filesystem error on a checked key means to the caller. */
const PATH_PROBLEMS: Readonly<Record<string, string>> = {
  EISDIR: "is a directory",
  ENOTDIR: "runs through a file as if it were a directory",
  EEXIST: "clashes with an existing file or directory",
  ENOTEMPTY: "is a directory that is not empty",
  EINVAL: "is inside the directory being moved",
};

function pathError(error: unknown, key: string): unknown {
  const problem = PATH_PROBLEMS[errorCode(error) ?? ""];
  if (problem === undefined || error instanceof PlinthError) return error;
  return new PlinthError(
    "ARTIFACTS_INVALID_PATH",
    `Artifact path ${quoteArtifactKey(key)} ${problem}`,
    {
      field: "path",
      cause: error,
    },
  );
}

function outsideRoot(key: string): PlinthError {
  return new PlinthError(
    "ARTIFACTS_INVALID_PATH",
    `Artifact path ${quoteArtifactKey(key)} leads outside the artifact root through a symbolic link`,
    { field: "path" },
  );
}

function notFound(key: string): PlinthError {
  return new PlinthError("ARTIFACTS_NOT_FOUND", `No artifact at ${quoteArtifactKey(key)}`, {
    field: "path",
  });
}
