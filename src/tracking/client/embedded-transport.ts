import { isPlinthError } from "../../core/errors.ts";
import type { TrackingService } from "../tracking-service.ts";
import type { TrackingTransport } from "./tracking-transport.ts";

/** The transport for tracking in this process: direct calls, no HTTP. */
export function createEmbeddedTransport(tracking: TrackingService): TrackingTransport {
  return {
    async ensureExperiment(name) {
      try {
        return (await tracking.experiments.getByName(name)).experimentId;
      } catch (error) {
        if (!isPlinthError(error, "TRACKING_EXPERIMENT_NOT_FOUND")) throw error;
      }
      try {
        return await tracking.experiments.create({ name });
      } catch (error) {
        // Another process created it between our read and our create.
        if (!isPlinthError(error, "TRACKING_EXPERIMENT_EXISTS")) throw error;
        return (await tracking.experiments.getByName(name)).experimentId;
      }
    },
    createRun: (input) => tracking.runs.create(input),
    logBatch: (runId, batch) => tracking.runs.logBatch(runId, batch),
    finishRun: (runId, status, endTime) => tracking.runs.update(runId, { status, endTime }),
    getRun: (runId) => tracking.runs.get(runId),
  };
}
