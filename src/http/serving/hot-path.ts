import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { ServingHandler } from "./create-serving-handler.ts";

/**
 * The seam between the bare serving handler and Fastify: `serverFactory` (Fastify's option)
 * builds the node:http server whose requests go first to `handler` (once set) and, when it
 * declines, to Fastify's own handler. The handler is set after the app is built because the
 * serving runtime it calls is made from the platform the app's routes also use.
 */
export interface HotPath {
  /** The serving handler; until it is set every request goes to Fastify. */
  handler: ServingHandler | undefined;
  /** Pass as Fastify's `serverFactory` option. */
  readonly serverFactory: (
    fastifyHandler: (req: IncomingMessage, res: ServerResponse) => void,
  ) => Server;
}

/**
 * @example
 * const hot = createHotPath();
 * const app = Fastify({ serverFactory: hot.serverFactory });
 * hot.handler = createServingHandler({ runtime, bodyLimitBytes, logger });
 */
export function createHotPath(): HotPath {
  const hot: HotPath = {
    handler: undefined,
    serverFactory(fastifyHandler) {
      return createServer(function route(req, res) {
        if (hot.handler === undefined || !hot.handler(req, res)) fastifyHandler(req, res);
      });
    },
  };
  return hot;
}
