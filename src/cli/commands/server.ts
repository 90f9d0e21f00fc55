import { resolveConfig } from "../../core/config.ts";
import { invalidArgument } from "../../core/errors.ts";
import { createServer } from "../../http/create-server.ts";
import { openPlatform } from "../../platform.ts";
import type { Command } from "../command.ts";

export const serverCommand: Command = {
  summary:
    "Run the tracking and registry server (MLflow REST API) on the embedded or shared stores",
  usage: `plinth server [--host H] [--port N] [--home DIR] [--json]

Serves the MLflow-compatible tracking, registry and artifact API plus plinth's own routes,
including every deployment (predict, OIP V2 under /v2, /metrics; see 'plinth serve').
Ready when GET /health answers 200. Stores: PLINTH_METADATA_URL (SQLite path or postgres://
URL) and PLINTH_ARTIFACTS (a directory), else SQLite and files under --home (default ./.plinth).
Stops cleanly on Ctrl-C or SIGTERM.`,
  options: { host: { type: "string" }, port: { type: "string" } },

  async run({ values, io }) {
    let port: number | undefined;
    if (typeof values.port === "string") {
      port = Number(values.port);
      if (!/^\d{1,5}$/.test(values.port) || port > 65535) {
        throw invalidArgument(
          "--port",
          `expected a port number from 0 to 65535, got '${values.port}'`,
        );
      }
    }
    const config = resolveConfig({
      overrides: {
        ...(typeof values.home === "string" ? { home: values.home } : {}),
        ...(typeof values.host === "string" ? { host: values.host } : {}),
        ...(port === undefined ? {} : { port }),
      },
    });
    const platform = await openPlatform(config);
    const app = await createServer(platform);
    const address = await app.listen({ host: config.server.host, port: config.server.port });
    const event = {
      event: "listening",
      url: address,
      home: config.home,
      metadata: config.metadata.type,
      artifacts: config.artifacts.root,
    };
    io.stdout(
      io.json
        ? JSON.stringify(event)
        : `plinth server listening on ${address} (metadata: ${config.metadata.type}, home: ${config.home})`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await app.close();
    await platform.close();
    return 0;
  },
};
