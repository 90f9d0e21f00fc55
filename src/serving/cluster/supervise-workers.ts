import cluster, { type Worker } from "node:cluster";
import { once } from "node:events";

/** What the supervisor reports: a worker listening, a worker that died, a replacement forked. */
export type SupervisorEvent =
  | {
      readonly type: "listening";
      readonly workerId: number;
      readonly pid: number;
      readonly url: string;
    }
  | {
      readonly type: "exit";
      readonly workerId: number;
      readonly pid: number;
      readonly code: number | null;
      readonly signal: string | null;
    }
  | {
      readonly type: "restart";
      readonly workerId: number;
      readonly pid: number;
      readonly delayMs: number;
    };

/** The message a worker sends its primary once it listens (see `reportListening`). */
interface ListeningMessage {
  readonly plinth: "listening";
  readonly url: string;
}

/** A running set of worker processes; `stop` ends them. */
export interface WorkerSupervisor {
  /** Resolves with the URL once every first-generation worker listens. */
  readonly listening: Promise<string>;
  /** Sends SIGTERM to every worker and resolves when all have exited; no more restarts. */
  stop(): Promise<void>;
}

/** Restart delays grow from this while workers keep dying young. */
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 5_000;
/** A worker that lived longer than this counts as healthy: the next restart is immediate. */
const HEALTHY_AFTER_MS = 10_000;
/** How long `stop` waits for a worker's graceful close before SIGKILL. */
const STOP_TIMEOUT_MS = 15_000;

/**
 * Forks `workers` copies of this process with node:cluster (they share the listening socket;
 * the primary hands out connections round-robin) and replaces any worker that exits while
 * the supervisor runs. A worker that dies within seconds of starting is replaced after a
 * growing delay, so a crash on start-up does not become a fork loop.
 *
 * Call it in the primary only; each worker runs the same entry point with
 * `cluster.isWorker` true and calls `reportListening` once its server listens.
 *
 * @example
 * if (cluster.isPrimary) {
 *   const supervisor = superviseWorkers({ workers: 2, onEvent: console.log });
 *   console.log(await supervisor.listening);
 * }
 */
export function superviseWorkers(options: {
  workers: number;
  onEvent?: (event: SupervisorEvent) => void;
}): WorkerSupervisor {
  if (!cluster.isPrimary) throw new Error("superviseWorkers runs in the cluster primary only");
  const onEvent = options.onEvent ?? (() => {});
  const started = new Map<Worker, number>();
  let stopping = false;
  let delayMs = 0;
  const pending = new Set<NodeJS.Timeout>();

  let resolveListening!: (url: string) => void;
  let rejectListening!: (e: Error) => void;
  const listening = new Promise<string>((resolve, reject) => {
    resolveListening = resolve;
    rejectListening = reject;
  });
  // The caller may only await `stop`; an unobserved rejection must not crash the primary.
  listening.catch(() => {});
  const firstGeneration = new Set<number>();
  let url: string | undefined;

  const fork = () => {
    const worker = cluster.fork();
    started.set(worker, Date.now());
    worker.on("message", (message: unknown) => {
      if (!isListeningMessage(message)) return;
      url = message.url;
      onEvent({ type: "listening", workerId: worker.id, pid: worker.process.pid ?? 0, url });
      firstGeneration.delete(worker.id);
      if (firstGeneration.size === 0) resolveListening(url);
    });
    return worker;
  };

  cluster.on("exit", (worker, code, signal) => {
    const bornAt = started.get(worker) ?? Date.now();
    started.delete(worker);
    onEvent({ type: "exit", workerId: worker.id, pid: worker.process.pid ?? 0, code, signal });
    if (stopping) return;
    if (firstGeneration.has(worker.id) && url === undefined) {
      // A worker that never listened fails the start: the configuration is likely wrong.
      firstGeneration.delete(worker.id);
      rejectListening(
        new Error(`worker ${worker.id} exited with ${code ?? signal} before listening`),
      );
    }
    const lived = Date.now() - bornAt;
    delayMs =
      lived > HEALTHY_AFTER_MS ? 0 : Math.min(MAX_DELAY_MS, Math.max(BASE_DELAY_MS, delayMs * 2));
    const timer = setTimeout(() => {
      pending.delete(timer);
      if (stopping) return;
      const next = fork();
      onEvent({ type: "restart", workerId: next.id, pid: next.process.pid ?? 0, delayMs });
    }, delayMs);
    pending.add(timer);
  });

  for (let i = 0; i < options.workers; i++) firstGeneration.add(fork().id);

  return {
    listening,
    async stop() {
      stopping = true;
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
      const alive = [...started.keys()].filter((w) => !w.isDead());
      await Promise.all(
        alive.map(async (w) => {
          const exited = once(w, "exit");
          w.process.kill("SIGTERM");
          // A worker that does not finish its graceful close in time is killed.
          const timer = setTimeout(() => w.process.kill("SIGKILL"), STOP_TIMEOUT_MS);
          await exited;
          clearTimeout(timer);
        }),
      );
    },
  };
}

/** Tells the primary (when there is one) that this worker's server listens at `url`. */
export function reportListening(url: string): void {
  if (cluster.isWorker && process.send !== undefined) {
    const message: ListeningMessage = { plinth: "listening", url };
    process.send(message);
  }
}

function isListeningMessage(value: unknown): value is ListeningMessage {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { plinth?: unknown }).plinth === "listening" &&
    typeof (value as { url?: unknown }).url === "string"
  );
}
