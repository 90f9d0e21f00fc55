import type { Readable } from "node:stream";

/** Bytes to store: a stream (piped, never buffered whole), raw bytes, or a UTF-8 string. */
export type ArtifactBody = Readable | Uint8Array | string;

/** What {@link ArtifactStore.stat} knows about a stored object. */
export interface ArtifactStat {
  /** Size in bytes; 0 for a directory. */
  size: number;
  /** True for a directory: a key that other keys live under. */
  isDir: boolean;
}

/** One direct child of a listed directory. */
export interface ArtifactEntry {
  /** The child's name (its last segment), not its full key. */
  path: string;
  /** True for a directory. */
  isDir: boolean;
  /** Size in bytes; present for files only. */
  size?: number;
}

/** A slice of a stored object, in bytes; both ends inclusive, as in HTTP `Range`. */
export interface ByteRange {
  /** First byte to read; 0 when omitted. */
  start?: number;
  /** Last byte to read, inclusive; the end of the object when omitted. */
  end?: number;
}

/**
 * Where artifact bytes live: a local directory, later an S3-compatible bucket. A backend
 * only moves bytes under `/`-separated keys (checked by `normalizeArtifactKey`); hashing,
 * dedup and compression live above this interface, once for every backend.
 *
 * Every method rejects a malformed key with `ARTIFACTS_INVALID_PATH` before touching storage.
 */
export interface ArtifactStore {
  /** Where the bytes live, for logs and messages: a directory path or a bucket URL. */
  readonly location: string;

  /**
   * Stores `body` under `key`, replacing any object there. All or nothing: until it
   * resolves, readers see the previous value (or none), and if it fails — even with the
   * body stream erroring halfway — the key is left as it was and no partial copy remains.
   * Concurrent puts to one key leave exactly one of the bodies, whole.
   */
  put(key: string, body: ArtifactBody): Promise<{ size: number }>;

  /**
   * A stream of the object's bytes, or of `range` of them.
   *
   * @throws PlinthError `ARTIFACTS_NOT_FOUND` when nothing, or a directory, is at `key`.
   */
  get(key: string, range?: ByteRange): Promise<Readable>;

  /** Size and kind of the object at `key`, or `undefined` when there is none. */
  stat(key: string): Promise<ArtifactStat | undefined>;

  /**
   * The direct children of the directory `prefix` (`""` for the root), sorted by name.
   * A missing directory, or a file, lists as `[]`; unfinished puts are never listed.
   */
  list(prefix: string): Promise<ArtifactEntry[]>;

  /** Removes the file at `key`, or the whole directory under it. Nothing there is not an error. */
  delete(key: string): Promise<void>;

  /**
   * Renames the object at `from` to `to`, replacing a file already at `to`. Atomic where
   * the backend can rename (a local directory can; a bucket copies then deletes).
   *
   * @throws PlinthError `ARTIFACTS_NOT_FOUND` when nothing is at `from`.
   */
  move(from: string, to: string): Promise<void>;
}
