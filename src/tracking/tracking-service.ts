import type { MetadataStore } from "../metadata/metadata-store.ts";
import { createExperimentService, type ExperimentService } from "./experiments.ts";
import { createRunService, type RunService } from "./runs.ts";

/** Experiment tracking: experiments and the runs inside them. */
export interface TrackingService {
  readonly experiments: ExperimentService;
  readonly runs: RunService;
}

/**
 * Tracking over a metadata store.
 *
 * @example
 * const tracking = createTrackingService(metadata);
 * const id = await tracking.experiments.create({ name: "fraud" });
 * const run = await tracking.runs.create({ experimentId: id, runName: "gbdt" });
 * await tracking.runs.logBatch(run.info.runId, { metrics: [{ key: "auc", value: 0.91, timestamp: Date.now(), step: 0 }] });
 */
export function createTrackingService(metadata: MetadataStore): TrackingService {
  return Object.freeze({
    experiments: createExperimentService(metadata),
    runs: createRunService(metadata),
  });
}
