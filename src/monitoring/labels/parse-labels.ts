import { PlinthError } from "../../core/errors.ts";
import { entityKey } from "../prediction-window/prediction-table.ts";

/** A checked label, ready to store. */
export interface ParsedLabel {
  readonly labelKey: string;
  readonly requestId: string | null;
  readonly entityKey: string | null;
  readonly eventTime: number | null;
  readonly label: number;
  readonly labelledAt: number;
}

/** The most labels one ingest takes; a larger file is ingested in batches of this size. */
export const MAX_LABELS_PER_BATCH = 100_000;
const MAX_ID_LENGTH = 512;
const MAX_ENTITY_KEYS = 32;

/**
 * Checks raw label rows (from JSON, NDJSON or a table file) and turns them into rows to store.
 * Each row needs a finite `label` and either `requestId` (or `request_id`) or `entities` with
 * an event time `at`; NaN, ±Infinity, empty ids and unknown fields are refused naming the row.
 *
 * @throws PlinthError `MONITORING_INVALID_LABEL` with `field` such as `labels[3].label`.
 */
export function parseLabels(rows: readonly unknown[], now: number): ParsedLabel[] {
  if (!Array.isArray(rows)) throw bad("labels", "must be an array of labels");
  if (rows.length > MAX_LABELS_PER_BATCH) {
    throw bad("labels", `has ${rows.length} labels; send at most ${MAX_LABELS_PER_BATCH} at once`);
  }
  return rows.map((row, i) => parseLabel(row, i, now));
}

function parseLabel(row: unknown, i: number, now: number): ParsedLabel {
  const at = `labels[${i}]`;
  if (typeof row !== "object" || row === null || Array.isArray(row))
    throw bad(at, "must be an object");
  const r = row as Record<string, unknown>;
  for (const key of Object.keys(r)) {
    if (!["requestId", "request_id", "label", "labelledAt", "entities", "at"].includes(key)) {
      throw bad(
        `${at}.${key}`,
        "is not a label field (requestId, entities, at, label, labelledAt)",
      );
    }
  }
  const label = r.label;
  if (typeof label !== "number") throw bad(`${at}.label`, "must be a number");
  if (!Number.isFinite(label)) throw bad(`${at}.label`, `must be finite, got ${label}`);
  const labelledAt = r.labelledAt ?? now;
  if (typeof labelledAt !== "number" || !Number.isSafeInteger(labelledAt) || labelledAt < 0) {
    throw bad(`${at}.labelledAt`, "must be epoch milliseconds");
  }
  const requestId = r.requestId ?? r.request_id;
  if (requestId !== undefined) {
    if (r.entities !== undefined)
      throw bad(`${at}.entities`, "give either a request id or entities, not both");
    if (typeof requestId !== "string" || requestId === "" || requestId.length > MAX_ID_LENGTH) {
      throw bad(
        `${at}.requestId`,
        `must be a non-empty string of at most ${MAX_ID_LENGTH} characters`,
      );
    }
    return {
      labelKey: `id:${requestId}`,
      requestId,
      entityKey: null,
      eventTime: null,
      label,
      labelledAt,
    };
  }
  const entities = r.entities;
  if (entities === undefined)
    throw bad(`${at}.requestId`, "a label needs a requestId, or entities and at");
  if (typeof entities !== "object" || entities === null || Array.isArray(entities)) {
    throw bad(`${at}.entities`, "must be an object of entity keys");
  }
  const keys = Object.entries(entities as Record<string, unknown>);
  if (keys.length === 0 || keys.length > MAX_ENTITY_KEYS) {
    throw bad(`${at}.entities`, `must have 1 to ${MAX_ENTITY_KEYS} keys`);
  }
  for (const [k, v] of keys) {
    const ok =
      (typeof v === "string" && v.length <= MAX_ID_LENGTH) ||
      (typeof v === "number" && Number.isFinite(v));
    if (!ok) throw bad(`${at}.entities.${k}`, "must be a string or a finite number");
  }
  const eventTime = r.at;
  if (typeof eventTime !== "number" || !Number.isSafeInteger(eventTime)) {
    throw bad(`${at}.at`, "must be the event time in epoch milliseconds");
  }
  const key = entityKey(entities as Record<string, string | number>);
  return {
    labelKey: `entity:${key}@${eventTime}`,
    requestId: null,
    entityKey: key,
    eventTime,
    label,
    labelledAt,
  };
}

function bad(field: string, problem: string): PlinthError {
  return new PlinthError("MONITORING_INVALID_LABEL", `Invalid label: '${field}' ${problem}`, {
    field,
  });
}
