import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalArtifactStore } from "../../artifacts/local/local-artifact-store.ts";
import type { TestBackend } from "../../metadata/testing/metadata-backends.ts";
import type { Platform } from "../../platform.ts";
import { createTrackingService } from "../../tracking/tracking-service.ts";

/** The stores a pipeline run needs, over a fresh metadata backend and a temporary artifact directory. */
export async function openTestPlatform(backend: TestBackend): Promise<{
  platform: Pick<Platform, "metadata" | "artifacts" | "tracking">;
  cleanup(): Promise<void>;
}> {
  const { store, cleanup } = await backend.open();
  const dir = mkdtempSync(join(tmpdir(), "plinth-pipeline-artifacts-"));
  return {
    platform: {
      metadata: store,
      artifacts: createLocalArtifactStore({ root: dir }),
      tracking: createTrackingService(store),
    },
    async cleanup() {
      await cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
