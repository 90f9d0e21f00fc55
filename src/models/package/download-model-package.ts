import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { ArtifactStore } from "../../artifacts/artifact-store.ts";
import { createMlflowArtifactKey } from "../../artifacts/mlflow-artifact-key.ts";
import { PlinthError } from "../../core/errors.ts";
import type { TrackingService } from "../../tracking/tracking-service.ts";

/**
 * Copies the model package a registry version's `source` names (`runs:/<run>/<path>` or
 * an `mlflow-artifacts:/` URI) from the artifact store into `dir`.
 */
export async function downloadModelPackage(
  platform: { readonly artifacts: ArtifactStore; readonly tracking: TrackingService },
  source: string,
  dir: string,
): Promise<void> {
  let uri = source;
  const runs = /^runs:\/([0-9a-f]{32})\/(.+)$/.exec(source);
  if (runs !== null) {
    const run = await platform.tracking.runs.get(runs[1] as string);
    uri = `${run.info.artifactUri}/${runs[2]}`;
  }
  const key = createMlflowArtifactKey(uri.replace(/\/+$/, ""));
  const entries = await platform.artifacts.list(key);
  if (!entries.some((e) => e.path === "manifest.json")) {
    throw new PlinthError(
      "MODELS_INVALID_PACKAGE",
      `No model package at ${source}: it has no manifest.json`,
      { field: "source" },
    );
  }
  await mkdir(dir, { recursive: true });
  for (const e of entries) {
    if (e.isDir) continue;
    await pipeline(
      await platform.artifacts.get(`${key}/${e.path}`),
      createWriteStream(join(dir, e.path)),
    );
  }
}
