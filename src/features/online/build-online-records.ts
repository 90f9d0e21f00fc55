import type { FeatureView } from "../definitions/feature-view.ts";
import type { ViewRowBatch } from "../offline/latest-rows.ts";
import { encodeEntityKey } from "./entity-key.ts";
import type { FeatureValue } from "./feature-value.ts";
import type { OnlineRecord, OnlineValue } from "./online-store.ts";
import { encodeOnlineValue } from "./online-value-codec.ts";

/** How long a record stays stored after its ttl ran out, by default: a day. */
export const DEFAULT_EXPIRED_RETENTION_MS = 86_400_000;

/**
 * Turns rows of a view into online records: the entity key from the join keys in the
 * view's order, every feature encoded. A ttl'd record expires `retentionMs` after its ttl
 * runs out (by the wall clock): until then a read reports OUTSIDE_MAX_AGE, afterwards the
 * store may drop it; `Infinity` keeps records until overwritten.
 * Rows with a null join key are skipped, as the offline join never matches them.
 *
 * @example
 * const records = buildOnlineRecords(driverStats, batch);
 */
export function buildOnlineRecords(
  view: FeatureView,
  batch: ViewRowBatch,
  retentionMs = DEFAULT_EXPIRED_RETENTION_MS,
): OnlineRecord[] {
  const keys = view.entities.flatMap((e) => e.joinKeys);
  const keyTypes = keys.map((k) => k.type);
  const keyColumns = keys.map((k) => batch.columns[k.name] as ArrayLike<FeatureValue | null>);
  const features = view.schema.map((f) => ({
    name: f.name,
    type: f.type,
    column: batch.columns[f.name] as ArrayLike<FeatureValue | null>,
  }));
  const ttlMs = Number.isFinite(retentionMs) ? view.ttlSeconds * 1000 : 0;
  const records: OnlineRecord[] = [];
  const keyValues: (FeatureValue | null)[] = new Array(keys.length);
  rows: for (let r = 0; r < batch.numRows; r++) {
    for (let k = 0; k < keys.length; k++) {
      const v = keyColumns[k]![r] ?? null;
      if (v === null) continue rows;
      keyValues[k] = v;
    }
    const values: Record<string, OnlineValue> = {};
    for (const f of features) values[f.name] = encodeOnlineValue(f.type, f.column[r] ?? null);
    const eventMicros = batch.eventMicros[r]!;
    records.push({
      entityKey: encodeEntityKey(keyTypes, keyValues),
      eventMicros,
      createdMicros: batch.createdMicros[r]!,
      values,
      expiresAtMs: ttlMs > 0 ? Math.floor(eventMicros / 1000) + ttlMs + retentionMs : null,
    });
  }
  return records;
}
