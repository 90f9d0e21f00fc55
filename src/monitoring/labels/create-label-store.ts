import { invalidArgument } from "../../core/errors.ts";
import type { MetadataStore } from "../../metadata/metadata-store.ts";
import type { PredictionRecord } from "../../serving/prediction-log/prediction-record.ts";
import { checkDeploymentName } from "../../serving/prediction-log/segment-key.ts";
import { joinLabelsByEntity, joinLabelsById } from "../performance/join-labels.ts";
import { entityKey } from "../prediction-window/prediction-table.ts";
import type {
  JoinedWindowLabels,
  LabelCoverage,
  LabelIngestResult,
  LabelStore,
} from "./label-store.ts";
import { type ParsedLabel, parseLabels } from "./parse-labels.ts";

/** Keys per `IN (...)` query and rows per insert: far under SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 500;

/**
 * Delayed labels in the metadata store (table `prediction_labels`, migration 008), on SQLite
 * and PostgreSQL alike.
 *
 * @example
 * const labels = createLabelStore(platform.metadata);
 * await labels.ingest("fraud", [{ requestId: "r1", label: 1 }, { entities: { user_id: 7 }, at, label: 0 }]);
 */
export function createLabelStore(metadata: MetadataStore): LabelStore {
  const { db } = metadata;

  async function idLabels(deployment: string, ids: readonly string[]) {
    const out: { request_id: string | null; label: number }[] = [];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      out.push(
        ...(await db
          .selectFrom("prediction_labels")
          .select(["request_id", "label"])
          .where("deployment", "=", deployment)
          .where("request_id", "in", chunk)
          .execute()),
      );
    }
    return out;
  }

  async function join(
    deployment: string,
    records: readonly PredictionRecord[],
    window?: { from: number; to: number },
  ): Promise<JoinedWindowLabels> {
    checkDeploymentName(deployment);
    const ids = records.map((r) => r.requestId);
    const byId = await idLabels(deployment, [...new Set(ids)]);
    const fromId = joinLabelsById(
      ids,
      byId.map((l) => l.request_id!),
      Float64Array.from(byId, (l) => l.label),
    );
    const span = window ?? timeSpan(records);
    const entityRows =
      span === undefined
        ? []
        : await db
            .selectFrom("prediction_labels")
            .select(["entity_key", "event_time", "label"])
            .where("deployment", "=", deployment)
            .where("entity_key", "is not", null)
            .where("event_time", ">=", span.from)
            .where("event_time", "<", span.to)
            .orderBy("ingested_at")
            .execute();
    const fromEntity = joinLabelsByEntity(
      {
        entity: records.map((r) => entityKey(r.entities)),
        time: Float64Array.from(records, (r) => r.at),
      },
      {
        entity: entityRows.map((l) => l.entity_key!),
        time: Float64Array.from(entityRows, (l) => l.event_time!),
        value: Float64Array.from(entityRows, (l) => l.label),
      },
    );
    // A request-id label names its prediction exactly, so it wins over an entity label.
    const label = fromId.label;
    let matched = 0;
    for (let i = 0; i < label.length; i++) {
      if (Number.isNaN(label[i]!)) label[i] = fromEntity.label[i]!;
      if (!Number.isNaN(label[i]!)) matched++;
    }
    return {
      label,
      matched,
      unmatched: fromEntity.unmatched,
      unmatchedSample: fromEntity.unmatchedSample,
    };
  }

  return {
    async ingest(deployment, labels, options = {}): Promise<LabelIngestResult> {
      checkDeploymentName(deployment);
      const now = options.now ?? Date.now();
      const parsed = parseLabels(labels, now);
      // The last of two labels for one prediction in a batch wins, as a re-sent one would.
      const unique = new Map<string, ParsedLabel>();
      for (const label of parsed) unique.set(label.labelKey, label);
      const rows = [...unique.values()];
      let existing = 0;
      await metadata.transaction(async (trx) => {
        for (let i = 0; i < rows.length; i += CHUNK) {
          const chunk = rows.slice(i, i + CHUNK);
          const found = await trx
            .selectFrom("prediction_labels")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("deployment", "=", deployment)
            .where(
              "label_key",
              "in",
              chunk.map((r) => r.labelKey),
            )
            .executeTakeFirstOrThrow();
          existing += Number(found.n);
          const values = chunk.map((r) => ({
            deployment,
            label_key: r.labelKey,
            request_id: r.requestId,
            entity_key: r.entityKey,
            event_time: r.eventTime,
            label: r.label,
            labelled_at: r.labelledAt,
            ingested_at: now,
          }));
          await trx
            .insertInto("prediction_labels")
            .values(values)
            .onConflict((oc) =>
              oc.columns(["deployment", "label_key"]).doUpdateSet((eb) => ({
                label: eb.ref("excluded.label"),
                labelled_at: eb.ref("excluded.labelled_at"),
                ingested_at: eb.ref("excluded.ingested_at"),
              })),
            )
            .execute();
        }
      });
      const byRequestId = parsed.filter((l) => l.requestId !== null).length;
      const result = {
        received: parsed.length,
        inserted: rows.length - existing,
        replaced: existing + (parsed.length - rows.length),
        byRequestId,
        byEntity: parsed.length - byRequestId,
      };
      return options.matchAgainst === undefined
        ? result
        : { ...result, ...unmatchedIn(rows, options.matchAgainst) };
    },

    join,

    async coverage(deployment, window, records): Promise<LabelCoverage> {
      checkDeploymentName(deployment);
      if (!(window.to >= window.from)) throw invalidArgument("to", "must not be before 'from'");
      const joined = await join(deployment, records, window);
      const byVariant: Record<string, { predictions: number; labelled: number }> = {};
      records.forEach((r, i) => {
        const v = byVariant[r.variant] ?? { predictions: 0, labelled: 0 };
        byVariant[r.variant] = v;
        v.predictions++;
        if (!Number.isNaN(joined.label[i]!)) v.labelled++;
      });
      // Request-id labels received in the window for no prediction of the window.
      const ids = new Set(records.map((r) => r.requestId));
      const received = await db
        .selectFrom("prediction_labels")
        .select("request_id")
        .where("deployment", "=", deployment)
        .where("request_id", "is not", null)
        .where("labelled_at", ">=", window.from)
        .where("labelled_at", "<", window.to)
        .execute();
      const strays = received.map((l) => l.request_id!).filter((id) => !ids.has(id));
      return {
        deployment,
        from: window.from,
        to: window.to,
        predictions: records.length,
        labelled: joined.matched,
        coverage: records.length === 0 ? null : joined.matched / records.length,
        byVariant,
        unmatched: joined.unmatched + strays.length,
        unmatchedSample: [...joined.unmatchedSample, ...strays].slice(0, 10),
      };
    },

    async count(deployment) {
      checkDeploymentName(deployment);
      const row = await db
        .selectFrom("prediction_labels")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("deployment", "=", deployment)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

function timeSpan(records: readonly PredictionRecord[]): { from: number; to: number } | undefined {
  if (records.length === 0) return undefined;
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const r of records) {
    if (r.at < from) from = r.at;
    if (r.at > to) to = r.at;
  }
  return { from, to: to + 1 };
}

/** The labels of a batch that line up with none of `records`. */
function unmatchedIn(
  labels: readonly ParsedLabel[],
  records: readonly PredictionRecord[],
): { unmatched: number; unmatchedSample: string[] } {
  const ids = new Set(records.map((r) => r.requestId));
  const sample: string[] = [];
  let unmatched = 0;
  const byEntity = labels.filter((l) => l.entityKey !== null);
  for (const l of labels) {
    if (l.requestId !== null && !ids.has(l.requestId)) {
      unmatched++;
      if (sample.length < 10) sample.push(l.requestId);
    }
  }
  if (byEntity.length > 0) {
    const joined = joinLabelsByEntity(
      {
        entity: records.map((r) => entityKey(r.entities)),
        time: Float64Array.from(records, (r) => r.at),
      },
      {
        entity: byEntity.map((l) => l.entityKey!),
        time: Float64Array.from(byEntity, (l) => l.eventTime!),
        value: Float64Array.from(byEntity, (l) => l.label),
      },
    );
    unmatched += joined.unmatched;
    sample.push(...joined.unmatchedSample.slice(0, 10 - sample.length));
  }
  return { unmatched, unmatchedSample: sample };
}
