import { isPlinthError, PlinthError } from "../../core/errors.ts";
import type { PredictionRecord } from "../../serving/prediction-log/prediction-record.ts";
import type { LabelIngestResult, LabelStore } from "./label-store.ts";
import { MAX_LABELS_PER_BATCH, parseLabels } from "./parse-labels.ts";
import { type LabelFileColumns, readLabelFile } from "./read-label-file.ts";

/**
 * Ingests a label file: every row is checked before anything is stored (a bad row stores
 * nothing and names its row), then the rows go in batches of 100,000, each one transaction.
 * Ingest is idempotent, so a run cut short is finished by running it again.
 */
export async function ingestLabelFile(
  store: LabelStore,
  deployment: string,
  path: string,
  options: LabelFileColumns & {
    onProgress?: (done: number, total: number) => void;
    now?: number;
    /** A log window's records: the result then counts the file's labels that match none. */
    matchAgainst?: readonly PredictionRecord[];
  } = {},
): Promise<LabelIngestResult> {
  const rows = await readLabelFile(path, options);
  const now = options.now ?? Date.now();
  for (let i = 0; i < rows.length; i += MAX_LABELS_PER_BATCH) {
    try {
      parseLabels(rows.slice(i, i + MAX_LABELS_PER_BATCH), now);
    } catch (error) {
      throw renumber(error, i);
    }
  }
  const total = { received: 0, inserted: 0, replaced: 0, byRequestId: 0, byEntity: 0 };
  let unmatched = 0;
  const unmatchedSample: string[] = [];
  const match = options.matchAgainst === undefined ? {} : { matchAgainst: options.matchAgainst };
  for (let i = 0; i < rows.length; i += MAX_LABELS_PER_BATCH) {
    const part = await store.ingest(deployment, rows.slice(i, i + MAX_LABELS_PER_BATCH), {
      now,
      ...match,
    });
    for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += part[key];
    unmatched += part.unmatched ?? 0;
    unmatchedSample.push(...(part.unmatchedSample ?? []).slice(0, 10 - unmatchedSample.length));
    options.onProgress?.(Math.min(rows.length, i + MAX_LABELS_PER_BATCH), rows.length);
  }
  return options.matchAgainst === undefined ? total : { ...total, unmatched, unmatchedSample };
}

/** A batch's `labels[i]` as the file's row number. */
function renumber(error: unknown, offset: number): unknown {
  if (offset === 0 || !isPlinthError(error)) return error;
  const shift = (text: string) =>
    text.replace(/labels\[(\d+)\]/, (_, n: string) => `labels[${Number(n) + offset}]`);
  return new PlinthError(error.code, shift(error.message), {
    ...(error.field === undefined ? {} : { field: shift(error.field) }),
  });
}
