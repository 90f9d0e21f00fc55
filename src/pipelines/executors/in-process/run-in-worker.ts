import { Worker } from "node:worker_threads";
import { isPathValue, pathOutput } from "../../definition/path-value.ts";
import { rebuildError } from "../serialized-error.ts";
import type { LoggedMetric } from "../step-task.ts";
import { PATH_KEY, type WorkerMessage, type WorkerStart } from "./worker-protocol.ts";

// Built output has .js files; under tsx the sources run as they are.
const WORKER_URL = new URL(
  import.meta.url.endsWith(".ts") ? "./step-worker.ts" : "./step-worker.js",
  import.meta.url,
);

/**
 * Runs one step attempt in a fresh worker thread and resolves to what the step returned.
 * Aborting `signal` asks the step to stop and terminates the thread, so even a step stuck
 * in a CPU loop ends.
 */
export function runInWorker(
  start: WorkerStart,
  signal: AbortSignal,
  sink: { metrics: LoggedMetric[]; logs: string[] },
): Promise<unknown> {
  const inputs = Object.fromEntries(
    Object.entries(start.inputs).map(([k, v]) => [k, isPathValue(v) ? { [PATH_KEY]: v.path } : v]),
  );
  return new Promise((resolve, reject) => {
    const worker = startWorker({ ...start, inputs });
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      void worker.terminate();
      outcome();
    };
    const onAbort = () => {
      worker.postMessage("abort");
      finish(() => reject(signal.reason));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    worker.on("message", (message: WorkerMessage) => {
      switch (message.type) {
        case "metric":
          sink.metrics.push({
            key: message.key,
            value: message.value,
            step: message.step,
            timestamp: message.timestamp,
          });
          break;
        case "log":
          sink.logs.push(message.line);
          break;
        case "done":
          finish(() => resolve(fromTransfer(message.outputs)));
          break;
        case "error":
          finish(() => reject(rebuildError(message.error)));
          break;
      }
    });
    worker.on("error", (error) => finish(() => reject(error)));
    worker.on("exit", (code) =>
      finish(() =>
        reject(new Error(`The worker thread of step '${start.step}' exited with code ${code}`)),
      ),
    );
  });
}

function startWorker(workerData: WorkerStart): Worker {
  if (!WORKER_URL.pathname.endsWith(".ts")) return new Worker(WORKER_URL, { workerData });
  // Running from source: Node 20 does not carry tsx's loader hooks into workers, so the
  // worker registers them itself before importing the TypeScript entry point.
  const tsx = import.meta.resolve("tsx/esm/api");
  const code = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(code, { eval: true, workerData });
}

function fromTransfer(outputs: unknown): unknown {
  if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs)) return outputs;
  return Object.fromEntries(
    Object.entries(outputs).map(([k, v]) => [
      k,
      typeof v === "object" && v !== null && PATH_KEY in v
        ? pathOutput(String((v as Record<string, unknown>)[PATH_KEY]))
        : v,
    ]),
  );
}
