import { PlinthError } from "../core/errors.ts";

/** Longest key accepted, in UTF-8 bytes: comfortably under every backend's limit (S3: 1024). */
export const MAX_ARTIFACT_KEY_BYTES = 1024;
/** Longest segment accepted, in UTF-8 bytes: the file-name limit of common filesystems. */
export const MAX_ARTIFACT_SEGMENT_BYTES = 255;
/** Names starting with this are a backend's half-written files; no key may use it. */
export const TEMP_NAME_PREFIX = ".plinth-tmp-";

// C0 controls, DEL and C1 controls: invisible in logs and listings, and NUL truncates paths.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
// With the `u` flag a well-formed surrogate pair is one code point, so this finds only lone
// halves, which filesystems silently replace with U+FFFD and so would alias two keys.
const LONE_SURROGATE = /\p{Cs}/u;
// `.` or `..` spelled with `%2e`: the HTTP layer decodes before we see a key, so one still
// spelled this way was encoded twice — a traversal attempt, never a real name.
const ENCODED_DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * Checks an artifact key and returns it. Keys are `/`-separated relative paths such as
 * `runs/7/model.bin`, and every spelling is already canonical: anything that would need
 * rewriting (`a//b`, `./a`, a trailing `/`) is refused instead, so two different strings
 * never name one object.
 *
 * @throws PlinthError `ARTIFACTS_INVALID_PATH`, naming the key and what is wrong with it.
 * @example
 * normalizeArtifactKey("runs/7/model.bin"); // "runs/7/model.bin"
 * normalizeArtifactKey("../etc/passwd"); // throws ARTIFACTS_INVALID_PATH
 */
export function normalizeArtifactKey(key: string): string {
  if (key === "") throw invalidKey(key, "is empty");
  return normalizeArtifactPrefix(key);
}

/**
 * Like {@link normalizeArtifactKey}, but also accepts `""`, which names the root: for
 * listing a store from the top.
 *
 * @example
 * normalizeArtifactPrefix(""); // ""
 * normalizeArtifactPrefix("runs/7"); // "runs/7"
 */
export function normalizeArtifactPrefix(prefix: string): string {
  if (typeof prefix !== "string") throw invalidKey(String(prefix), "is not a string");
  if (prefix === "") return prefix;
  const problem = keyProblem(prefix);
  if (problem !== undefined) throw invalidKey(prefix, problem);
  return prefix;
}

function keyProblem(key: string): string | undefined {
  if (Buffer.byteLength(key) > MAX_ARTIFACT_KEY_BYTES) {
    return `is longer than ${MAX_ARTIFACT_KEY_BYTES} bytes`;
  }
  if (key.startsWith("/")) return "is absolute; artifact paths are relative to the store root";
  if (key.includes("\\")) return "contains a backslash; separate segments with '/'";
  if (CONTROL_CHARACTER.test(key)) return "contains a NUL or control character";
  if (LONE_SURROGATE.test(key)) return "is not well-formed Unicode";
  for (const segment of key.split("/")) {
    const problem = segmentProblem(segment);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function segmentProblem(segment: string): string | undefined {
  if (segment === "") return "has an empty segment (a leading, trailing or doubled '/')";
  if (segment === "." || segment === "..") return `has a '${segment}' segment`;
  if (ENCODED_DOT_SEGMENT.test(segment)) return "has a percent-encoded '.' or '..' segment";
  if (segment.startsWith(TEMP_NAME_PREFIX)) {
    return `has a segment starting with '${TEMP_NAME_PREFIX}', which is reserved`;
  }
  if (Buffer.byteLength(segment) > MAX_ARTIFACT_SEGMENT_BYTES) {
    return `has a segment longer than ${MAX_ARTIFACT_SEGMENT_BYTES} bytes`;
  }
  return undefined;
}

function invalidKey(key: string, problem: string): PlinthError {
  return new PlinthError(
    "ARTIFACTS_INVALID_PATH",
    `Artifact path ${quoteArtifactKey(key)} ${problem}`,
    {
      field: "path",
    },
  );
}

/** The key as a JSON string, so control characters show as escapes; long keys are cut. */
export function quoteArtifactKey(key: string): string {
  const shown = key.length > 80 ? `${key.slice(0, 80)}…` : key;
  return JSON.stringify(shown);
}
