import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { RegistryService } from "../../registry/registry-service.ts";
import type { RegistryContext } from "../../registry/types.ts";
import { readInput, wire } from "./request-input.ts";
import { modelToWire, versionToWire } from "./wire.ts";

const BASE = "/api/2.0/mlflow";

/**
 * The actor recorded in the registry's audit history: the Basic-auth user MLflow clients
 * send when MLFLOW_TRACKING_USERNAME is set, else the `X-Plinth-User` header.
 */
export function registryContext(req: FastifyRequest): RegistryContext {
  const header = req.headers["x-plinth-user"];
  if (typeof header === "string" && header !== "") return { actor: header.slice(0, 256) };
  const auth = req.headers.authorization;
  if (auth?.startsWith("Basic ")) {
    const user = Buffer.from(auth.slice(6), "base64").toString("utf8").split(":")[0];
    if (user !== undefined && user !== "") return { actor: user.slice(0, 256) };
  }
  return { actor: "anonymous" };
}

const named = { name: wire.string };
const versioned = { name: wire.string, version: wire.string };
const search = z.object({
  filter: wire.string.optional(),
  max_results: wire.int64.optional(),
  order_by: wire.stringList.optional(),
  page_token: wire.string.optional(),
});

type Route = {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  handle: (req: FastifyRequest, ctx: RegistryContext) => Promise<unknown>;
};

/** ModelRegistryService: registered models, versions, stages, aliases and tags. */
export function registerRegistryRoutes(app: FastifyInstance, registry: RegistryService): void {
  const { models, versions, aliases } = registry;
  const latest = async (req: FastifyRequest) => {
    const input = readInput(z.object({ ...named, stages: wire.stringList.optional() }), req);
    const list = await models.latestVersions(input.name, input.stages);
    return {
      model_versions: list.length === 0 ? undefined : list.map((v) => versionToWire(v, false)),
    };
  };

  const routes: Route[] = [
    {
      method: "POST",
      path: "/registered-models/create",
      handle: async (req, ctx) => {
        const input = readInput(
          z.object({
            ...named,
            tags: wire.keyValues.optional(),
            description: wire.string.optional(),
          }),
          req,
        );
        return { registered_model: modelToWire(await models.create(input, ctx)) };
      },
    },
    {
      method: "GET",
      path: "/registered-models/get",
      handle: async (req) => ({
        registered_model: modelToWire(await models.get(readInput(z.object(named), req).name)),
      }),
    },
    {
      method: "POST",
      path: "/registered-models/rename",
      handle: async (req, ctx) => {
        const input = readInput(z.object({ ...named, new_name: wire.string }), req);
        return {
          registered_model: modelToWire(await models.rename(input.name, input.new_name, ctx)),
        };
      },
    },
    {
      method: "PATCH",
      path: "/registered-models/update",
      handle: async (req, ctx) => {
        const input = readInput(z.object({ ...named, description: wire.string.optional() }), req);
        return {
          registered_model: modelToWire(
            await models.update(input.name, input.description ?? "", ctx),
          ),
        };
      },
    },
    {
      method: "DELETE",
      path: "/registered-models/delete",
      handle: async (req, ctx) => {
        await models.delete(readInput(z.object(named), req).name, ctx);
        return {};
      },
    },
    {
      method: "GET",
      path: "/registered-models/search",
      handle: async (req) => {
        const input = readInput(search, req);
        const page = await models.search({
          filter: input.filter,
          maxResults: input.max_results,
          orderBy: input.order_by,
          pageToken: input.page_token,
        });
        return {
          registered_models: page.items.length === 0 ? undefined : page.items.map(modelToWire),
          next_page_token: page.nextPageToken,
        };
      },
    },
    { method: "POST", path: "/registered-models/get-latest-versions", handle: latest },
    { method: "GET", path: "/registered-models/get-latest-versions", handle: latest },
    {
      method: "POST",
      path: "/registered-models/set-tag",
      handle: async (req, ctx) => {
        const input = readInput(z.object({ ...named, key: wire.string, value: wire.string }), req);
        await models.setTag(input.name, input.key, input.value, ctx);
        return {};
      },
    },
    {
      method: "DELETE",
      path: "/registered-models/delete-tag",
      handle: async (req, ctx) => {
        const input = readInput(z.object({ ...named, key: wire.string }), req);
        await models.deleteTag(input.name, input.key, ctx);
        return {};
      },
    },
    {
      method: "POST",
      path: "/registered-models/alias",
      handle: async (req, ctx) => {
        const input = readInput(
          z.object({ ...named, alias: wire.string, version: wire.string }),
          req,
        );
        await aliases.set(input.name, input.alias, input.version, ctx);
        return {};
      },
    },
    {
      method: "DELETE",
      path: "/registered-models/alias",
      handle: async (req, ctx) => {
        const input = readInput(z.object({ ...named, alias: wire.string }), req);
        await aliases.delete(input.name, input.alias, ctx);
        return {};
      },
    },
    {
      method: "GET",
      path: "/registered-models/alias",
      handle: async (req) => {
        const input = readInput(z.object({ ...named, alias: wire.string }), req);
        return {
          model_version: versionToWire(await aliases.resolve(input.name, input.alias), true),
        };
      },
    },
    {
      method: "POST",
      path: "/model-versions/create",
      handle: async (req, ctx) => {
        const input = readInput(
          z.object({
            ...named,
            source: wire.string,
            run_id: wire.string.optional(),
            tags: wire.keyValues.optional(),
            run_link: wire.string.optional(),
            description: wire.string.optional(),
          }),
          req,
        );
        const created = await versions.create(
          {
            name: input.name,
            source: input.source,
            runId: input.run_id,
            tags: input.tags,
            runLink: input.run_link,
            description: input.description,
            userId: ctx.actor === "anonymous" ? undefined : ctx.actor,
          },
          ctx,
        );
        return { model_version: versionToWire(created, false) };
      },
    },
    {
      method: "GET",
      path: "/model-versions/get",
      handle: async (req) => {
        const input = readInput(z.object(versioned), req);
        return {
          model_version: versionToWire(await versions.get(input.name, input.version), true),
        };
      },
    },
    {
      method: "PATCH",
      path: "/model-versions/update",
      handle: async (req, ctx) => {
        const input = readInput(
          z.object({ ...versioned, description: wire.string.optional() }),
          req,
        );
        return {
          model_version: versionToWire(
            await versions.update(input.name, input.version, input.description ?? "", ctx),
            true,
          ),
        };
      },
    },
    {
      method: "DELETE",
      path: "/model-versions/delete",
      handle: async (req, ctx) => {
        const input = readInput(z.object(versioned), req);
        await versions.delete(input.name, input.version, ctx);
        return {};
      },
    },
    {
      method: "POST",
      path: "/model-versions/transition-stage",
      handle: async (req, ctx) => {
        const input = readInput(
          z.object({ ...versioned, stage: wire.string, archive_existing_versions: wire.bool }),
          req,
        );
        const v = await versions.transitionStage(
          input.name,
          input.version,
          input.stage,
          input.archive_existing_versions,
          ctx,
        );
        return { model_version: versionToWire(v, true) };
      },
    },
    {
      method: "GET",
      path: "/model-versions/search",
      handle: async (req) => {
        const input = readInput(search, req);
        const page = await versions.search({
          filter: input.filter,
          maxResults: input.max_results,
          orderBy: input.order_by,
          pageToken: input.page_token,
        });
        return {
          model_versions:
            page.items.length === 0 ? undefined : page.items.map((v) => versionToWire(v, false)),
          next_page_token: page.nextPageToken,
        };
      },
    },
    {
      method: "GET",
      path: "/model-versions/get-download-uri",
      handle: async (req) => {
        const input = readInput(z.object(versioned), req);
        return { artifact_uri: (await versions.get(input.name, input.version)).source };
      },
    },
    {
      method: "POST",
      path: "/model-versions/set-tag",
      handle: async (req, ctx) => {
        const input = readInput(
          z.object({ ...versioned, key: wire.string, value: wire.string }),
          req,
        );
        await versions.setTag(input.name, input.version, input.key, input.value, ctx);
        return {};
      },
    },
    {
      method: "DELETE",
      path: "/model-versions/delete-tag",
      handle: async (req, ctx) => {
        const input = readInput(z.object({ ...versioned, key: wire.string }), req);
        await versions.deleteTag(input.name, input.version, input.key, ctx);
        return {};
      },
    },
  ];

  for (const r of routes) {
    app.route({
      method: r.method,
      url: BASE + r.path,
      handler: (req) => r.handle(req, registryContext(req)),
    });
  }
}
