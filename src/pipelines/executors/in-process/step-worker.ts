// The entry point of a worker thread that runs one step attempt (see run-in-worker.ts).
import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import { PlinthError } from "../../../core/errors.ts";
import { loadPipelineFile } from "../../definition/load-pipeline-file.ts";
import { isPathValue, pathOutput } from "../../definition/path-value.ts";
import type { StepContext } from "../../definition/step-context.ts";
import { serializeError } from "../serialized-error.ts";
import { PATH_KEY, type WorkerMessage, type WorkerStart } from "./worker-protocol.ts";

const start = workerData as WorkerStart;
const port = parentPort;
if (port === null) throw new Error("step-worker.ts must run in a worker thread");
const post = (message: WorkerMessage) => port.postMessage(message);
const controller = new AbortController();
port.on("message", (message: unknown) => {
  if (message === "abort") controller.abort();
});

try {
  const { pipeline } = await loadPipelineFile(fileURLToPath(start.moduleUrl));
  const definition = pipeline.steps.find((s) => s.name === start.step);
  if (definition === undefined) throw new Error(`Step '${start.step}' is not in the pipeline`);
  const inputs = Object.fromEntries(
    Object.entries(start.inputs).map(([k, v]) => [k, fromTransfer(v)]),
  );
  const ctx: StepContext = {
    runId: start.runId,
    step: start.step,
    trackingRunId: start.trackingRunId,
    attempt: start.attempt,
    index: start.index,
    signal: controller.signal,
    get platform(): never {
      throw new PlinthError(
        "PIPELINES_INVALID_DEFINITION",
        `Step '${start.step}' runs in a worker thread, where ctx.platform is not available; use thread: "main"`,
        { field: `steps.${start.step}.thread` },
      );
    },
    logMetric: (key, value, step = 0) =>
      post({ type: "metric", key, value, step, timestamp: Date.now() }),
    log: (message) => post({ type: "log", line: `${new Date().toISOString()} ${message}` }),
    scratchDir: (name) =>
      mkdtemp(join(start.scratchRoot, `worker-${start.step}-${name.replace(/[^\w.-]/g, "_")}-`)),
  };
  const result: unknown = await definition.run(inputs, ctx);
  const outputs =
    typeof result === "object" && result !== null && !Array.isArray(result)
      ? Object.fromEntries(Object.entries(result).map(([k, v]) => [k, toTransfer(v)]))
      : result;
  post({ type: "done", outputs });
} catch (error) {
  post({ type: "error", error: serializeError(error) });
}

function toTransfer(value: unknown): unknown {
  return isPathValue(value) ? { [PATH_KEY]: value.path } : value;
}

function fromTransfer(value: unknown): unknown {
  if (typeof value === "object" && value !== null && PATH_KEY in value) {
    return pathOutput(String((value as Record<string, unknown>)[PATH_KEY]));
  }
  return value;
}
