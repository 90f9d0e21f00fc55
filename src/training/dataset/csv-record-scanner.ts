import { PlinthError } from "../../core/errors.ts";

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** `scan()` result: the buffer ends inside a record; append more bytes and scan again. */
export const NEED_MORE = -1;
/** `scan()` result: the final buffer is exhausted. */
export const END_OF_INPUT = -2;

/** How a field was written: bare, quoted, or quoted with `""` escapes inside. */
export const FIELD_BARE = 0;
export const FIELD_QUOTED = 1;
export const FIELD_ESCAPED = 2;

/**
 * Splits CSV bytes into records and fields without copying or decoding: each record's fields
 * are left as byte ranges in `starts`/`ends` (a quoted field's range excludes its quotes).
 * RFC 4180 quoting: a field that starts with `"` runs to the next lone `"`, and may hold
 * commas, newlines and `""` (an escaped quote). LF, CRLF and lone CR end records; blank lines
 * are skipped. Works on bytes, which is safe for UTF-8 because no byte of a multi-byte
 * character equals `"`, `,`, CR or LF.
 *
 * The caller feeds a buffer, calls `scan()` until it answers NEED_MORE, then keeps the bytes
 * from `position` on, appends the next chunk, and calls `reset`. A record cut by a chunk end
 * is rescanned from its start, which costs one record per chunk.
 *
 * @example
 * const scanner = new CsvRecordScanner("data.csv");
 * scanner.reset(bytes, bytes.length, true);
 * for (let n = scanner.scan(); n >= 0; n = scanner.scan()) {
 *   const first = bytes.toString("utf8", scanner.starts[0], scanner.ends[0]);
 * }
 */
export class CsvRecordScanner {
  /** Byte offset of each field's first byte in the current record. */
  starts = new Int32Array(64);
  /** Byte offset just past each field's last byte. */
  ends = new Int32Array(64);
  /** FIELD_BARE, FIELD_QUOTED or FIELD_ESCAPED per field. */
  kinds = new Uint8Array(64);
  /** 1-based line on which the current record starts. */
  recordLine = 0;
  /** Where the next record starts; bytes before it are consumed. */
  position = 0;
  private readonly source: string;
  private bytes: Uint8Array = new Uint8Array(0);
  private limit = 0;
  private final = true;
  /** Line on which the byte at `position` lies. */
  private line = 1;

  /** `source` names the input in error messages. */
  constructor(source: string) {
    this.source = source;
  }

  /** Scans `bytes[0, limit)` next; `final` says no bytes follow them. */
  reset(bytes: Uint8Array, limit: number, final: boolean): void {
    this.bytes = bytes;
    this.limit = limit;
    this.final = final;
    this.position = 0;
  }

  /** Finds the next record; returns its field count, NEED_MORE or END_OF_INPUT. */
  scan(): number {
    const bytes = this.bytes;
    const limit = this.limit;
    let p = this.position;
    let line = this.line;
    for (;;) {
      if (p >= limit) {
        this.position = p;
        this.line = line;
        return this.final ? END_OF_INPUT : NEED_MORE;
      }
      const b = bytes[p]!;
      if (b === LF) line++;
      else if (b !== CR) break;
      p++;
    }
    this.position = p;
    this.line = line;
    const recordLine = line;
    let count = 0;
    for (;;) {
      if (count === this.starts.length) this.grow();
      if (p < limit && bytes[p] === QUOTE) {
        const start = ++p;
        let kind = FIELD_QUOTED;
        for (;;) {
          if (p >= limit) {
            if (this.final) throw this.error(recordLine, "has a quoted field that never closes");
            return NEED_MORE;
          }
          const c = bytes[p]!;
          if (c === QUOTE) {
            if (p + 1 < limit && bytes[p + 1] === QUOTE) {
              kind = FIELD_ESCAPED;
              p += 2;
              continue;
            }
            if (p + 1 >= limit && !this.final) return NEED_MORE;
            break;
          }
          if (c === LF) line++;
          p++;
        }
        this.starts[count] = start;
        this.ends[count] = p;
        this.kinds[count++] = kind;
        p++;
        if (p < limit) {
          const c = bytes[p]!;
          if (c === COMMA) {
            p++;
            continue;
          }
          if (c !== LF && c !== CR) {
            throw this.error(line, `has '${String.fromCharCode(c)}' after a closing quote`);
          }
        }
      } else {
        const start = p;
        while (p < limit) {
          const c = bytes[p]!;
          if (c === COMMA || c === LF || c === CR) break;
          p++;
        }
        if (p >= limit && !this.final) return NEED_MORE;
        this.starts[count] = start;
        this.ends[count] = p;
        this.kinds[count++] = FIELD_BARE;
        if (p < limit && bytes[p] === COMMA) {
          p++;
          continue;
        }
      }
      // At a record end: LF, CR or the end of the final buffer. A CR's LF is left for the
      // blank-line skip above, which counts the line.
      if (p < limit && bytes[p] === LF) {
        line++;
        p++;
      } else if (p < limit) {
        p++;
      }
      this.position = p;
      this.line = line;
      this.recordLine = recordLine;
      return count;
    }
  }

  private grow(): void {
    const size = this.starts.length * 2;
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    const kinds = new Uint8Array(size);
    starts.set(this.starts);
    ends.set(this.ends);
    kinds.set(this.kinds);
    this.starts = starts;
    this.ends = ends;
    this.kinds = kinds;
  }

  private error(line: number, problem: string): PlinthError {
    return new PlinthError("TRAINING_INVALID_DATA", `${this.source}: line ${line} ${problem}`, {
      field: this.source,
    });
  }
}
