import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { downloadModelPackage } from "../../models/package/download-model-package.ts";
import { readModelPackage } from "../../models/package/model-package.ts";
import type { Platform } from "../../platform.ts";
import { type ServedModel, servedModel } from "./served-model.ts";

/**
 * Loads one registry model version for serving: the version's `source` (a `runs:/` or
 * `mlflow-artifacts:/` URI) is copied from the artifact store into a temporary directory,
 * read and verified by `readModelPackage` (schema, sha256, signature), and the directory is
 * removed; the model lives in memory from then on.
 *
 * @example
 * const model = await loadServedModel(platform, "fraud", "3");
 */
export async function loadServedModel(
  platform: Pick<Platform, "registry" | "tracking" | "artifacts">,
  name: string,
  version: string,
): Promise<ServedModel> {
  const mv = await platform.registry.versions.get(name, version);
  const dir = await mkdtemp(join(tmpdir(), "plinth-serve-"));
  try {
    await downloadModelPackage(platform, mv.source, dir);
    return servedModel(name, mv.version, await readModelPackage(dir));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
