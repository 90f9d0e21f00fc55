/**
 * Histogram buffers in shared memory, so every thread can fill and read its features of any
 * node's histogram. Buffers are handed out by slot id and reused; storage grows in chunks of
 * shared memory, each announced once (to worker threads) through `onChunk`.
 */
export class HistogramSlots {
  readonly #slotLength: number;
  readonly #slotsPerChunk: number;
  readonly #onChunk: (chunk: SharedArrayBuffer) => void;
  readonly #views: Float64Array[] = [];
  readonly #free: number[] = [];

  /**
   * @param slotLength entries per histogram (total bins × stride)
   * @param onChunk called with each new chunk before any slot in it is handed out
   */
  constructor(slotLength: number, onChunk: (chunk: SharedArrayBuffer) => void) {
    this.#slotLength = slotLength;
    this.#slotsPerChunk = slotsPerChunk(slotLength);
    this.#onChunk = onChunk;
  }

  /** A slot whose histogram the caller will overwrite. */
  take(): number {
    const free = this.#free.pop();
    if (free !== undefined) return free;
    const chunk = new SharedArrayBuffer(this.#slotsPerChunk * this.#slotLength * 8);
    this.#onChunk(chunk);
    const first = this.#views.length;
    for (let i = 0; i < this.#slotsPerChunk; i++) {
      this.#views.push(new Float64Array(chunk, i * this.#slotLength * 8, this.#slotLength));
    }
    for (let i = this.#slotsPerChunk - 1; i > 0; i--) this.#free.push(first + i);
    return first;
  }

  give(slot: number): void {
    this.#free.push(slot);
  }

  /** The histogram in `slot`. */
  view(slot: number): Float64Array {
    const view = this.#views[slot];
    if (view === undefined) throw new Error(`unreachable: histogram slot ${slot} was never taken`);
    return view;
  }
}

/** A worker's read side of the slots: chunks arrive in order; slot ids map as in HistogramSlots. */
export class ReceivedHistogramSlots {
  readonly #slotLength: number;
  readonly #slotsPerChunk: number;
  readonly #views: Float64Array[] = [];

  constructor(slotLength: number) {
    this.#slotLength = slotLength;
    this.#slotsPerChunk = slotsPerChunk(slotLength);
  }

  add(chunk: SharedArrayBuffer): void {
    for (let i = 0; i < this.#slotsPerChunk; i++) {
      this.#views.push(new Float64Array(chunk, i * this.#slotLength * 8, this.#slotLength));
    }
  }

  has(slot: number): boolean {
    return slot < this.#views.length;
  }

  view(slot: number): Float64Array {
    const view = this.#views[slot];
    if (view === undefined) throw new Error(`unreachable: histogram slot ${slot} not received`);
    return view;
  }
}

/** About 8 MiB per chunk: few chunks for deep trees, little waste for shallow ones. */
function slotsPerChunk(slotLength: number): number {
  return Math.max(1, Math.floor((8 << 20) / (8 * Math.max(1, slotLength))));
}
