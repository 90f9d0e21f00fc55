import { sql } from "kysely";
import type { MetadataStore } from "../../metadata/metadata-store.ts";

/** What the metadata store remembers of a view's materialization into one online store. */
export interface MaterializationState {
  readonly view: string;
  readonly onlineStore: string;
  /** Event time (epoch ms) up to which the store holds the view's rows. */
  readonly watermarkMs: number;
  /** The window of the last successful run, epoch ms (start null: from the earliest row). */
  readonly lastStartMs: number | null;
  readonly lastEndMs: number;
  readonly rowsWritten: number;
  readonly updatedAt: number;
}

/**
 * The watermarks of some views in one online store, by view name.
 *
 * @example
 * const states = await readWatermarks(platform.metadata, online.location, ["driver_stats"]);
 */
export async function readWatermarks(
  metadata: MetadataStore,
  onlineStore: string,
  views: readonly string[],
): Promise<Map<string, MaterializationState>> {
  if (views.length === 0) return new Map();
  const rows = await metadata.db
    .selectFrom("feature_materializations")
    .selectAll()
    .where("online_store", "=", onlineStore)
    .where("view_name", "in", [...views])
    .execute();
  return new Map(
    rows.map((r) => [
      r.view_name,
      {
        view: r.view_name,
        onlineStore: r.online_store,
        watermarkMs: Number(r.watermark),
        lastStartMs: r.last_start === null ? null : Number(r.last_start),
        lastEndMs: Number(r.last_end),
        rowsWritten: Number(r.rows_written),
        updatedAt: Number(r.updated_at),
      },
    ]),
  );
}

/**
 * Records a successful run. The watermark only moves forward, in the statement itself,
 * so two runs finishing in either order leave the later end.
 */
export async function advanceWatermark(
  metadata: MetadataStore,
  run: {
    view: string;
    onlineStore: string;
    startMs: number | null;
    endMs: number;
    rowsWritten: number;
  },
): Promise<void> {
  await metadata.db
    .insertInto("feature_materializations")
    .values({
      view_name: run.view,
      online_store: run.onlineStore,
      watermark: run.endMs,
      last_start: run.startMs,
      last_end: run.endMs,
      rows_written: run.rowsWritten,
      updated_at: Date.now(),
    })
    .onConflict((oc) =>
      oc.columns(["view_name", "online_store"]).doUpdateSet({
        watermark: sql<number>`CASE WHEN excluded.watermark > feature_materializations.watermark THEN excluded.watermark ELSE feature_materializations.watermark END`,
        last_start: sql<number | null>`excluded.last_start`,
        last_end: sql<number>`excluded.last_end`,
        rows_written: sql<number>`excluded.rows_written`,
        updated_at: sql<number>`excluded.updated_at`,
      }),
    )
    .execute();
}
