import type { PredictionRecord } from "../../serving/prediction-log/prediction-record.ts";

/** A delayed label as a caller sends it: for one request id, or for an entity at an event time. */
export type LabelInput =
  | {
      readonly requestId: string;
      readonly label: number;
      /** When the label was observed, epoch ms (default: ingest time). */
      readonly labelledAt?: number;
    }
  | {
      /** The entity keys, as the prediction logged them (`{ user_id: 42 }`). */
      readonly entities: Readonly<Record<string, string | number>>;
      /** The event the label is about, epoch ms: it labels the entity's latest prediction at or before it. */
      readonly at: number;
      readonly label: number;
      readonly labelledAt?: number;
    };

/** What one ingest did. */
export interface LabelIngestResult {
  readonly received: number;
  /** Labels stored for the first time. */
  readonly inserted: number;
  /** Labels that replaced a stored label with the same request id (or entity and time). */
  readonly replaced: number;
  readonly byRequestId: number;
  readonly byEntity: number;
  /**
   * When ingest was given the predictions to match against (a log window): labels of this
   * batch that line up with none of them — stored all the same — and up to 10 of their keys.
   */
  readonly unmatched?: number;
  readonly unmatchedSample?: readonly string[];
}

/** Labels lined up with a window of predictions. */
export interface JoinedWindowLabels {
  /** One label per record; NaN where none has arrived. */
  readonly label: Float64Array;
  readonly matched: number;
  /** Stored labels for this window (entity labels with event time in it) that found no prediction. */
  readonly unmatched: number;
  readonly unmatchedSample: readonly string[];
}

/** Label coverage of a deployment's predictions over a window. */
export interface LabelCoverage {
  readonly deployment: string;
  readonly from: number;
  readonly to: number;
  readonly predictions: number;
  readonly labelled: number;
  /** labelled / predictions; null for a window with no predictions. */
  readonly coverage: number | null;
  readonly byVariant: Readonly<Record<string, { predictions: number; labelled: number }>>;
  /**
   * Labels that match no prediction: entity labels whose event time is in the window and
   * request-id labels received in the window, that line up with no prediction in it.
   */
  readonly unmatched: number;
  readonly unmatchedSample: readonly string[];
}

/**
 * Delayed labels in the metadata store, idempotent per (deployment, request id) or per
 * (deployment, entity, event time). A label for a request id no prediction has is stored
 * (its prediction may be in another window, or not yet flushed) and shows as unmatched.
 */
export interface LabelStore {
  /**
   * Validates every row first (MONITORING_INVALID_LABEL naming `labels[i].field`; nothing is
   * stored then), then upserts them in one transaction. With `matchAgainst` (a log window's
   * records) it also reports the batch's labels that line up with none of them.
   */
  ingest(
    deployment: string,
    labels: readonly unknown[],
    options?: { now?: number; matchAgainst?: readonly PredictionRecord[] },
  ): Promise<LabelIngestResult>;
  /** Labels for these records: by request id, then by entity and time for rows still unlabelled. */
  join(
    deployment: string,
    records: readonly PredictionRecord[],
    window?: { from: number; to: number },
  ): Promise<JoinedWindowLabels>;
  /** Coverage of the window's predictions (read by the caller from the prediction log). */
  coverage(
    deployment: string,
    window: { from: number; to: number },
    records: readonly PredictionRecord[],
  ): Promise<LabelCoverage>;
  /** How many labels are stored for the deployment. */
  count(deployment: string): Promise<number>;
}
