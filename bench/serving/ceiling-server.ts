/**
 * The ceiling of bench/serving: a minimal hand-written node:http server that does only what a
 * prediction needs — parse the JSON body, the same online lookup (the feature store's compiled
 * reader for the same service, on the same online store), the same model (the registry
 * version's package, plinth's tree predictor) — and writes the probability back. No routing,
 * validation, traffic split, metrics or prediction log.
 *
 *   node --import tsx bench/serving/ceiling-server.ts MODEL VERSION SERVICE
 *
 * Stores come from the environment (PLINTH_HOME, PLINTH_METADATA_URL, PLINTH_ONLINE_URL,
 * PLINTH_FEATURES). Prints `{"event":"listening","url":...}` once it listens.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveConfig } from "../../src/core/config.ts";
import { createLogger } from "../../src/core/logger.ts";
import { downloadModelPackage } from "../../src/models/package/download-model-package.ts";
import { readModelPackage } from "../../src/models/package/model-package.ts";
import { predict } from "../../src/models/tree-predictor.ts";
import { openPlatform } from "../../src/platform.ts";

const [modelName, version, service] = process.argv.slice(2) as [string, string, string];
const platform = await openPlatform(resolveConfig(), { logger: createLogger({ level: "silent" }) });
const mv = await platform.registry.versions.get(modelName, version);
const dir = await mkdtemp(join(tmpdir(), "plinth-ceiling-"));
await downloadModelPackage(platform, mv.source, dir);
const loaded = await readModelPackage(dir);
await rm(dir, { recursive: true, force: true });
if (loaded.model.kind !== "tree-ensemble") throw new Error("the ceiling serves tree ensembles");
const ensemble = loaded.model.ensemble;
const inputs = loaded.manifest.inputs.map((i) => i.name);
const reader = (await platform.features()).onlineReader(service);
const width = inputs.length;
// Where each model input comes from: an online slot, or (-1) the request.
const slots = inputs.map((name) => reader.featureNames.indexOf(name));

type Instance = { entities: Record<string, unknown>; request: Record<string, unknown> };

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", async () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as
        | Instance
        | { instances: Instance[] };
      const instances = "instances" in body ? body.instances : [body];
      const n = instances.length;
      const online = await reader.getMany(
        instances.map((i) => i.entities),
        { requestData: instances.map((i) => i.request) },
      );
      const rows = new Float64Array(n * width);
      for (let r = 0; r < n; r++) {
        const values = online.rows[r]!.values;
        const request = instances[r]!.request;
        for (let j = 0; j < width; j++) {
          const slot = slots[j]!;
          const v = slot >= 0 ? values[slot] : request[inputs[j]!];
          rows[r * width + j] = typeof v === "number" ? v : Number.NaN;
        }
      }
      const p = predict(ensemble, rows, n);
      const out = Array.from(p, (probability) => ({ outputs: { probability } }));
      const text = JSON.stringify("instances" in body ? { predictions: out } : out[0]);
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(text),
      });
      res.end(text);
    } catch (e) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: String(e) }));
    }
  });
});
server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(
    `${JSON.stringify({ event: "listening", url: `http://127.0.0.1:${port}` })}\n`,
  );
});
const stop = () => {
  server.close();
  void platform.close().then(() => process.exit(0));
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
