import { invalidArgument } from "../../core/errors.ts";

/** Where every deployment's prediction log lives in the artifact store. */
export const PREDICTIONS_PREFIX = "predictions";
/** A segment file's extension: one JSON record per line. */
export const SEGMENT_EXTENSION = ".ndjson";

const DAY_MS = 86_400_000;
/** A deployment name is one artifact-key segment, and nothing that needs escaping. */
const DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const SEGMENT_NAME =
  /^(\d{1,16})-(\d{1,16})-([0-9a-f]{8})-(\d{6,16})(?:\.part-(\d{6,16}))?\.ndjson$/;

/** What a segment's name says about it. */
export interface SegmentName {
  /** Every record in it has `start <= at < end` (epoch ms), and both lie in one UTC day. */
  readonly start: number;
  readonly end: number;
  /** The writer that made it (random per writer, so replicas never collide) and its sequence number. */
  readonly writer: string;
  readonly seq: number;
  /** Set for a part: what one flush of a still-open segment wrote. */
  readonly part?: number;
}

/** Refuses a deployment name that cannot be one key segment. */
export function checkDeploymentName(name: unknown, field = "deployment"): string {
  if (typeof name !== "string" || !DEPLOYMENT_NAME.test(name)) {
    throw invalidArgument(
      field,
      "must be 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit",
    );
  }
  return name;
}

/** `yyyy-mm-dd` of an epoch-ms time, in UTC: the day directory of a segment. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The first millisecond of the UTC day after `ms`'s day. */
export function nextUtcMidnight(ms: number): number {
  return (Math.floor(ms / DAY_MS) + 1) * DAY_MS;
}

/** The first millisecond of `ms`'s UTC day. */
export function utcMidnight(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/**
 * `predictions/<deployment>/<yyyy-mm-dd>/<start-ms>-<end-ms>-<writer>-<seq>.ndjson`, and
 * `...-<seq>.part-<k>.ndjson` for the parts of a segment still open. The end is in the name
 * (beside the start) so a reader prunes segments by time from a listing alone, even when
 * records arrived out of order; the writer id keeps two replicas apart.
 */
export function segmentKey(deployment: string, name: SegmentName): string {
  const seq = String(name.seq).padStart(6, "0");
  const part = name.part === undefined ? "" : `.part-${String(name.part).padStart(6, "0")}`;
  return `${PREDICTIONS_PREFIX}/${deployment}/${utcDay(name.start)}/${name.start}-${name.end}-${name.writer}-${seq}${part}${SEGMENT_EXTENSION}`;
}

/** The segment a part belongs to, as a string key (the same for a segment and its parts). */
export function segmentIdentity(name: SegmentName): string {
  return `${name.start}-${name.end}-${name.writer}-${name.seq}`;
}

/** Parses a segment's file name; undefined for anything else (a stray file is skipped). */
export function parseSegmentName(file: string): SegmentName | undefined {
  const match = SEGMENT_NAME.exec(file);
  if (match === null) return undefined;
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (!(end > start)) return undefined;
  const base = { start, end, writer: match[3]!, seq: Number(match[4]) };
  return match[5] === undefined ? base : { ...base, part: Number(match[5]) };
}
