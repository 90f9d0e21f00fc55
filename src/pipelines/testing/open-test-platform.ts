import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalArtifactStore } from "../../artifacts/local/local-artifact-store.ts";
import type { TestBackend } from "../../metadata/testing/metadata-backends.ts";
import { createRegistryService } from "../../registry/registry-service.ts";
import { createTrackingService } from "../../tracking/tracking-service.ts";
import type { StepPlatform } from "../definition/step-platform.ts";

/** The stores a pipeline run needs, over a fresh metadata backend and a temporary artifact directory. */
export async function openTestPlatform(backend: TestBackend): Promise<{
  platform: StepPlatform;
  /** The artifact directory, for processes (workers) that open the same stores. */
  artifactsRoot: string;
  cleanup(): Promise<void>;
}> {
  const { store, cleanup } = await backend.open();
  const dir = mkdtempSync(join(tmpdir(), "plinth-pipeline-artifacts-"));
  return {
    platform: {
      metadata: store,
      artifacts: createLocalArtifactStore({ root: dir }),
      tracking: createTrackingService(store),
      registry: createRegistryService(store),
    },
    artifactsRoot: dir,
    async cleanup() {
      await cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
