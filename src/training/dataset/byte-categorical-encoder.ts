/**
 * CategoricalEncoder's rule (codes in order of first appearance, optionally extending a
 * training dictionary) keyed by UTF-8 bytes instead of strings: a CSV cell is hashed and
 * compared where it lies in the read buffer, so only a category's first occurrence is ever
 * decoded to a string. Reading four categorical columns of a million rows through strings
 * cost more than parsing the twenty-eight numeric ones.
 *
 * @example
 * const encoder = new ByteCategoricalEncoder();
 * encoder.encode(Buffer.from("a,b"), 2, 3); // 0 ("b")
 * encoder.dictionary; // ["b"]
 */
export class ByteCategoricalEncoder {
  /** Values in code order. */
  readonly dictionary: string[] = [];
  /** Bytes of every dictionary value, back to back. */
  private pool: Uint8Array = new Uint8Array(1024);
  private poolUsed = 0;
  private offsets: Int32Array = new Int32Array(16);
  private lengths: Int32Array = new Int32Array(16);
  /** Open-addressing table of code + 1 (0 = empty slot), sized to a power of two. */
  private slots = new Int32Array(64);
  private hashes = new Int32Array(64);

  constructor(initial: readonly string[] = []) {
    for (const value of initial) {
      const bytes = Buffer.from(value, "utf8");
      this.encode(bytes, 0, bytes.length);
    }
  }

  /** The code of the value whose UTF-8 bytes are `bytes[start, end)`, added when new. */
  encode(bytes: Uint8Array, start: number, end: number): number {
    let hash = 0x811c9dc5;
    for (let p = start; p < end; p++) hash = Math.imul(hash ^ bytes[p]!, 0x01000193);
    const mask = this.slots.length - 1;
    const length = end - start;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === 0) return this.insert(slot, hash, bytes, start, end);
      if (this.hashes[slot] === hash) {
        const code = entry - 1;
        if (this.lengths[code] === length && this.sameBytes(code, bytes, start, length)) {
          return code;
        }
      }
    }
  }

  private sameBytes(code: number, bytes: Uint8Array, start: number, length: number): boolean {
    const pool = this.pool;
    const offset = this.offsets[code]!;
    for (let i = 0; i < length; i++) if (pool[offset + i] !== bytes[start + i]) return false;
    return true;
  }

  private insert(slot: number, hash: number, bytes: Uint8Array, start: number, end: number) {
    const code = this.dictionary.length;
    const length = end - start;
    this.dictionary.push(Buffer.from(bytes.buffer, bytes.byteOffset + start, length).toString());
    if (this.poolUsed + length > this.pool.length) {
      this.pool = growBytes(this.pool, this.poolUsed + length);
    }
    this.pool.set(bytes.subarray(start, end), this.poolUsed);
    if (code === this.offsets.length) {
      this.offsets = growInts(this.offsets, code + 1);
      this.lengths = growInts(this.lengths, code + 1);
    }
    this.offsets[code] = this.poolUsed;
    this.lengths[code] = length;
    this.poolUsed += length;
    this.slots[slot] = code + 1;
    this.hashes[slot] = hash;
    // Keep the table at most half full so probes stay short.
    if ((code + 1) * 2 > this.slots.length) this.rehash();
    return code;
  }

  private rehash(): void {
    const oldSlots = this.slots;
    const oldHashes = this.hashes;
    this.slots = new Int32Array(oldSlots.length * 2);
    this.hashes = new Int32Array(oldSlots.length * 2);
    const mask = this.slots.length - 1;
    for (let i = 0; i < oldSlots.length; i++) {
      if (oldSlots[i] === 0) continue;
      let slot = oldHashes[i]! & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = oldSlots[i]!;
      this.hashes[slot] = oldHashes[i]!;
    }
  }
}

function growBytes(old: Uint8Array, atLeast: number): Uint8Array {
  const grown = new Uint8Array(Math.max(atLeast, old.length * 2));
  grown.set(old);
  return grown;
}

function growInts(old: Int32Array, atLeast: number): Int32Array {
  const grown = new Int32Array(Math.max(atLeast, old.length * 2));
  grown.set(old);
  return grown;
}
