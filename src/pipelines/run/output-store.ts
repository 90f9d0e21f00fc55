import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, stat } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ContentAddressedStore } from "../../artifacts/content-addressed-store.ts";
import { PlinthError } from "../../core/errors.ts";
import { canonicalJson, sha256Hex } from "../../core/hash.ts";
import { isPathValue, pathOutput } from "../definition/path-value.ts";

/**
 * A step output by content. `sha256` addresses the bytes: the canonical JSON, the raw
 * bytes or file, a directory's manifest, or a fan-out step's list of per-item outputs.
 * A small JSON value is carried `inline` and not written to the artifact store: an
 * artifact file (written, fsynced, renamed) per scalar would cost a no-op step more than
 * everything else it does. Its address is the same either way.
 */
export interface StoredOutput {
  readonly encoding: "json" | "bytes" | "file" | "directory" | "list";
  readonly sha256: string;
  readonly size: number;
  /** The value itself, for JSON of at most INLINE_MAX_BYTES. */
  readonly inline?: unknown;
}

/** JSON outputs up to this size (canonical UTF-8 bytes) stay in the run state. */
export const INLINE_MAX_BYTES = 1024;

/** Turns step outputs into content-addressed artifacts and back. */
export interface OutputStore {
  /**
   * Stores one output value.
   *
   * @throws PlinthError `PIPELINES_UNSERIALISABLE_OUTPUT` for a value that is not JSON, bytes
   * or a `pathOutput`, naming `field` and the offending path inside the value.
   */
  put(value: unknown, field: string): Promise<StoredOutput>;
  /** Throws what {@link OutputStore.put} would for a value it cannot store, storing nothing. */
  check(value: unknown, field: string): void;
  /** Stores the per-item outputs of a fan-out step as one list output. */
  putList(items: readonly StoredOutput[]): Promise<StoredOutput>;
  /**
   * Loads a stored output. Files and directories are copied under a directory `scratch`
   * returns, and handed over as a `pathOutput` of the copy.
   */
  get(stored: StoredOutput, scratch: () => Promise<string>): Promise<unknown>;
  /**
   * The elements of a list output (a JSON array or a fan-out step's list), each as its own
   * stored output, so a fan-out step's items can be shipped to any executor by address.
   *
   * @throws PlinthError `PIPELINES_INVALID_DEFINITION` when the output is not a list.
   */
  items(stored: StoredOutput, field: string): Promise<StoredOutput[]>;
  /** True when the bytes (and, for lists and directories, every part) are still stored. */
  has(stored: StoredOutput): Promise<boolean>;
}

interface DirectoryManifest {
  files: Array<{ path: string; sha256: string; size: number }>;
}

/**
 * An output store over a content-addressed store: equal outputs are stored once, and a
 * step output's hash is its identity in cache keys and lineage.
 *
 * @example
 * const outputs = createOutputStore(createContentAddressedStore(platform.artifacts));
 * const stored = await outputs.put({ auc: 0.91 }, "steps.train.outputs.metrics");
 */
export function createOutputStore(content: ContentAddressedStore): OutputStore {
  async function putJson(value: unknown, encoding: "json" | "list" | "directory") {
    const { sha256, size } = await content.putContent(Buffer.from(canonicalJson(value)));
    return { encoding, sha256, size } as const;
  }

  async function readBytes(sha256: string): Promise<Buffer> {
    return readAll(await content.getContent(sha256));
  }

  async function readJson<T>(sha256: string): Promise<T> {
    return JSON.parse((await readBytes(sha256)).toString("utf8")) as T;
  }

  const store: OutputStore = {
    async put(value, field) {
      if (value instanceof Uint8Array) {
        const { sha256, size } = await content.putContent(value);
        return { encoding: "bytes", sha256, size };
      }
      if (isPathValue(value)) return putPath(value.path, field);
      checkJson(value, field, new Set());
      const text = canonicalJson(value);
      const size = Buffer.byteLength(text);
      if (size <= INLINE_MAX_BYTES) {
        return { encoding: "json", sha256: sha256Hex(text), size, inline: JSON.parse(text) };
      }
      return putJson(value, "json");
    },

    check(value, field) {
      if (value instanceof Uint8Array || isPathValue(value)) return;
      checkJson(value, field, new Set());
    },

    putList(items) {
      return putJson(items, "list");
    },

    async get(stored, scratch) {
      if (stored.inline !== undefined) return structuredClone(stored.inline);
      switch (stored.encoding) {
        case "json":
          return readJson(stored.sha256);
        case "bytes":
          return new Uint8Array(await readBytes(stored.sha256));
        case "list": {
          const items = await readJson<StoredOutput[]>(stored.sha256);
          const out: unknown[] = [];
          for (const item of items) out.push(await store.get(item, scratch));
          return out;
        }
        case "file": {
          const target = join(await scratch(), "file");
          await copyOut(stored.sha256, target);
          return pathOutput(target);
        }
        case "directory": {
          const root = await scratch();
          const manifest = await readJson<DirectoryManifest>(stored.sha256);
          for (const f of manifest.files) await copyOut(f.sha256, join(root, ...f.path.split("/")));
          return pathOutput(root);
        }
      }
    },

    async items(stored, field) {
      if (stored.encoding === "list") return readJson<StoredOutput[]>(stored.sha256);
      const value =
        stored.inline !== undefined
          ? stored.inline
          : stored.encoding === "json"
            ? await readJson<unknown>(stored.sha256)
            : undefined;
      if (!Array.isArray(value)) {
        throw new PlinthError(
          "PIPELINES_INVALID_DEFINITION",
          `'${field}' must be a list to fan out over, but it is ${stored.encoding === "json" ? typeof value : stored.encoding}`,
          { field },
        );
      }
      const out: StoredOutput[] = [];
      for (const [i, item] of value.entries()) out.push(await store.put(item, `${field}[${i}]`));
      return out;
    },

    async has(stored) {
      if (stored.inline !== undefined) return true;
      if (!(await content.hasContent(stored.sha256))) return false;
      if (stored.encoding === "list") {
        const items = await readJson<StoredOutput[]>(stored.sha256);
        for (const item of items) if (!(await store.has(item))) return false;
      }
      if (stored.encoding === "directory") {
        const manifest = await readJson<DirectoryManifest>(stored.sha256);
        for (const f of manifest.files) if (!(await content.hasContent(f.sha256))) return false;
      }
      return true;
    },
  };

  async function putPath(path: string, field: string): Promise<StoredOutput> {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) {
      throw unserialisable(field, `the path '${path}' it returns does not exist`);
    }
    if (info.isFile()) {
      const { sha256, size } = await content.putContent(createReadStream(path));
      return { encoding: "file", sha256, size };
    }
    const files: DirectoryManifest["files"] = [];
    for (const file of await listFiles(path)) {
      const { sha256, size } = await content.putContent(createReadStream(file));
      files.push({ path: relative(path, file).split(sep).join("/"), sha256, size });
    }
    return putJson({ files }, "directory");
  }

  async function copyOut(sha256: string, target: string): Promise<void> {
    await mkdir(dirname(target), { recursive: true });
    await pipeline(await content.getContent(sha256), createWriteStream(target));
  }

  return Object.freeze(store);
}

/**
 * Accepts exactly what JSON round-trips unchanged, so a cached output reads back equal to
 * what the step returned: no `undefined`, NaN, functions, class instances or cycles.
 */
function checkJson(value: unknown, at: string, ancestors: Set<object>): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (Number.isFinite(value)) return;
    throw unserialisable(at, `${value} is not a finite number`);
  }
  if (typeof value !== "object") {
    throw unserialisable(at, `a ${typeof value} is not JSON, bytes or a pathOutput`);
  }
  if (ancestors.has(value)) throw unserialisable(at, "the value contains a cycle");
  if (value instanceof Uint8Array || isPathValue(value)) {
    throw unserialisable(at, "bytes and paths must be whole outputs, not nested in JSON");
  }
  ancestors.add(value);
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) checkJson(item, `${at}[${i}]`, ancestors);
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw unserialisable(
        at,
        `a ${value.constructor?.name ?? "class"} instance is not a plain JSON object`,
      );
    }
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) throw unserialisable(`${at}.${key}`, "undefined is not JSON");
      checkJson(item, `${at}.${key}`, ancestors);
    }
  }
  ancestors.delete(value);
}

function unserialisable(field: string, problem: string): PlinthError {
  return new PlinthError(
    "PIPELINES_UNSERIALISABLE_OUTPUT",
    `Output '${field}' cannot be stored: ${problem}`,
    { field },
  );
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(path)));
    else if (e.isFile()) out.push(path);
  }
  return out;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
