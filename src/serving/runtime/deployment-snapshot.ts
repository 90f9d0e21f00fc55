import type { Deployment, DeploymentVariant } from "../deployments/deployment.ts";
import type { PredictInstance, VectorBuilder } from "../features/create-vector-builder.ts";
import type { DeploymentMetrics, VariantMetrics } from "../metrics/serving-metrics.ts";
import type { ServedModel } from "../models/served-model.ts";

/** A variant with its model loaded and its feature plan compiled. */
export interface LoadedVariant {
  readonly spec: DeploymentVariant;
  readonly model: ServedModel;
  readonly builder: VectorBuilder;
  readonly metrics: VariantMetrics;
}

/**
 * Everything one request needs, immutable once built. A hot swap builds a whole new
 * snapshot and replaces the reference; a request reads the reference once at its start, so
 * it is served by one consistent set of versions however long it takes.
 */
export interface DeploymentSnapshot {
  readonly deployment: Deployment;
  readonly live: readonly LoadedVariant[];
  /** Cumulative live weights scaled to [0, BUCKETS]: row i ends at `bounds[i]`. */
  readonly bounds: Float64Array;
  readonly shadows: readonly LoadedVariant[];
  readonly metrics: DeploymentMetrics;
}

/** Traffic buckets: weights are percentages with up to two decimals. */
export const BUCKETS = 10_000;

/** Builds the bounds of a snapshot's live variants. */
export function liveBounds(live: readonly LoadedVariant[]): Float64Array {
  const bounds = new Float64Array(live.length);
  let sum = 0;
  live.forEach((v, i) => {
    sum += v.spec.weight;
    bounds[i] = (sum / 100) * BUCKETS;
  });
  // Weights sum to 100 up to rounding: the last variant takes every remaining bucket.
  if (live.length > 0) bounds[live.length - 1] = BUCKETS;
  return bounds;
}

/**
 * The live variant for a sticky key: FNV-1a of the key's text picks a bucket, the bucket a
 * variant. The same key gets the same variant while the weights stay the same, on every
 * replica, since the hash has no seed.
 */
export function chooseVariant(snapshot: DeploymentSnapshot, key: string): LoadedVariant {
  const { live, bounds } = snapshot;
  if (live.length === 1) return live[0] as LoadedVariant;
  const bucket = fnv1a(key) % BUCKETS;
  for (let i = 0; i < live.length; i++) {
    if (bucket < (bounds[i] as number)) return live[i] as LoadedVariant;
  }
  return live[live.length - 1] as LoadedVariant;
}

/** 32-bit FNV-1a over UTF-16 code units, then a murmur finaliser so nearby keys spread. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The sticky key's value in the instance (entities first, then request), as text. */
export function stickyValue(
  instance: PredictInstance,
  key: string | undefined,
): string | undefined {
  if (key === undefined) return undefined;
  const raw = Object.hasOwn(instance.entities, key)
    ? instance.entities[key]
    : Object.hasOwn(instance.request, key)
      ? instance.request[key]
      : undefined;
  return typeof raw === "string" || typeof raw === "number" || typeof raw === "boolean"
    ? String(raw)
    : undefined;
}
