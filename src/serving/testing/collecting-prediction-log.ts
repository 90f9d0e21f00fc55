import type { PredictionLog, PredictionLogStats } from "../prediction-log/prediction-log.ts";
import type { PredictionRecord } from "../prediction-log/prediction-record.ts";

/**
 * A PredictionLog that keeps records in memory, bounded like the real one (a full queue drops
 * and counts), for tests that check what serving appends. The durable writer has its own tests.
 */
export interface CollectingPredictionLog extends PredictionLog {
  readonly records: PredictionRecord[];
}

export function createCollectingPredictionLog(capacity = 1_000_000): CollectingPredictionLog {
  const records: PredictionRecord[] = [];
  let dropped = 0;
  return {
    records,
    append(record) {
      if (records.length >= capacity) {
        dropped++;
        return false;
      }
      records.push(record);
      return true;
    },
    async flush() {},
    stats(): PredictionLogStats {
      return { queued: 0, written: records.length, dropped, segments: 0 };
    },
    async close() {},
  };
}
