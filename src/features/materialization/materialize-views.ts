import { invalidArgument, PlinthError } from "../../core/errors.ts";
import type { MetadataStore } from "../../metadata/metadata-store.ts";
import type { FeatureDefinitions } from "../definitions/feature-definitions.ts";
import type { FeatureView } from "../definitions/feature-view.ts";
import type { OfflineStore } from "../offline/offline-store.ts";
import { buildOnlineRecords } from "../online/build-online-records.ts";
import type { OnlineStore } from "../online/online-store.ts";
import { advanceWatermark, readWatermarks } from "./watermarks.ts";

/** The stores a materialization reads from and writes to. */
export interface MaterializationContext {
  readonly definitions: FeatureDefinitions;
  readonly offline: OfflineStore;
  readonly online: OnlineStore;
  readonly metadata: MetadataStore;
  /** How long ttl-expired records stay stored (see buildOnlineRecords). */
  readonly expiredRetentionMs: number;
}

/** Which window to materialize: an explicit one, or from each view's watermark. */
export type MaterializationWindow =
  | { readonly kind: "range"; readonly start: Date; readonly end: Date }
  | { readonly kind: "incremental"; readonly end: Date };

/** Progress of a materialization, reported after every write batch. */
export interface MaterializationProgress {
  readonly view: string;
  /** Entities of this view written so far, and in all. */
  readonly done: number;
  readonly total: number;
}

/** What happened to one view. */
export interface ViewMaterialization {
  readonly view: string;
  /** The event-time window read, epoch ms; start null = from the earliest row. */
  readonly startMs: number | null;
  readonly endMs: number;
  /** Entities with a row in the window, and how many of them replaced a stored record. */
  readonly rowsRead: number;
  readonly rowsWritten: number;
  readonly durationMs: number;
}

/** Options of materializeViews. */
export interface MaterializeOptions {
  /** View names; default every view with `online: true`. */
  readonly views?: readonly string[];
  readonly onProgress?: (progress: MaterializationProgress) => void;
  /** Records per online-store write; default 1000. */
  readonly writeBatchSize?: number;
}

/**
 * Copies the latest row per entity within the window from the offline source into the
 * online store, view after view (Feast's materialize / materialize_incremental). The
 * window starts no earlier than `end - ttl`, since older rows are already expired at
 * `end`; incrementally it starts just after the view's watermark.
 *
 * Idempotent: writes never move an entity back in time, so running a window twice, or
 * overlapping windows, leaves the same store. A view's watermark moves only after all its
 * rows are written; a failure leaves it where it was (and throws, naming the view).
 *
 * @example
 * await materializeViews(ctx, { kind: "incremental", end: new Date() });
 */
export async function materializeViews(
  ctx: MaterializationContext,
  window: MaterializationWindow,
  options: MaterializeOptions = {},
): Promise<ViewMaterialization[]> {
  const end = checkDate(window.end, "end");
  const start = window.kind === "range" ? checkDate(window.start, "start") : undefined;
  if (start !== undefined && start > end) {
    throw invalidArgument(
      "start",
      `is after end (${new Date(start).toISOString()} > ${new Date(end).toISOString()})`,
    );
  }
  const batchSize = options.writeBatchSize ?? 1000;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw invalidArgument("writeBatchSize", "must be a positive integer");
  }
  const views = selectViews(ctx.definitions, options.views);
  const watermarks =
    window.kind === "incremental"
      ? await readWatermarks(
          ctx.metadata,
          ctx.online.location,
          views.map((v) => v.name),
        )
      : new Map();
  const results: ViewMaterialization[] = [];
  for (const view of views) {
    const began = Date.now();
    const ttlMs = view.ttlSeconds * 1000;
    let fromMs: number | null = ttlMs > 0 ? end - ttlMs : null;
    let fromMicros: number | null = fromMs === null ? null : fromMs * 1000;
    const floor = start ?? watermarks.get(view.name)?.watermarkMs;
    if (floor !== undefined && (fromMs === null || floor > fromMs)) {
      fromMs = floor;
      // Incrementally the watermark's own instant was read last time: start one µs after it.
      fromMicros = floor * 1000 + (start === undefined ? 1 : 0);
    }
    if (fromMicros !== null && fromMicros > end * 1000) {
      results.push({
        view: view.name,
        startMs: fromMs,
        endMs: end,
        rowsRead: 0,
        rowsWritten: 0,
        durationMs: 0,
      });
      continue;
    }
    let written = 0;
    let read = 0;
    const latest = await wrap(view, () =>
      ctx.offline.pullLatest(view, { startMicros: fromMicros, endMicros: end * 1000 }),
    );
    try {
      options.onProgress?.({ view: view.name, done: 0, total: latest.numRows });
      for await (const batch of latest.batches(Math.max(batchSize, 8192))) {
        const records = buildOnlineRecords(view, batch, ctx.expiredRetentionMs);
        for (let i = 0; i < records.length; i += batchSize) {
          const chunk = records.slice(i, i + batchSize);
          written += await wrap(view, () => ctx.online.write(view.name, chunk));
          read += chunk.length;
          options.onProgress?.({ view: view.name, done: read, total: latest.numRows });
        }
      }
    } finally {
      await latest.close();
    }
    await advanceWatermark(ctx.metadata, {
      view: view.name,
      onlineStore: ctx.online.location,
      startMs: fromMs,
      endMs: end,
      rowsWritten: written,
    });
    results.push({
      view: view.name,
      startMs: fromMs,
      endMs: end,
      rowsRead: read,
      rowsWritten: written,
      durationMs: Date.now() - began,
    });
  }
  await ctx.online.purgeExpired();
  return results;
}

function selectViews(
  defs: FeatureDefinitions,
  names: readonly string[] | undefined,
): FeatureView[] {
  if (names === undefined) return [...defs.featureViews.values()].filter((v) => v.online);
  if (!Array.isArray(names) || names.length === 0) {
    throw invalidArgument("views", "must list at least one feature view (or be left out for all)");
  }
  return [...new Set(names)].map((name) => {
    const view = defs.featureViews.get(name);
    if (view === undefined) {
      const known = [...defs.featureViews.keys()].map((n) => `'${n}'`).join(", ") || "none";
      throw new PlinthError(
        "FEATURES_UNKNOWN_VIEW",
        `No feature view '${name}' to materialize; defined: ${known}`,
        {
          field: String(name),
        },
      );
    }
    if (!view.online) {
      throw new PlinthError(
        "FEATURES_VIEW_NOT_ONLINE",
        `Feature view '${name}' is defined with online: false, so it is not materialized`,
        { field: name },
      );
    }
    return view;
  });
}

function checkDate(value: unknown, field: string): number {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw invalidArgument(field, "must be a valid Date");
  }
  return value.getTime();
}

/** Adds the view's name to a failure, keeping its code. */
async function wrap<T>(view: FeatureView, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof PlinthError && !e.message.includes(`'${view.name}'`)) {
      throw new PlinthError(e.code, `Materializing feature view '${view.name}': ${e.message}`, {
        ...(e.field === undefined ? {} : { field: e.field }),
        cause: e,
      });
    }
    throw e;
  }
}
