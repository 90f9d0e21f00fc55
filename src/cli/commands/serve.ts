import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { resolveConfig } from "../../core/config.ts";
import { invalidArgument } from "../../core/errors.ts";
import { createServingServer } from "../../http/serving/create-serving-server.ts";
import { openPlatform } from "../../platform.ts";
import { reportListening, superviseWorkers } from "../../serving/cluster/supervise-workers.ts";
import { DEPLOYMENT_NAME } from "../../serving/deployments/parse-deployment-spec.ts";
import type { Command, OptionValues } from "../command.ts";
import type { CommandIO } from "../output.ts";
import { integerFlag } from "./pipeline-flags.ts";

export const serveCommand: Command = {
  summary: "Run model-serving deployments: predict, Open Inference Protocol V2, /metrics",
  usage: `plinth serve [--deployments a,b] [--host H] [--port N] [--workers N] [--home DIR] [--json]

Serves the deployments (default: every deployment in the metadata store, following new ones)
on POST /api/deployments/<name>/predict and the Open Inference Protocol V2 routes (/v2/...),
with GET /metrics (Prometheus), GET|POST /api/deployments and GET /health. Aliases are
followed: when one moves, the new version is loaded and swapped in without a failed request.

--workers N runs N processes (node:cluster; default: one per core) sharing the port; a
worker that crashes is replaced. Stores as for 'plinth server': PLINTH_METADATA_URL,
PLINTH_ARTIFACTS, PLINTH_ONLINE_URL, PLINTH_FEATURES (or config.json under --home), so any
number of replicas on any machines can share one registry and one online store (Redis).
Ready when GET /v2/health/ready answers 200. Stops cleanly on Ctrl-C or SIGTERM.`,
  options: {
    host: { type: "string" },
    port: { type: "string" },
    workers: { type: "string" },
    deployments: { type: "string" },
  },

  async run({ positionals, values, io }) {
    if (positionals.length > 0) {
      throw invalidArgument("serve", `unexpected argument '${positionals[0]}'`);
    }
    const port = portFlag(values.port);
    const deployments = deploymentsFlag(values.deployments);
    const workers = integerFlag(values.workers, "workers", availableParallelism(), 1, 256);
    const config = resolveConfig({
      overrides: {
        ...(typeof values.home === "string" ? { home: values.home } : {}),
        ...(typeof values.host === "string" ? { host: values.host } : {}),
        ...(port === undefined ? {} : { port }),
      },
    });
    if (workers > 1 && cluster.isPrimary) return runPrimary(config, deployments, workers, io);
    try {
      return await serveOneProcess(config, deployments, io);
    } finally {
      // A worker's IPC channel keeps it alive; let it go once the server is closed (or failed).
      if (cluster.isWorker) process.disconnect?.();
    }
  },
};

/** Serves in this process: the only one, or one cluster worker. */
async function serveOneProcess(
  config: ReturnType<typeof resolveConfig>,
  deployments: readonly string[] | undefined,
  io: CommandIO,
): Promise<number> {
  const platform = await openPlatform(config);
  try {
    for (const name of deployments ?? []) await platform.deployments.get(name);
    const { app } = await createServingServer(
      platform,
      deployments === undefined ? {} : { deployments },
    );
    const url = await app.listen({ host: config.server.host, port: config.server.port });
    if (cluster.isWorker) {
      reportListening(url);
    } else {
      const event = { event: "listening", url, workers: 1, pids: [process.pid], deployments };
      io.stdout(
        io.json
          ? JSON.stringify(event)
          : `plinth serve listening on ${url} (${deployments?.join(", ") ?? "all deployments"})`,
      );
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGTERM", stop);
      if (cluster.isWorker) {
        // The primary coordinates Ctrl-C (it reaches the whole process group) and stops
        // its workers; a worker whose primary is gone stops too.
        process.on("SIGINT", () => {});
        process.once("disconnect", stop);
      } else {
        process.once("SIGINT", stop);
      }
    });
    await app.close();
    return 0;
  } finally {
    await platform.close();
  }
}

/** The cluster primary: checks the deployments exist, forks the workers, replaces crashed ones. */
async function runPrimary(
  config: ReturnType<typeof resolveConfig>,
  deployments: readonly string[] | undefined,
  workers: number,
  io: CommandIO,
): Promise<number> {
  // Opening the platform here migrates the metadata store once, before workers race to.
  const platform = await openPlatform(config);
  try {
    for (const name of deployments ?? []) await platform.deployments.get(name);
  } finally {
    await platform.close();
  }
  const pids = new Set<number>();
  const supervisor = superviseWorkers({
    workers,
    onEvent: (e) => {
      if (e.type === "listening") {
        pids.add(e.pid);
        return;
      }
      if (e.type === "exit") pids.delete(e.pid);
      const text =
        e.type === "exit"
          ? `worker ${e.workerId} (pid ${e.pid}) exited with ${e.code ?? e.signal}`
          : `worker ${e.workerId} (pid ${e.pid}) started in its place after ${e.delayMs} ms`;
      io.stderr(io.json ? JSON.stringify({ event: `worker-${e.type}`, ...e }) : text);
    },
  });
  const stopped = new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  const url = await Promise.race([supervisor.listening, stopped.then(() => undefined)]).catch(
    async (error: unknown) => {
      await supervisor.stop();
      throw error;
    },
  );
  if (url !== undefined) {
    const event = { event: "listening", url, workers, pids: [...pids], deployments };
    io.stdout(
      io.json
        ? JSON.stringify(event)
        : `plinth serve listening on ${url} with ${workers} workers (${deployments?.join(", ") ?? "all deployments"})`,
    );
    await stopped;
  }
  await supervisor.stop();
  return 0;
}

function portFlag(value: string | boolean | undefined): number | undefined {
  if (typeof value !== "string") return undefined;
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65535) {
    throw invalidArgument("port", `expected a port number from 0 to 65535, got '${value}'`);
  }
  return port;
}

function deploymentsFlag(value: OptionValues[string]): string[] | undefined {
  if (typeof value !== "string") return undefined;
  const names = value.split(",").map((n) => n.trim());
  for (const name of names) {
    if (!DEPLOYMENT_NAME.test(name)) {
      throw invalidArgument(
        "deployments",
        `'${name}' is not a deployment name (1-128 letters, digits, '_', '.' or '-'); give a comma-separated list`,
      );
    }
  }
  return [...new Set(names)];
}
