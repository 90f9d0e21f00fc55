import { PlinthError } from "../../core/errors.ts";
import type { FeatureDefinitions } from "../definitions/feature-definitions.ts";
import type { FeatureView } from "../definitions/feature-view.ts";
import { buildOnlineRecords } from "../online/build-online-records.ts";
import type { OnlineStore } from "../online/online-store.ts";
import { appendToBatchSource } from "./append-to-batch-source.ts";
import { readPushedRows } from "./read-pushed-rows.ts";

/** What a push did. */
export interface PushResult {
  readonly pushSource: string;
  readonly rows: number;
  /** Per online view fed by the push source: records that replaced (or created) a stored one. */
  readonly written: Readonly<Record<string, number>>;
  /** The Parquet file the rows were appended to, when the push source has writeOffline. */
  readonly appendedTo: string | null;
}

/**
 * Pushes rows into every online view whose source is the push source (Feast's push).
 * Rows are checked first (readPushedRows): a bad row writes nothing anywhere. With
 * `writeOffline` the rows are appended to the batch source before the online write, so a
 * failed append leaves the online store untouched, and a retry after a failed online
 * write only repeats rows offline, which the point-in-time join resolves identically.
 * Writes never move an entity back in time, so a late, older push is a no-op online.
 *
 * @example
 * await pushRows(ctx, "live_trips", [{ driver_id: 7, trips: 3, event_ts: new Date() }]);
 */
export async function pushRows(
  ctx: {
    readonly definitions: FeatureDefinitions;
    readonly online: OnlineStore;
    readonly expiredRetentionMs: number;
  },
  pushSourceName: string,
  rows: unknown,
): Promise<PushResult> {
  const source = ctx.definitions.pushSources.get(pushSourceName);
  if (source === undefined) {
    const known = [...ctx.definitions.pushSources.keys()].map((n) => `'${n}'`).join(", ") || "none";
    throw new PlinthError(
      "FEATURES_UNKNOWN_PUSH_SOURCE",
      `No push source '${pushSourceName}'; defined: ${known}`,
      { field: String(pushSourceName) },
    );
  }
  const views: FeatureView[] = [...ctx.definitions.featureViews.values()].filter(
    (v) => v.source.kind === "pushSource" && v.source.name === source.name,
  );
  const columns = new Map(source.schema.map((f) => [f.name, f.type]));
  const keys = new Set<string>();
  for (const view of views) {
    for (const field of [...view.entities.flatMap((e) => e.joinKeys), ...view.schema]) {
      const type = columns.get(field.name);
      if (type !== field.type) {
        throw new PlinthError(
          "FEATURES_INVALID_DEFINITION",
          `Feature view '${view.name}' reads '${field.name}' (${field.type}) from push source '${source.name}', whose schema ${type === undefined ? "lacks it" : `declares it ${type}`}`,
          { field: field.name },
        );
      }
    }
    for (const e of view.entities) for (const k of e.joinKeys) keys.add(k.name);
  }
  const batch = readPushedRows(source, rows, keys);
  const appendedTo =
    source.writeOffline && batch.numRows > 0
      ? await appendToBatchSource(source, batch, ctx.definitions.baseDir)
      : null;
  const written: Record<string, number> = {};
  for (const view of views) {
    if (!view.online) continue;
    written[view.name] = await ctx.online.write(
      view.name,
      buildOnlineRecords(view, batch, ctx.expiredRetentionMs),
    );
  }
  return { pushSource: source.name, rows: batch.numRows, written, appendedTo };
}
