import { invalidArgument } from "../core/errors.ts";
import { STAGES, type Stage } from "./types.ts";

/** Registered model names: non-empty, at most 256 characters, no path separators. */
export function validateModelName(name: unknown, field = "name"): string {
  if (typeof name !== "string" || name.trim() === "") {
    throw invalidArgument(field, "a registered model name must be a non-empty string");
  }
  if (name.length > 256) throw invalidArgument(field, "a model name is at most 256 characters");
  if (/[/\\]/.test(name) || hasControlCharacter(name)) {
    throw invalidArgument(
      field,
      `model name '${name}' may not contain slashes or control characters`,
    );
  }
  return name;
}

/** Version numbers travel as decimal strings ("1"). */
export function parseVersion(version: unknown, field = "version"): number {
  if (typeof version === "number" && Number.isSafeInteger(version) && version > 0) return version;
  if (typeof version === "string" && /^[1-9]\d{0,9}$/.test(version)) return Number(version);
  throw invalidArgument(
    field,
    `a model version is a positive integer, got ${JSON.stringify(version)}`,
  );
}

/**
 * Aliases as MLflow allows them: letters, digits, `_` and `-`, at most 255 long, and not
 * `latest` or `v<digits>`, which would read as version references.
 */
export function validateAlias(alias: unknown, field = "alias"): string {
  if (typeof alias !== "string" || alias === "") {
    throw invalidArgument(field, "an alias must be a non-empty string");
  }
  if (alias.length > 255 || !/^[\w-]+$/.test(alias)) {
    throw invalidArgument(
      field,
      `alias '${alias}' must be at most 255 letters, digits, underscores or dashes`,
    );
  }
  if (alias.toLowerCase() === "latest" || /^v\d+$/i.test(alias)) {
    throw invalidArgument(field, `'${alias}' is reserved and cannot be used as an alias`);
  }
  return alias;
}

/** Stages are matched case-insensitively and returned in their canonical spelling. */
export function parseStage(stage: unknown, field = "stage"): Stage {
  const match =
    typeof stage === "string"
      ? STAGES.find((s) => s.toLowerCase() === stage.toLowerCase())
      : undefined;
  if (match === undefined) {
    throw invalidArgument(
      field,
      `stage must be one of ${STAGES.join(", ")}, got ${JSON.stringify(stage)}`,
    );
  }
  return match;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}
