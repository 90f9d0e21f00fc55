import type { ArtifactStore } from "../../artifacts/artifact-store.ts";
import { isPlinthError, PlinthError } from "../../core/errors.ts";
import { sha256Hex } from "../../core/hash.ts";
import type { RegistryService } from "../../registry/registry-service.ts";
import type { DatasetProfile } from "../profile/feature-profile.ts";
import { profileFromJson, profileToJson } from "../profile/profile-json.ts";

/** The model-version tag naming the artifact that holds the version's training-set profile. */
export const REFERENCE_PROFILE_TAG = "plinth.reference_profile";
const PREFIX = "reference-profiles";

/**
 * Stores a profile under its content address (`reference-profiles/<sha256>.json`), so one
 * training set's profile is stored once however many versions point at it; returns the key.
 */
export async function storeReferenceProfile(
  artifacts: ArtifactStore,
  profile: DatasetProfile,
): Promise<string> {
  const text = `${JSON.stringify(profileToJson(profile))}\n`;
  const key = `${PREFIX}/${sha256Hex(text)}.json`;
  if ((await artifacts.stat(key)) === undefined) await artifacts.put(key, text);
  return key;
}

/**
 * The reference profile kept with a model version (by alias, e.g. `champion`, or version).
 *
 * @throws PlinthError `MONITORING_NO_REFERENCE` when the version has no profile tag or the
 * artifact is gone; the registry's not-found errors for an unknown model, alias or version.
 */
export async function loadReferenceProfile(
  artifacts: ArtifactStore,
  registry: RegistryService,
  model: string,
  selector: { alias: string } | { version: string },
): Promise<{ profile: DatasetProfile; version: string; key: string }> {
  const version =
    "alias" in selector
      ? await registry.aliases.resolve(model, selector.alias)
      : await registry.versions.get(model, selector.version);
  const key = version.tags.find((t) => t.key === REFERENCE_PROFILE_TAG)?.value;
  const where = `${model} version ${version.version}`;
  if (key === undefined) {
    throw new PlinthError(
      "MONITORING_NO_REFERENCE",
      `${where} has no '${REFERENCE_PROFILE_TAG}' tag (it was not registered from a training set); give a reference file`,
      { field: "reference" },
    );
  }
  let text = "";
  try {
    for await (const chunk of await artifacts.get(key)) text += (chunk as Buffer).toString("utf8");
  } catch (error) {
    if (!isPlinthError(error, "ARTIFACTS_NOT_FOUND")) throw error;
    throw new PlinthError(
      "MONITORING_NO_REFERENCE",
      `The reference profile of ${where} ('${key}') is missing`,
      {
        field: "reference",
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PlinthError(
      "MONITORING_INVALID_PROFILE",
      `The reference profile '${key}' is not JSON`,
      { field: key },
    );
  }
  return { profile: profileFromJson(json), version: version.version, key };
}
