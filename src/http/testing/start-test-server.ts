import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { resolveConfig } from "../../core/config.ts";
import { createLogger } from "../../core/logger.ts";
import { openPlatform, type Platform } from "../../platform.ts";
import { createServer } from "../create-server.ts";

export interface TestServer {
  url: string;
  app: FastifyInstance;
  platform: Platform;
  home: string;
  close(): Promise<void>;
}

/**
 * A real plinth server on 127.0.0.1 with a random port and a fresh home directory;
 * `metadataUrl` selects PostgreSQL (give it a `?schema=` of its own), `featuresModule` and
 * `onlineUrl` the feature store.
 */
export async function startTestServer(
  options: {
    metadataUrl?: string;
    bodyLimitBytes?: number;
    featuresModule?: string;
    onlineUrl?: string;
  } = {},
): Promise<TestServer> {
  const home = mkdtempSync(join(tmpdir(), "plinth-http-"));
  const config = resolveConfig({
    overrides: {
      home,
      port: 0,
      ...(options.metadataUrl === undefined ? {} : { metadataUrl: options.metadataUrl }),
      ...(options.featuresModule === undefined ? {} : { featuresModule: options.featuresModule }),
      ...(options.onlineUrl === undefined ? {} : { onlineUrl: options.onlineUrl }),
    },
    env: {},
  });
  const platform = await openPlatform(
    options.bodyLimitBytes === undefined
      ? config
      : { ...config, server: { ...config.server, bodyLimitBytes: options.bodyLimitBytes } },
    { logger: createLogger({ level: "silent" }) },
  );
  const app = await createServer(platform);
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url,
    app,
    platform,
    home,
    async close() {
      await app.close();
      await platform.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
