import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { PlinthError } from "./errors.ts";
import { LOG_LEVELS, type LogLevel } from "./logger.ts";

/** Where metadata lives: an embedded SQLite file, or a shared PostgreSQL database. */
export type MetadataConfig =
  | { readonly type: "sqlite"; readonly path: string }
  | { readonly type: "postgres"; readonly url: string; readonly schema?: string };

/** Where artifact bytes live. */
export type ArtifactsConfig = { readonly type: "local"; readonly root: string };

/** Where online feature values live: an embedded SQLite file, or a shared Redis. */
export type OnlineStoreConfig =
  | { readonly type: "sqlite"; readonly path: string }
  | { readonly type: "redis"; readonly url: string; readonly keyPrefix: string };
/**
 * Where pipeline steps run: in the process that drives the run, or as jobs on a BullMQ
 * queue in Redis that `plinth worker` processes on any machine (`concurrency` is then how
 * many steps one run keeps queued at once).
 */
export type PipelineExecutorConfig =
  | { readonly type: "in-process"; readonly concurrency?: number }
  | {
      readonly type: "queue";
      readonly redisUrl: string;
      readonly queue: string;
      readonly concurrency?: number;
    };

/** Pipelines: the executor runs started here (CLI, server triggers, schedules) use. */
export interface PipelinesConfig {
  readonly executor: PipelineExecutorConfig;
}

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** Largest request body accepted, in bytes (413 above it). Artifact uploads stream and are exempt. */
  readonly bodyLimitBytes: number;
}

/**
 * The prediction log's bounds (see `createPredictionLog`). A crash loses at most the records
 * appended since the last flush: about `flushIntervalMs` of traffic, never more than
 * `maxQueue` records; memory holds at most `maxQueue` records plus one open segment per
 * deployment (`segmentMaxRows` serialised rows).
 */
export interface PredictionLogConfig {
  readonly maxQueue: number;
  readonly segmentMaxRows: number;
  readonly segmentMaxAgeMs: number;
  readonly flushIntervalMs: number;
}

/** The whole resolved configuration; frozen, every path absolute. */
export interface PlinthConfig {
  readonly home: string;
  readonly metadata: MetadataConfig;
  readonly artifacts: ArtifactsConfig;
  readonly server: ServerConfig;
  readonly logLevel: LogLevel;
  /** The online feature store. */
  readonly online: OnlineStoreConfig;
  /** The feature definitions module (`features.ts`), absolute; undefined when not configured. */
  readonly featuresModule: string | undefined;
  readonly pipelines: PipelinesConfig;
  /** Serving's prediction log. */
  readonly predictionLog: PredictionLogConfig;
}

/** A BullMQ queue name: it becomes part of Redis keys, so no ':' and nothing exotic. */
export const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** The optional `config.json` in the home directory. Every field is optional. */
const configFileSchema = z
  .object({
    metadataUrl: z.string().min(1).optional(),
    artifacts: z.string().min(1).optional(),
    logLevel: z.enum(LOG_LEVELS).optional(),
    onlineUrl: z.string().min(1).optional(),
    featuresModule: z.string().min(1).optional(),
    server: z
      .object({
        host: z.string().min(1).optional(),
        port: z.number().int().min(0).max(65535).optional(),
        bodyLimitBytes: z.number().int().min(1024).optional(),
      })
      .strict()
      .optional(),
    pipelines: z
      .object({
        executor: z
          .discriminatedUnion("type", [
            z
              .object({
                type: z.literal("in-process"),
                concurrency: z.number().int().min(1).max(1024).optional(),
              })
              .strict(),
            z
              .object({
                type: z.literal("queue"),
                redisUrl: z.string().regex(/^rediss?:\/\//),
                queue: z.string().regex(QUEUE_NAME),
                concurrency: z.number().int().min(1).max(10_000).optional(),
              })
              .strict(),
          ])
          .optional(),
      })
      .strict()
      .optional(),
    predictionLog: z
      .object({
        maxQueue: z.number().int().min(1).max(100_000_000).optional(),
        segmentMaxRows: z.number().int().min(1).max(100_000_000).optional(),
        segmentMaxAgeMs: z.number().int().min(1).max(86_400_000).optional(),
        flushIntervalMs: z.number().int().min(1).max(3_600_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof configFileSchema>;

/** Explicit choices (CLI flags, SDK options); they win over environment and file. */
export interface ConfigOverrides {
  home?: string;
  metadataUrl?: string;
  artifacts?: string;
  host?: string;
  port?: number;
  logLevel?: LogLevel;
  onlineUrl?: string;
  featuresModule?: string;
}

export const DEFAULT_HOME = ".plinth";
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 5000;
export const DEFAULT_BODY_LIMIT_BYTES = 32 * 1024 * 1024;
/** Prediction log defaults: a 1 s flush, 5-minute or 100,000-row segments, a 100,000-record queue. */
export const DEFAULT_PREDICTION_LOG: PredictionLogConfig = {
  maxQueue: 100_000,
  segmentMaxRows: 100_000,
  segmentMaxAgeMs: 300_000,
  flushIntervalMs: 1000,
};

/**
 * Resolves configuration from, in order of precedence: explicit overrides, the environment
 * (`PLINTH_HOME`, `PLINTH_METADATA_URL`, `PLINTH_ARTIFACTS`, `PLINTH_LOG_LEVEL`, `PLINTH_ONLINE_URL`, `PLINTH_FEATURES`), the file
 * `<home>/config.json`, and defaults (everything embedded under `./.plinth`).
 *
 * @example
 * const config = resolveConfig({ overrides: { home: "/tmp/ml" } });
 * config.metadata; // { type: "sqlite", path: "/tmp/ml/metadata.sqlite" }
 */
export function resolveConfig(
  options: { overrides?: ConfigOverrides; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): PlinthConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const o = options.overrides ?? {};
  const home = resolve(cwd, o.home ?? nonEmpty(env.PLINTH_HOME) ?? DEFAULT_HOME);
  const file = readConfigFile(join(home, "config.json"));

  const metadataUrl = o.metadataUrl ?? nonEmpty(env.PLINTH_METADATA_URL) ?? file.metadataUrl;
  const artifactsRoot = o.artifacts ?? nonEmpty(env.PLINTH_ARTIFACTS) ?? file.artifacts;
  const logLevel = o.logLevel ?? parseLogLevel(env.PLINTH_LOG_LEVEL) ?? file.logLevel ?? "info";
  const onlineUrl = o.onlineUrl ?? nonEmpty(env.PLINTH_ONLINE_URL) ?? file.onlineUrl;
  const featuresModule = o.featuresModule ?? nonEmpty(env.PLINTH_FEATURES) ?? file.featuresModule;

  const config: PlinthConfig = {
    home,
    metadata: parseMetadataUrl(metadataUrl, home, cwd),
    artifacts: {
      type: "local",
      root: artifactsRoot === undefined ? join(home, "artifacts") : resolve(cwd, artifactsRoot),
    },
    server: {
      host: o.host ?? file.server?.host ?? DEFAULT_HOST,
      port: o.port ?? file.server?.port ?? DEFAULT_PORT,
      bodyLimitBytes: file.server?.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    },
    logLevel,
    online: parseOnlineUrl(onlineUrl, home, cwd),
    featuresModule: featuresModule === undefined ? undefined : resolve(cwd, featuresModule),
    pipelines: { executor: pipelineExecutor(env, file) },
    predictionLog: predictionLogConfig(env, file),
  };
  return deepFreeze(config);
}

/**
 * `postgres://…` or `postgresql://…` selects PostgreSQL (an optional `?schema=name` picks
 * the schema); anything else is a SQLite file path, relative to the working directory.
 */
export function parseMetadataUrl(
  url: string | undefined,
  home: string,
  cwd: string,
): MetadataConfig {
  if (url === undefined) return { type: "sqlite", path: join(home, "metadata.sqlite") };
  if (/^postgres(ql)?:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new PlinthError(
        "CONFIG_INVALID",
        "PLINTH_METADATA_URL is not a valid postgres:// URL",
        {
          field: "PLINTH_METADATA_URL",
        },
      );
    }
    const schema = parsed.searchParams.get("schema") ?? undefined;
    if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
      throw new PlinthError(
        "CONFIG_INVALID",
        `PLINTH_METADATA_URL schema '${schema}' must be a plain SQL identifier`,
        { field: "PLINTH_METADATA_URL" },
      );
    }
    parsed.searchParams.delete("schema");
    return schema === undefined
      ? { type: "postgres", url: parsed.toString() }
      : { type: "postgres", url: parsed.toString(), schema };
  }
  const path = url.startsWith("sqlite:") ? url.slice("sqlite:".length) : url;
  if (path === ":memory:") return { type: "sqlite", path };
  return { type: "sqlite", path: isAbsolute(path) ? path : resolve(cwd, path) };
}

/**
 * `redis://…` or `rediss://…` selects Redis (`?prefix=team-a:` sets the key prefix,
 * default `plinth:`); anything else is a SQLite file path, relative to the working directory.
 */
export function parseOnlineUrl(
  url: string | undefined,
  home: string,
  cwd: string,
): OnlineStoreConfig {
  if (url === undefined) return { type: "sqlite", path: join(home, "online.sqlite") };
  if (/^rediss?:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new PlinthError("CONFIG_INVALID", "PLINTH_ONLINE_URL is not a valid redis:// URL", {
        field: "PLINTH_ONLINE_URL",
      });
    }
    const keyPrefix = parsed.searchParams.get("prefix") ?? "plinth:";
    if (keyPrefix === "" || keyPrefix.length > 200) {
      throw new PlinthError(
        "CONFIG_INVALID",
        "PLINTH_ONLINE_URL prefix must be 1 to 200 characters",
        { field: "PLINTH_ONLINE_URL" },
      );
    }
    parsed.searchParams.delete("prefix");
    return { type: "redis", url: parsed.toString(), keyPrefix };
  }
  const path = url.startsWith("sqlite:") ? url.slice("sqlite:".length) : url;
  if (path === ":memory:") return { type: "sqlite", path };
  return { type: "sqlite", path: isAbsolute(path) ? path : resolve(cwd, path) };
}

function readConfigFile(path: string): ConfigFile {
  if (!existsSync(path)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new PlinthError("CONFIG_INVALID", `${path} is not valid JSON`, { field: path, cause });
  }
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join(".") || "(root)";
    throw new PlinthError("CONFIG_INVALID", `${path}: field '${field}': ${issue.message}`, {
      field,
    });
  }
  return parsed.data;
}

/**
 * `PLINTH_PIPELINE_QUEUE` selects the queue executor (Redis at `PLINTH_REDIS_URL`, default
 * the local one); otherwise `pipelines.executor` of config.json; otherwise in-process.
 */
function pipelineExecutor(env: NodeJS.ProcessEnv, file: ConfigFile): PipelineExecutorConfig {
  const queue = nonEmpty(env.PLINTH_PIPELINE_QUEUE);
  if (queue === undefined) return file.pipelines?.executor ?? { type: "in-process" };
  if (!QUEUE_NAME.test(queue)) {
    throw new PlinthError(
      "CONFIG_INVALID",
      `PLINTH_PIPELINE_QUEUE '${queue}' must be 1-100 letters, digits, '_', '.' or '-'`,
      { field: "PLINTH_PIPELINE_QUEUE" },
    );
  }
  const redisUrl = nonEmpty(env.PLINTH_REDIS_URL) ?? "redis://127.0.0.1:6379";
  if (!/^rediss?:\/\//.test(redisUrl)) {
    throw new PlinthError(
      "CONFIG_INVALID",
      `PLINTH_REDIS_URL must be a redis:// or rediss:// URL, got '${redisUrl}'`,
      { field: "PLINTH_REDIS_URL" },
    );
  }
  return { type: "queue", redisUrl, queue };
}

function parseLogLevel(value: string | undefined): LogLevel | undefined {
  if (value === undefined || value === "") return undefined;
  if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
  throw new PlinthError(
    "CONFIG_INVALID",
    `PLINTH_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}; got '${value}'`,
    { field: "PLINTH_LOG_LEVEL" },
  );
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * `predictionLog` of config.json over the defaults, and `PLINTH_PREDICTION_LOG_FLUSH_MS` /
 * `PLINTH_PREDICTION_LOG_MAX_QUEUE` over both (the two an operator tunes under load).
 */
function predictionLogConfig(env: NodeJS.ProcessEnv, file: ConfigFile): PredictionLogConfig {
  const fromEnv = (name: string, max: number): number | undefined => {
    const text = nonEmpty(env[name]);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new PlinthError("CONFIG_INVALID", `${name} must be an integer from 1 to ${max}`, {
        field: name,
      });
    }
    return value;
  };
  return {
    ...DEFAULT_PREDICTION_LOG,
    ...file.predictionLog,
    ...definedOnly({
      flushIntervalMs: fromEnv("PLINTH_PREDICTION_LOG_FLUSH_MS", 3_600_000),
      maxQueue: fromEnv("PLINTH_PREDICTION_LOG_MAX_QUEUE", 100_000_000),
    }),
  };
}

function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}
