import { isPlinthError } from "../../core/errors.ts";
import type { FeatureStore } from "../../features/feature-store.ts";
import type { Deployment } from "../deployments/deployment.ts";
import { createVectorBuilder } from "../features/create-vector-builder.ts";
import type { ServingMetrics } from "../metrics/serving-metrics.ts";
import { loadServedModel } from "../models/load-served-model.ts";
import type { ServingRuntimeOptions } from "../serving-runtime.ts";
import { type DeploymentSnapshot, type LoadedVariant, liveBounds } from "./deployment-snapshot.ts";

/** A deployment this runtime serves: the snapshot requests read, and its load state. */
export interface ServedDeployment {
  readonly name: string;
  /** Replaced whole by a swap; undefined until the first load succeeds. */
  snapshot: DeploymentSnapshot | undefined;
  /** The deployment as last read from the store. */
  deployment: Deployment;
  /** What the snapshot was built from (spec time and resolved versions). */
  loadedKey: string;
  lastError: string | undefined;
}

/** Loads deployments, follows their aliases and swaps snapshots (see ServingRuntime). */
export interface DeploymentLoader {
  get(name: string): ServedDeployment | undefined;
  all(): Iterable<ServedDeployment>;
  /** Names asked for in the settings that the store does not have (so the server is not ready). */
  missing(): ReadonlySet<string>;
  /** True once the deployment store has been read successfully (an empty store included). */
  listed(): boolean;
  /** One poll: re-read the store and the aliases, load and swap what moved. Calls are serialised. */
  refresh(): Promise<void>;
  /** Polls every `pollIntervalMs` until closed. */
  start(): void;
  close(): Promise<void>;
}

type Loaded = Pick<LoadedVariant, "model" | "builder">;

/**
 * The loader behind a ServingRuntime. Models are cached per (model, version), so variants
 * and deployments sharing a version load it once, and a version no snapshot uses any more
 * is dropped after the poll that stopped using it (memory stays bounded across swaps).
 */
export function createDeploymentLoader(
  options: ServingRuntimeOptions,
  metrics: ServingMetrics,
): DeploymentLoader {
  const { platform } = options;
  const interval = options.pollIntervalMs ?? 1000;
  const served = new Map<string, ServedDeployment>();
  const missing = new Set<string>();
  const cache = new Map<string, Promise<Loaded>>();
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let listed = false;

  const features = async (needed: boolean): Promise<FeatureStore | undefined> =>
    needed ? platform.features() : undefined;

  const load = (model: string, version: string): Promise<Loaded> => {
    const key = `${model}\u0000${version}`;
    let entry = cache.get(key);
    if (entry === undefined) {
      entry = (async () => {
        const served = await loadServedModel(platform, model, version);
        const store = await features(served.manifest.featureService !== null);
        return { model: served, builder: createVectorBuilder(served, store) };
      })();
      // A failed load is not kept: the next poll tries again.
      entry.catch(() => cache.delete(key));
      cache.set(key, entry);
    }
    return entry;
  };

  const readWanted = async (): Promise<Deployment[]> => {
    const names = options.deployments;
    if (names === undefined) return platform.deployments.list();
    const found: Deployment[] = [];
    missing.clear();
    for (const name of names) {
      try {
        found.push(await platform.deployments.get(name));
      } catch (error) {
        if (!isPlinthError(error, "DEPLOYMENT_NOT_FOUND")) throw error;
        missing.add(name);
      }
    }
    return found;
  };

  const update = async (deployment: Deployment): Promise<void> => {
    const entry: ServedDeployment = served.get(deployment.name) ?? {
      name: deployment.name,
      snapshot: undefined,
      deployment,
      loadedKey: "",
      lastError: undefined,
    };
    served.set(deployment.name, entry);
    entry.deployment = deployment;
    try {
      const versions = await Promise.all(
        deployment.variants.map(
          async (v) =>
            v.version ??
            (await platform.registry.aliases.resolve(v.model, v.alias as string)).version,
        ),
      );
      const key = JSON.stringify([deployment.updatedAt, versions]);
      if (key === entry.loadedKey) return;
      // Everything is loaded before the swap: requests keep the old snapshot meanwhile.
      const loaded = await Promise.all(
        deployment.variants.map((v, i) => load(v.model, versions[i] as string)),
      );
      const dm = metrics.deployment(deployment.name);
      const variants: LoadedVariant[] = deployment.variants.map((spec, i) => ({
        spec,
        ...(loaded[i] as Loaded),
        metrics: dm.variant(spec.name),
      }));
      const live = variants.filter((v) => !v.spec.shadow);
      const previous = entry.snapshot;
      const snapshot: DeploymentSnapshot = {
        deployment,
        live,
        bounds: liveBounds(live),
        shadows: variants.filter((v) => v.spec.shadow),
        metrics: dm,
      };
      entry.snapshot = snapshot;
      entry.loadedKey = key;
      entry.lastError = undefined;
      for (const v of variants) {
        const before = [...(previous?.live ?? []), ...(previous?.shadows ?? [])].find(
          (p) => p.spec.name === v.spec.name,
        );
        if (before !== undefined && before.model.version !== v.model.version) {
          metrics.countSwap(deployment.name, v.spec.name);
          platform.logger.info(
            {
              deployment: deployment.name,
              variant: v.spec.name,
              from: before.model.version,
              to: v.model.version,
            },
            "serving: swapped model version",
          );
        }
      }
    } catch (error) {
      entry.lastError = error instanceof Error ? error.message : String(error);
      platform.logger.warn(
        { deployment: deployment.name, err: error },
        "serving: deployment load failed; keeping what is loaded",
      );
    }
  };

  const poll = async (): Promise<void> => {
    if (closed) return;
    let wanted: Deployment[];
    try {
      wanted = await readWanted();
    } catch (error) {
      platform.logger.warn(
        { err: error },
        "serving: cannot read deployments; keeping what is loaded",
      );
      return;
    }
    listed = true;
    const names = new Set(wanted.map((d) => d.name));
    for (const name of [...served.keys()]) {
      if (!names.has(name)) {
        served.delete(name);
        metrics.drop(name);
        platform.logger.info({ deployment: name }, "serving: deployment removed");
      }
    }
    await Promise.all(wanted.map(update));
    const used = new Set<string>();
    for (const entry of served.values()) {
      for (const v of [...(entry.snapshot?.live ?? []), ...(entry.snapshot?.shadows ?? [])]) {
        used.add(`${v.spec.model}\u0000${v.model.version}`);
      }
    }
    for (const key of [...cache.keys()]) if (!used.has(key)) cache.delete(key);
  };

  const refresh = (): Promise<void> => {
    const next = running.then(poll, poll);
    running = next.catch(() => {});
    return next;
  };

  return {
    get: (name) => served.get(name),
    all: () => served.values(),
    missing: () => missing,
    listed: () => listed,
    refresh,
    start() {
      const tick = (): void => {
        timer = setTimeout(() => {
          refresh().finally(() => {
            if (!closed) tick();
          });
        }, interval);
        // The watcher alone never keeps a process alive.
        timer.unref();
      };
      tick();
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await running;
    },
  };
}
