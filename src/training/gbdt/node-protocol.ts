import type { MessagePort } from "node:worker_threads";
import type { SplitConstraints } from "./split-finder.ts";

/**
 * How the trainer thread hands node work to worker threads. Each worker owns a contiguous
 * slice of the features; a job is written into shared memory, then each worker's `sequence`
 * word is bumped, and each worker reports on its `done` word. Blocking on shared words
 * instead of messages keeps a hand-off to microseconds, which matters for thousands of nodes.
 */

/** Slots of a worker's control array. */
export const CONTROL = { sequence: 0, done: 1 } as const;
export const CONTROL_SLOTS = 2;
/** The sequence value that tells a worker to exit. */
export const STOP = -1;
/** The `done` value a worker reports when its job failed. */
export const FAILED = -2;

/** Job kinds. */
export const JOB_ACCUMULATE = 1;
export const JOB_REDUCE_AND_SEARCH = 2;
export const JOB_PARTITION = 3;
export const JOB_PARTITION_COPY = 4;

/**
 * Slots of the shared integer job array.
 * ACCUMULATE: the rows `rowIndex[begin..end)` are cut into `numShares` equal shares; worker w
 * (w < numShares - 1) sums share w into its own scratch histogram; the trainer thread sums the
 * last share into slot `target`. Rows are split rather than features because a row's bins are
 * one cache line: a thread reading only half of it would still pay for the whole line.
 * REDUCE_AND_SEARCH, on each thread's slice of the features: add the first `numShares - 1`
 * workers' scratch histograms into slot `target`; when `parent >= 0`, subtract `target` from
 * slot `parent` (leaving the sibling's histogram there); then for each of `numNodes` (≤ 2)
 * nodes, the best split in the slice of slot `nodeSlot0/1`, which has `nodeRows0/1` rows and
 * the gradient sums in the float job array.
 * PARTITION: for split feature `feature` and the shared left-bin table, worker w
 * (w < numShares - 1) partitions its share of `rowIndex[begin..end)` into its own left and
 * right row buffers and writes the counts to `partitionCounts[2w]`, `[2w + 1]`.
 * PARTITION_COPY: worker w copies its left rows to `rowIndex[leftAt..]` and its right rows to
 * `rowIndex[rightAt..]`, from `partitionCounts[2w]` and `[2w + 1]` as set by the trainer.
 */
export const JOB = {
  kind: 0,
  begin: 1,
  end: 2,
  target: 3,
  parent: 4,
  numShares: 5,
  numNodes: 6,
  nodeSlot0: 7,
  nodeRows0: 8,
  nodeSlot1: 9,
  nodeRows1: 10,
  feature: 11,
} as const;
export const JOB_SLOTS = 12;
/** Float job array: the gradient and hessian sums of the search's nodes. */
export const JOB_FLOATS = 4;
/** Per worker per node: [gain, feature] of its best split (feature -1 when none). */
export const RESULT_FLOATS = 4;

/** The rows of share `share` of `numShares` over `[begin, end)`. */
export function shareOf(
  begin: number,
  end: number,
  numShares: number,
  share: number,
): { begin: number; end: number } {
  const step = Math.ceil((end - begin) / numShares);
  return {
    begin: Math.min(end, begin + share * step),
    end: Math.min(end, begin + (share + 1) * step),
  };
}

/** What a worker is started with: views over shared memory and the training constants. */
export interface NodeWorkerData {
  readonly control: SharedArrayBuffer;
  readonly job: SharedArrayBuffer;
  readonly jobFloats: SharedArrayBuffer;
  readonly result: SharedArrayBuffer;
  /** This worker's index: its row share and its scratch histogram. */
  readonly index: number;
  /** Every worker's scratch histogram, in worker order. */
  readonly scratch: readonly SharedArrayBuffer[];
  readonly featureBegin: number;
  readonly featureEnd: number;
  readonly bins: SharedArrayBuffer;
  readonly binsAreWide: boolean;
  readonly numRows: number;
  readonly numFeatures: number;
  readonly binOffset: Int32Array;
  readonly numValueBins: Int32Array;
  readonly categorical: Uint8Array;
  readonly totalBins: number;
  readonly rowIndex: SharedArrayBuffer;
  readonly grad: SharedArrayBuffer;
  readonly hess: SharedArrayBuffer;
  readonly allowedFeatures: SharedArrayBuffer;
  readonly constraints: SplitConstraints;
  /** The bins again, column-major (numFeatures × numRows), for partitioning. */
  readonly binsByFeature: SharedArrayBuffer;
  /** The split's left-bin table (as many entries as the widest feature has bins, plus one). */
  readonly leftTable: SharedArrayBuffer;
  /** Per worker: left count, right count (PARTITION); left at, right at (PARTITION_COPY). */
  readonly partitionCounts: SharedArrayBuffer;
  /** This worker's left and right row buffers for PARTITION. */
  readonly partitionLeft: SharedArrayBuffer;
  readonly partitionRight: SharedArrayBuffer;
  /** Receives each new SharedArrayBuffer of histogram slots, in order. */
  readonly slotPort: MessagePort;
}

/**
 * Loads between node hand-offs are microseconds apart, while a futex wake-up can take tens of
 * microseconds when the other thread has been descheduled: so poll for a short while before
 * sleeping, as OpenMP runtimes do. About 50 µs of polling on this hardware.
 */
const SPIN_LOADS = 20_000;

/** Returns `array[index]` once it differs from `seen`: spins briefly, then sleeps on it. */
export function waitForChange(array: Int32Array, index: number, seen: number): number {
  for (let spin = 0; spin < SPIN_LOADS; spin++) {
    const value = Atomics.load(array, index);
    if (value !== seen) return value;
  }
  for (;;) {
    Atomics.wait(array, index, seen);
    const value = Atomics.load(array, index);
    if (value !== seen) return value;
  }
}
