import { basename, extname } from "node:path";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { ArtifactBody, ArtifactStore } from "../../artifacts/artifact-store.ts";
import {
  MLFLOW_ARTIFACTS_PREFIX,
  MLFLOW_ARTIFACTS_SCHEME,
  mlflowArtifactKey,
} from "../../artifacts/mlflow-artifact-key.ts";
import { PlinthError } from "../../core/errors.ts";
import type { TrackingService } from "../../tracking/tracking-service.ts";
import { readInput, wire } from "./request-input.ts";

const TEXT_TYPES: Readonly<Record<string, string>> = {
  ".txt": "text/plain",
  ".log": "text/plain",
  ".md": "text/plain",
  ".py": "text/plain",
  ".yaml": "text/plain",
  ".yml": "text/plain",
  ".csv": "text/plain",
  ".json": "application/json",
  ".html": "text/html",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".svg": "image/svg+xml",
};

/** Content-Type by extension; MLflow's own text files (MLmodel, MLproject) are text/plain. */
function contentTypeOf(path: string): string {
  const name = basename(path);
  if (name === "MLmodel" || name === "MLproject") return "text/plain";
  return TEXT_TYPES[extname(name).toLowerCase()] ?? "application/octet-stream";
}

const keyOf = mlflowArtifactKey;
const SCHEME = MLFLOW_ARTIFACTS_SCHEME;

/**
 * MlflowArtifactsService (upload, download, list, delete through the server) and the
 * tracking service's `artifacts/list` for a run. Uploads stream straight into the
 * artifact store, so their size is bounded by disk, not memory.
 */
export function registerArtifactRoutes(
  app: FastifyInstance,
  artifacts: ArtifactStore,
  tracking: TrackingService,
): void {
  app.register(async (scope) => {
    // Uploads are raw bytes of any type: hand the body stream through unparsed.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (_req, payload, done) => done(null, payload));

    scope.put(
      "/api/2.0/mlflow-artifacts/artifacts/*",
      { bodyLimit: Number.MAX_SAFE_INTEGER },
      async (req) => {
        // No body at all (an empty file) arrives as undefined rather than an empty stream.
        await artifacts.put(keyOf(pathParam(req)), (req.body as ArtifactBody | undefined) ?? "");
        return {};
      },
    );
  });

  app.get("/api/2.0/mlflow-artifacts/artifacts", async (req) => {
    const input = readInput(z.object({ path: wire.string.optional() }), req);
    return listing(artifacts, keyOf(input.path ?? ""));
  });

  app.get("/api/2.0/mlflow-artifacts/artifacts/*", async (req, reply) =>
    download(artifacts, keyOf(pathParam(req)), reply),
  );

  app.delete("/api/2.0/mlflow-artifacts/artifacts/*", async (req) => {
    await artifacts.delete(keyOf(pathParam(req)));
    return {};
  });

  app.post("/api/2.0/mlflow-artifacts/mpu/*", async () => {
    throw new PlinthError(
      "ARTIFACTS_MULTIPART_UNSUPPORTED",
      "Multipart upload is not supported for the current artifact repository",
    );
  });

  app.get("/api/2.0/mlflow/artifacts/list", async (req) => {
    const input = readInput(
      z.object({
        run_id: wire.string.optional(),
        run_uuid: wire.string.optional(),
        path: wire.string.optional(),
      }),
      req,
    );
    const run = await tracking.runs.get(input.run_id ?? input.run_uuid ?? "");
    const root = run.info.artifactUri;
    if (!root.startsWith(SCHEME)) return { root_uri: root };
    const sub = input.path ?? "";
    const runPrefix = root.slice(SCHEME.length);
    const entries = await artifacts.list(keyOf(sub === "" ? runPrefix : `${runPrefix}/${sub}`));
    const files = entries.map((e) => ({
      path: sub === "" ? e.path : `${sub}/${e.path}`,
      is_dir: e.isDir,
      file_size: e.isDir ? undefined : e.size,
    }));
    return { root_uri: root, files: files.length === 0 ? undefined : files };
  });
}

/** The artifact path after the route prefix, decoded; the store refuses anything hostile in it. */
function pathParam(req: FastifyRequest): string {
  return (req.params as { "*"?: string })["*"] ?? "";
}

/** MLflow answers a listing of a file, or of nothing, with `{}`. */
async function listing(artifacts: ArtifactStore, key: string) {
  const entries = await artifacts.list(key);
  if (entries.length === 0) return {};
  return {
    files: entries.map((e) => ({
      path: e.path,
      is_dir: e.isDir,
      file_size: e.isDir ? undefined : e.size,
    })),
  };
}

async function download(artifacts: ArtifactStore, key: string, reply: FastifyReply) {
  const stat = await artifacts.stat(key);
  if (stat === undefined || stat.isDir) {
    throw new PlinthError(
      "ARTIFACTS_NOT_FOUND",
      `No artifact at '${key.slice(MLFLOW_ARTIFACTS_PREFIX.length + 1)}'`,
      {
        field: "path",
      },
    );
  }
  const stream = await artifacts.get(key);
  return reply
    .header("Content-Type", contentTypeOf(key))
    .header("Content-Length", String(stat.size))
    .header("Content-Disposition", `attachment; filename=${JSON.stringify(basename(key))}`)
    .send(stream);
}
