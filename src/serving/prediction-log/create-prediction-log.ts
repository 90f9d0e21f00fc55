import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { ArtifactStore } from "../../artifacts/artifact-store.ts";
import { invalidArgument } from "../../core/errors.ts";
import type { PredictionLog, PredictionLogStats } from "./prediction-log.ts";
import type { PredictionRecord } from "./prediction-record.ts";
import { encodeRecord } from "./record-codec.ts";
import {
  checkDeploymentName,
  nextUtcMidnight,
  type SegmentName,
  segmentKey,
} from "./segment-key.ts";

/** Settings of {@link createPredictionLog}; the defaults live in `predictionLog` of config.json. */
export interface PredictionLogOptions {
  readonly artifacts: ArtifactStore;
  /** Write every record under this deployment; by default each record's own `deployment`. */
  readonly deployment?: string;
  /** Records accepted and not yet taken by the writer; `append` drops beyond it. */
  readonly maxQueue: number;
  /** A segment is closed (and a new one opened) at this many rows. */
  readonly segmentMaxRows: number;
  /** ...or when it is this old, by wall clock or by its records' `at` (max 1 day). */
  readonly segmentMaxAgeMs: number;
  /** How often the writer makes the queue durable: the most a crash can lose. */
  readonly flushIntervalMs: number;
  /** Called when a write fails (the writer retries at the next tick); default: ignore. */
  readonly onError?: (error: unknown) => void;
}

/** Records are sorted and serialised in slices of this many, yielding between, so a large batch never stalls requests. */
const ENCODE_SLICE = 1000;
const DAY_MS = 86_400_000;

/** The segment a deployment is filling. */
interface OpenSegment {
  readonly key: string;
  readonly deployment: string;
  readonly name: SegmentName;
  readonly start: number;
  readonly end: number;
  readonly openedAt: number;
  /** Serialised lines, one Buffer per batch, so a rewrite never re-encodes. */
  readonly chunks: Buffer[];
  rows: number;
  /** Rows already stored (in parts, while the segment is open). */
  durableRows: number;
  /** Chunks already stored in parts. */
  durableChunks: number;
  /** The parts written while it was open; the closed segment replaces them. */
  readonly parts: string[];
  closed: boolean;
}

/**
 * A prediction log writing NDJSON segments to the artifact store. `append` only pushes onto
 * a bounded array; a timer every `flushIntervalMs` (never the caller's stack) sorts the batch
 * by `at`, serialises it in slices, and rewrites each touched segment whole through the
 * store's temporary-name-then-rename put — so a stored segment is always complete, and a
 * crash loses only what was appended since the last flush.
 *
 * @example
 * const log = createPredictionLog({ artifacts, maxQueue: 100_000, segmentMaxRows: 100_000,
 *   segmentMaxAgeMs: 300_000, flushIntervalMs: 1000 });
 * log.append(record); // false when the queue is full
 * await log.close();
 */
export function createPredictionLog(options: PredictionLogOptions): PredictionLog {
  const settings = checkOptions(options);
  const { artifacts, maxQueue, segmentMaxRows, segmentMaxAgeMs, flushIntervalMs } = settings;
  const writerId = randomBytes(4).toString("hex");
  let seq = 0;
  let pending: PredictionRecord[] = [];
  /** Records taken off `pending` and not yet serialised into a segment. */
  let inFlight = 0;
  let written = 0;
  let dropped = 0;
  let rejected = 0;
  let segments = 0;
  let closing = false;
  const open = new Map<string, OpenSegment>();
  /** Closed segments whose final copy is not stored yet (a failed write is retried). */
  const unwritten = new Set<OpenSegment>();
  let chain: Promise<void> = Promise.resolve();
  let scheduled: Promise<void> | undefined;

  const timer = setInterval(() => {
    schedule().catch((error: unknown) => settings.onError?.(error));
  }, flushIntervalMs);
  // The log must not keep a process alive; `close` is how its tail is made durable.
  timer.unref();

  /** Queues a drain after the current one; callers arriving meanwhile share it. */
  function schedule(): Promise<void> {
    if (scheduled !== undefined) return scheduled;
    const next = chain.then(async () => {
      scheduled = undefined;
      await drain();
    });
    scheduled = next;
    chain = next.catch(() => undefined);
    return next;
  }

  async function drain(): Promise<void> {
    // Failed writes first: until they succeed no new batch is taken, so a dead store fills
    // the bounded queue (and drops) instead of growing segments in memory.
    await writeDirty();
    closeAged();
    const batch = pending;
    pending = [];
    inFlight = batch.length;
    const touched = new Set<OpenSegment>();
    try {
      for (let from = 0; from < batch.length; from += ENCODE_SLICE) {
        if (from > 0) await yieldToEventLoop();
        // Sorting by time keeps slightly out-of-order requests (a slow one logged late) in one
        // segment; a slice at a time, so a large batch never stalls the event loop.
        const slice = batch.slice(from, from + ENCODE_SLICE).sort(byTime);
        encodeSlice(slice, touched);
        inFlight -= slice.length;
      }
    } finally {
      inFlight = 0;
    }
    closeAged();
    for (const segment of touched) if (!segment.closed) unwritten.add(segment);
    await writeDirty();
  }

  /** Closes the segments open longer than `segmentMaxAgeMs` by wall clock. */
  function closeAged(): void {
    const now = Date.now();
    for (const [deployment, segment] of open) {
      if (now - segment.openedAt >= segmentMaxAgeMs) closeSegment(deployment, segment);
    }
  }

  /** Serialises records into their deployments' open segments, rotating as needed. */
  function encodeSlice(slice: readonly PredictionRecord[], touched: Set<OpenSegment>): void {
    let lines: string[] = [];
    let current: OpenSegment | undefined;
    const flushLines = () => {
      if (current !== undefined && lines.length > 0) {
        current.chunks.push(Buffer.from(`${lines.join("\n")}\n`));
        current.rows += lines.length;
        touched.add(current);
      }
      lines = [];
    };
    for (const record of slice) {
      let line: string;
      let deployment: string;
      try {
        deployment = settings.deployment ?? checkDeploymentName(record.deployment);
        if (typeof record.at !== "number" || !Number.isFinite(record.at)) {
          throw invalidArgument("at", "must be a finite epoch-ms time");
        }
        line = encodeRecord(record);
      } catch {
        rejected++;
        continue;
      }
      let segment = open.get(deployment);
      if (
        segment !== undefined &&
        (segment.rows + (segment === current ? lines.length : 0) >= segmentMaxRows ||
          record.at < segment.start ||
          record.at >= segment.end)
      ) {
        if (segment === current) flushLines();
        closeSegment(deployment, segment);
        segment = undefined;
      }
      if (segment === undefined) {
        const start = Math.floor(record.at);
        const end = Math.min(start + segmentMaxAgeMs, nextUtcMidnight(start));
        const name = { start, end, writer: writerId, seq: seq++ };
        segment = {
          key: segmentKey(deployment, name),
          deployment,
          name,
          start,
          end,
          openedAt: Date.now(),
          chunks: [],
          rows: 0,
          durableRows: 0,
          durableChunks: 0,
          parts: [],
          closed: false,
        };
        open.set(deployment, segment);
      }
      if (segment !== current) {
        flushLines();
        current = segment;
      }
      lines.push(line);
    }
    flushLines();
  }

  function closeSegment(deployment: string, segment: OpenSegment): void {
    if (open.get(deployment) === segment) open.delete(deployment);
    if (segment.closed) return;
    segment.closed = true;
    unwritten.add(segment);
  }

  /**
   * Stores what is not durable yet, oldest first; stops at the first failure (retried at the
   * next tick). An open segment's new rows go to a new part (so a flush writes only what is
   * new); a closed segment is written whole under its own name — or its one part renamed to
   * it — and its parts deleted. A reader ignores the parts of a segment that exists, so a
   * crash between the two steps duplicates nothing.
   */
  async function writeDirty(): Promise<void> {
    for (const segment of unwritten) {
      if (!segment.closed) {
        if (segment.rows > segment.durableRows) {
          const key = segmentKey(segment.deployment, {
            ...segment.name,
            part: segment.parts.length,
          });
          const fresh = segment.chunks.slice(segment.durableChunks);
          await artifacts.put(key, Readable.from(fresh, { objectMode: false }));
          segment.parts.push(key);
          markDurable(segment);
        }
      } else {
        if (segment.parts.length === 1 && segment.rows === segment.durableRows) {
          await artifacts.move(segment.parts[0]!, segment.key);
        } else {
          await artifacts.put(segment.key, Readable.from(segment.chunks, { objectMode: false }));
          for (const part of segment.parts) {
            // A part left behind is ignored by readers beside its segment: not worth failing for.
            await artifacts.delete(part).catch(() => undefined);
          }
        }
        markDurable(segment);
        segment.parts.length = 0;
        segments++;
        // A closed segment's bytes are durable: let them go.
        segment.chunks.length = 0;
      }
      unwritten.delete(segment);
    }
  }

  function markDurable(segment: OpenSegment): void {
    written += segment.rows - segment.durableRows;
    segment.durableRows = segment.rows;
    segment.durableChunks = segment.chunks.length;
  }

  return {
    append(record) {
      if (closing || pending.length + inFlight >= maxQueue) {
        dropped++;
        return false;
      }
      pending.push(record);
      return true;
    },
    flush() {
      return schedule();
    },
    stats(): PredictionLogStats {
      return {
        queued: pending.length + inFlight + unwrittenRows(),
        written,
        dropped,
        rejected,
        segments,
      };
    },
    async close() {
      closing = true;
      clearInterval(timer);
      await schedule();
      for (const [deployment, segment] of [...open]) closeSegment(deployment, segment);
      await writeDirty();
    },
  };

  function unwrittenRows(): number {
    let rows = 0;
    for (const segment of open.values()) rows += segment.rows - segment.durableRows;
    for (const segment of unwritten) {
      if (segment.closed) rows += segment.rows - segment.durableRows;
    }
    return rows;
  }
}

function byTime(a: PredictionRecord, b: PredictionRecord): number {
  return a.at - b.at;
}

function checkOptions(options: PredictionLogOptions): PredictionLogOptions {
  const positive = (field: keyof PredictionLogOptions, max: number) => {
    const v = options[field];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > max) {
      throw invalidArgument(field, `must be an integer from 1 to ${max}`);
    }
  };
  positive("maxQueue", 100_000_000);
  positive("segmentMaxRows", 100_000_000);
  positive("segmentMaxAgeMs", DAY_MS);
  positive("flushIntervalMs", 3_600_000);
  if (options.deployment !== undefined) checkDeploymentName(options.deployment);
  if (typeof options.artifacts?.put !== "function") {
    throw invalidArgument("artifacts", "must be an artifact store");
  }
  return Object.freeze({ ...options });
}
