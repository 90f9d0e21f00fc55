import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A real local HTTP endpoint that records the JSON bodies POSTed to it. */
export interface WebhookReceiver {
  readonly url: string;
  /** Every request in arrival order: the answer it got and its parsed body. */
  readonly received: Array<{ status: number; body: unknown; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** Starts a receiver that answers 500 to the first `failFirst` requests of each event id, then 204. */
export async function startWebhookReceiver(failFirst = 0): Promise<WebhookReceiver> {
  const received: WebhookReceiver["received"] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const id = String(req.headers["x-plinth-event-id"]);
      const seen = received.filter((r) => r.headers["x-plinth-event-id"] === id).length;
      const status = seen < failFirst ? 500 : 204;
      received.push({
        status,
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
        headers: { ...req.headers },
      });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A URL on which nothing listens: a port this process bound and released. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/dead`;
}
