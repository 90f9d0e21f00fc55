import type { ArtifactStore } from "../../artifacts/artifact-store.ts";
import { invalidArgument } from "../../core/errors.ts";
import type { PredictionLogReader, PredictionQuery } from "./prediction-log-reader.ts";
import type { PredictionRecord } from "./prediction-record.ts";
import { decodeRecord, invalidSegment } from "./record-codec.ts";
import {
  checkDeploymentName,
  PREDICTIONS_PREFIX,
  parseSegmentName,
  type SegmentName,
  segmentIdentity,
  utcMidnight,
} from "./segment-key.ts";

const DAY_MS = 86_400_000;
const DAY_DIRECTORY = /^\d{4}-\d{2}-\d{2}$/;

/** One stored segment a query touches. */
export interface SegmentInfo extends SegmentName {
  readonly key: string;
  readonly size: number;
}

/** The prediction log reader, plus the segment listing it prunes by. */
export interface PredictionLogSegmentReader extends PredictionLogReader {
  /** The segments (or, for a segment still open, its parts) whose time range overlaps the query, by start time. */
  segments(query: PredictionQuery): Promise<SegmentInfo[]>;
}

/**
 * Reads prediction logs written by `createPredictionLog`. Segments are pruned by the day
 * directory and the `[start, end)` range in their names, without opening them; each segment
 * is parsed in one `JSON.parse` of the whole file; records are then filtered to the query and
 * sorted by `at` (a stable sort, so records with one time keep their logged order).
 *
 * @example
 * const reader = createPredictionLogReader(artifacts);
 * const today = await reader.read({ deployment: "fraud", from: Date.parse("2026-12-06") });
 */
export function createPredictionLogReader(artifacts: ArtifactStore): PredictionLogSegmentReader {
  async function segments(query: PredictionQuery): Promise<SegmentInfo[]> {
    const { deployment, from, to } = checkQuery(query);
    const root = `${PREDICTIONS_PREFIX}/${deployment}`;
    const found: SegmentInfo[] = [];
    for (const day of await artifacts.list(root)) {
      if (!day.isDir || !DAY_DIRECTORY.test(day.path)) continue;
      const dayStart = Date.parse(`${day.path}T00:00:00Z`);
      // Segments never cross midnight, so a day outside the range holds nothing for it.
      if (!(dayStart < to && dayStart + DAY_MS > from)) continue;
      for (const file of await artifacts.list(`${root}/${day.path}`)) {
        const name = file.isDir ? undefined : parseSegmentName(file.path);
        if (name === undefined || utcMidnight(name.start) !== dayStart) continue;
        if (name.start < to && name.end > from) {
          found.push({ ...name, key: `${root}/${day.path}/${file.path}`, size: file.size ?? 0 });
        }
      }
    }
    // A segment replaces its parts; a part left beside it (a crash mid-close) is skipped.
    const whole = new Set(found.filter((s) => s.part === undefined).map(segmentIdentity));
    return found
      .filter((s) => s.part === undefined || !whole.has(segmentIdentity(s)))
      .sort((a, b) => a.start - b.start || a.seq - b.seq || (a.part ?? -1) - (b.part ?? -1));
  }

  return {
    segments,
    async read(query) {
      const { from, to, variants } = checkQuery(query);
      const wanted = variants === undefined ? undefined : new Set(variants);
      const out: PredictionRecord[] = [];
      for (const segment of await segments(query)) {
        for (const record of await readSegment(artifacts, segment.key)) {
          if (record.at < from || record.at >= to) continue;
          if (wanted !== undefined && !wanted.has(record.variant)) continue;
          out.push(record);
        }
      }
      return out.sort((a, b) => a.at - b.at);
    },
  };
}

/** Every record of one segment, in logged order. */
export async function readSegment(
  artifacts: ArtifactStore,
  key: string,
): Promise<PredictionRecord[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of await artifacts.get(key)) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text === "") return [];
  if (!text.endsWith("\n")) {
    const line = text.split("\n").length;
    throw invalidSegment(`${key} line ${line}`, "is cut short (no final newline)");
  }
  let values: unknown[];
  try {
    // JSON strings never hold a raw newline, so the lines join into one array: one parse.
    values = JSON.parse(`[${text.slice(0, -1).replaceAll("\n", ",")}]`) as unknown[];
  } catch {
    const lines = text.slice(0, -1).split("\n");
    const bad = lines.findIndex((line) => !parses(line));
    throw invalidSegment(`${key} line ${bad + 1}`, "is not a JSON record");
  }
  return values.map((value, i) => decodeRecord(value, `${key} line ${i + 1}`));
}

function parses(line: string): boolean {
  try {
    const v = JSON.parse(line) as unknown;
    return typeof v === "object" && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

function checkQuery(query: PredictionQuery): {
  deployment: string;
  from: number;
  to: number;
  variants: readonly string[] | undefined;
} {
  if (typeof query !== "object" || query === null)
    throw invalidArgument("query", "must be an object");
  const deployment = checkDeploymentName(query.deployment);
  const from = query.from ?? Number.NEGATIVE_INFINITY;
  const to = query.to ?? Number.POSITIVE_INFINITY;
  if (typeof from !== "number" || Number.isNaN(from))
    throw invalidArgument("from", "must be epoch milliseconds");
  if (typeof to !== "number" || Number.isNaN(to))
    throw invalidArgument("to", "must be epoch milliseconds");
  if (to < from) throw invalidArgument("to", "must not be before 'from'");
  const variants = query.variants;
  if (
    variants !== undefined &&
    (!Array.isArray(variants) || variants.some((v) => typeof v !== "string"))
  ) {
    throw invalidArgument("variants", "must be a list of variant names");
  }
  return { deployment, from, to, variants };
}
