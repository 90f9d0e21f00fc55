import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import type { BinnedDataset } from "./feature-binning.ts";
import { HISTOGRAM_STRIDE } from "./histogram.ts";
import { HistogramSlots } from "./histogram-slots.ts";
import {
  CONTROL,
  CONTROL_SLOTS,
  FAILED,
  JOB,
  JOB_ACCUMULATE,
  JOB_FLOATS,
  JOB_PARTITION,
  JOB_PARTITION_COPY,
  JOB_REDUCE_AND_SEARCH,
  JOB_SLOTS,
  type NodeWorkerData,
  RESULT_FLOATS,
  STOP,
  shareOf,
  waitForChange,
} from "./node-protocol.ts";
import {
  accumulateRows,
  bestSplitOfSlice,
  type FeatureSlice,
  leftBinTable,
  partitionShare,
  reduceSlice,
  sliceFeatures,
} from "./node-work.ts";
import {
  bestSplitOfFeature,
  type NodeStats,
  type SplitCandidate,
  type SplitConstraints,
} from "./split-finder.ts";

/** A node whose best split is wanted. */
export interface SplitRequest {
  readonly slot: number;
  readonly stats: NodeStats;
  readonly numRows: number;
}

/**
 * The per-node work of growing a tree, on this thread alone or across worker threads. A
 * node's histogram is summed over shares of its rows (one per thread), then each thread, on
 * its slice of the features, adds the shares up, subtracts for the sibling and searches for
 * the best split. Sums depend on how rows are shared out, so a model is reproducible for a
 * seed and a thread count.
 */
export interface NodeProcessor {
  /** Copies `rows` into the row index the threads share and returns it (to be permuted). */
  shareRows(rows: Int32Array): Int32Array;
  /** The gradients of the tree about to be grown (one output's). */
  setGradients(grad: Float64Array, hess: Float64Array): void;
  /** The features this tree may split on (column subsampling). */
  setAllowedFeatures(allowed: Uint8Array): void;
  /** Gradient and hessian sums of the first `numRows` rows of the shared row index. */
  sumGradients(numRows: number): NodeStats;
  /** A histogram slot; return it with `releaseHistogram`. */
  takeHistogram(): number;
  releaseHistogram(slot: number): void;
  /**
   * Fills slot `target` with the histogram of `rowIndex[begin..end)`; with a `parent` slot,
   * subtracts it from the parent's, which becomes the sibling's histogram. Then returns the
   * best split of each requested node (at most two; their histograms are now complete), or
   * null where no split helps.
   */
  buildAndSearch(
    begin: number,
    end: number,
    target: number,
    parent: number | null,
    nodes: readonly SplitRequest[],
  ): (SplitCandidate | null)[];
  /**
   * Stably partitions `rowIndex[begin..end)` by `split`: rows going left first, then rows
   * going right; returns the boundary.
   */
  partition(begin: number, end: number, split: SplitCandidate): number;
  close(): Promise<void>;
}

/** Below this many rows a node's histogram is cheaper to sum alone than to share out. */
const MIN_SHARED_ROWS = 1024;
/** Below this many rows a node is cheaper to partition alone than to share out. */
const MIN_SHARED_PARTITION_ROWS = 4096;

/**
 * @param numThreads threads in all, this one included; capped at one per feature
 */
export async function createNodeProcessor(
  binned: BinnedDataset,
  constraints: SplitConstraints,
  numThreads: number,
): Promise<NodeProcessor> {
  const n = binned.numRows;
  const threads = Math.max(1, Math.min(numThreads, binned.numFeatures));
  const wide = binned.bins instanceof Uint32Array;
  const shared = threads > 1;
  const binsBuffer = shared ? new SharedArrayBuffer(binned.bins.byteLength) : null;
  if (binsBuffer !== null) {
    (wide ? new Uint32Array(binsBuffer) : new Uint16Array(binsBuffer)).set(binned.bins);
  }
  const rowBuffer = new SharedArrayBuffer(n * 4);
  const gradBuffer = new SharedArrayBuffer(n * 8);
  const hessBuffer = new SharedArrayBuffer(n * 8);
  const allowedBuffer = new SharedArrayBuffer(binned.numFeatures);
  const sharedRows = new Int32Array(rowBuffer);
  const sharedGrad = new Float64Array(gradBuffer);
  const sharedHess = new Float64Array(hessBuffer);
  const allowed = new Uint8Array(allowedBuffer);
  const job = new Int32Array(new SharedArrayBuffer(JOB_SLOTS * 4));
  const jobFloats = new Float64Array(new SharedArrayBuffer(JOB_FLOATS * 8));
  const plainConstraints: SplitConstraints = {
    lambda: constraints.lambda,
    alpha: constraints.alpha,
    minChildWeight: constraints.minChildWeight,
    minDataInLeaf: constraints.minDataInLeaf,
    minSplitGain: constraints.minSplitGain,
    catSmooth: constraints.catSmooth,
    catL2: constraints.catL2,
    minDataPerGroup: constraints.minDataPerGroup,
    maxCatThreshold: constraints.maxCatThreshold,
  };
  const bounds = sliceFeatures(binned.numFeatures, threads);
  const histogramLength = binned.totalBins * HISTOGRAM_STRIDE;
  const scratch = Array.from(
    { length: threads - 1 },
    () => new SharedArrayBuffer(histogramLength * 8),
  );
  const scratchViews = scratch.map((buffer) => new Float64Array(buffer));
  let widestFeature = 0;
  for (const bins of binned.numValueBins) widestFeature = Math.max(widestFeature, bins);
  const leftTableBuffer = new SharedArrayBuffer(widestFeature + 1);
  const leftTable = new Uint8Array(leftTableBuffer);
  const partitionCountsBuffer = new SharedArrayBuffer(Math.max(1, 2 * (threads - 1)) * 4);
  const partitionCounts = new Int32Array(partitionCountsBuffer);
  const binsByFeatureBuffer = shared
    ? new SharedArrayBuffer(binned.binsByFeature.byteLength)
    : null;
  if (binsByFeatureBuffer !== null) {
    (wide ? new Uint32Array(binsByFeatureBuffer) : new Uint16Array(binsByFeatureBuffer)).set(
      binned.binsByFeature,
    );
  }
  const ownLeft = new Int32Array(n);
  const ownRight = new Int32Array(n);
  const ownSlice: FeatureSlice = {
    featureBegin: bounds[threads - 1] as number,
    featureEnd: binned.numFeatures,
    layout: binned,
    bins: binned.bins,
    rowIndex: sharedRows,
    grad: sharedGrad,
    hess: sharedHess,
    allowedFeatures: allowed,
    constraints: plainConstraints,
  };

  const ports: MessagePort[] = [];
  const slots = new HistogramSlots(histogramLength, (chunk) => {
    for (const port of ports) port.postMessage(chunk);
  });
  const workers = await Promise.all(
    Array.from({ length: threads - 1 }, (_, w) => {
      const channel = new MessageChannel();
      ports.push(channel.port1);
      return startWorker(
        {
          control: new SharedArrayBuffer(CONTROL_SLOTS * 4),
          job: job.buffer as SharedArrayBuffer,
          jobFloats: jobFloats.buffer as SharedArrayBuffer,
          result: new SharedArrayBuffer(RESULT_FLOATS * 8),
          index: w,
          scratch,
          featureBegin: bounds[w] as number,
          featureEnd: bounds[w + 1] as number,
          bins: binsBuffer as SharedArrayBuffer,
          binsAreWide: wide,
          numRows: n,
          numFeatures: binned.numFeatures,
          binOffset: binned.binOffset,
          numValueBins: binned.numValueBins,
          categorical: binned.categorical,
          totalBins: binned.totalBins,
          rowIndex: rowBuffer,
          grad: gradBuffer,
          hess: hessBuffer,
          allowedFeatures: allowedBuffer,
          constraints: plainConstraints,
          binsByFeature: binsByFeatureBuffer as SharedArrayBuffer,
          leftTable: leftTableBuffer,
          partitionCounts: partitionCountsBuffer,
          partitionLeft: new SharedArrayBuffer(n * 4),
          partitionRight: new SharedArrayBuffer(n * 4),
          slotPort: channel.port2,
        },
        channel.port2,
      );
    }),
  );
  let sequence = 0;

  /** Runs the job in shared memory on every worker and `own()` here, then waits for all. */
  function runEverywhere(own: () => void): void {
    sequence = sequence === 0x7ffffffe ? 1 : sequence + 1;
    for (const worker of workers) {
      Atomics.store(worker.control, CONTROL.sequence, sequence);
      Atomics.notify(worker.control, CONTROL.sequence);
    }
    own();
    for (const worker of workers) {
      let done = Atomics.load(worker.control, CONTROL.done);
      while (done !== sequence) {
        if (done === FAILED) throw new Error("a GBDT worker thread failed; see its stderr");
        done = waitForChange(worker.control, CONTROL.done, done);
      }
    }
  }

  return {
    shareRows(rows) {
      sharedRows.set(rows);
      return rows.length === n ? sharedRows : sharedRows.subarray(0, rows.length);
    },
    setGradients(g, h) {
      sharedGrad.set(g);
      sharedHess.set(h);
    },
    setAllowedFeatures(features) {
      allowed.set(features);
    },
    sumGradients(numRows) {
      const stats = { g: 0, h: 0 };
      for (let i = 0; i < numRows; i++) {
        const r = sharedRows[i] as number;
        stats.g += sharedGrad[r] as number;
        stats.h += sharedHess[r] as number;
      }
      return stats;
    },
    takeHistogram: () => slots.take(),
    releaseHistogram: (slot) => slots.give(slot),
    buildAndSearch(begin, end, target, parent, nodes) {
      if (nodes.length > 2) throw new Error("unreachable: at most two nodes per search");
      const targetView = slots.view(target);
      const parentView = parent === null ? null : slots.view(parent);
      const numShares = Math.max(
        1,
        Math.min(workers.length + 1, Math.floor((end - begin) / MIN_SHARED_ROWS)),
      );
      job[JOB.begin] = begin;
      job[JOB.end] = end;
      job[JOB.target] = target;
      job[JOB.parent] = parent ?? -1;
      job[JOB.numShares] = numShares;
      const own = shareOf(begin, end, numShares, numShares - 1);
      targetView.fill(0);
      if (numShares === 1) {
        accumulateRows(ownSlice, targetView, own.begin, own.end);
      } else {
        job[JOB.kind] = JOB_ACCUMULATE;
        runEverywhere(() => accumulateRows(ownSlice, targetView, own.begin, own.end));
      }
      if (workers.length === 0) {
        reduceSlice(ownSlice, targetView, [], parentView);
        return nodes.map((node) =>
          pick([bestSplitOfSlice(ownSlice, slots.view(node.slot), node.stats, node.numRows)], node),
        );
      }
      job[JOB.kind] = JOB_REDUCE_AND_SEARCH;
      job[JOB.numNodes] = nodes.length;
      nodes.forEach((node, i) => {
        job[i === 0 ? JOB.nodeSlot0 : JOB.nodeSlot1] = node.slot;
        job[i === 0 ? JOB.nodeRows0 : JOB.nodeRows1] = node.numRows;
        jobFloats[2 * i] = node.stats.g;
        jobFloats[2 * i + 1] = node.stats.h;
      });
      const ownBest: { gain: number; feature: number }[] = [];
      runEverywhere(() => {
        reduceSlice(ownSlice, targetView, scratchViews.slice(0, numShares - 1), parentView);
        for (const node of nodes) {
          ownBest.push(bestSplitOfSlice(ownSlice, slots.view(node.slot), node.stats, node.numRows));
        }
      });
      return nodes.map((node, i) =>
        pick(
          [
            ...workers.map((w) => ({
              gain: w.result[2 * i] as number,
              feature: w.result[2 * i + 1] as number,
            })),
            ownBest[i] as { gain: number; feature: number },
          ],
          node,
        ),
      );
    },
    partition(begin, end, split) {
      const f = split.feature;
      const column = binned.binsByFeature.subarray(f * n, (f + 1) * n);
      const offset = binned.binOffset[f] as number;
      const table = leftBinTable(binned, split);
      const numShares = Math.max(
        1,
        Math.min(workers.length + 1, Math.floor((end - begin) / MIN_SHARED_PARTITION_ROWS)),
      );
      if (numShares === 1) {
        // In place: left rows into the row index itself, right rows through a buffer.
        const left = partitionShare(
          column,
          offset,
          table,
          sharedRows,
          begin,
          end,
          sharedRows,
          begin,
          ownRight,
        );
        sharedRows.set(ownRight.subarray(0, end - begin - left), begin + left);
        return begin + left;
      }
      leftTable.set(table);
      job[JOB.kind] = JOB_PARTITION;
      job[JOB.begin] = begin;
      job[JOB.end] = end;
      job[JOB.feature] = f;
      job[JOB.numShares] = numShares;
      const own = shareOf(begin, end, numShares, numShares - 1);
      let ownLeftCount = 0;
      runEverywhere(() => {
        ownLeftCount = partitionShare(
          column,
          offset,
          table,
          sharedRows,
          own.begin,
          own.end,
          ownLeft,
          0,
          ownRight,
        );
      });
      // Shares in order: their left rows, then their right rows, each share's rows in order.
      let leftTotal = ownLeftCount;
      for (let w = 0; w < numShares - 1; w++) leftTotal += partitionCounts[2 * w] as number;
      const mid = begin + leftTotal;
      let leftAt = begin;
      let rightAt = mid;
      for (let w = 0; w < numShares - 1; w++) {
        const leftCount = partitionCounts[2 * w] as number;
        const rightCount = partitionCounts[2 * w + 1] as number;
        partitionCounts[2 * w] = leftAt;
        partitionCounts[2 * w + 1] = rightAt;
        leftAt += leftCount;
        rightAt += rightCount;
      }
      job[JOB.kind] = JOB_PARTITION_COPY;
      runEverywhere(() => {
        sharedRows.set(ownLeft.subarray(0, ownLeftCount), leftAt);
        sharedRows.set(ownRight.subarray(0, own.end - own.begin - ownLeftCount), rightAt);
      });
      return mid;
    },
    async close() {
      await Promise.all(
        workers.map(async (worker) => {
          worker.thread.ref();
          Atomics.store(worker.control, CONTROL.sequence, STOP);
          Atomics.notify(worker.control, CONTROL.sequence);
          await worker.exited;
        }),
      );
      for (const port of ports) port.close();
    },
  };

  /**
   * The winner among the slices' best splits, in slice (= feature) order so ties go to the
   * lowest feature as in one search; rebuilt whole from the shared histogram.
   */
  function pick(
    candidates: readonly { gain: number; feature: number }[],
    node: SplitRequest,
  ): SplitCandidate | null {
    let best = -1;
    let bestGain = 0;
    for (const c of candidates) {
      if (c.feature >= 0 && (best < 0 || c.gain > bestGain)) {
        best = c.feature;
        bestGain = c.gain;
      }
    }
    if (best < 0) return null;
    return bestSplitOfFeature(
      slots.view(node.slot),
      binned,
      best,
      node.stats,
      node.numRows,
      plainConstraints,
    );
  }
}

interface StartedWorker {
  readonly thread: Worker;
  readonly control: Int32Array;
  readonly result: Float64Array;
  readonly exited: Promise<void>;
}

async function startWorker(data: NodeWorkerData, port: MessagePort): Promise<StartedWorker> {
  // Under tsx the sources are .ts; in the published package they are compiled .js files.
  const worker = new Worker(workerEntry(), { workerData: data, transferList: [port], eval: true });
  await new Promise<void>((resolve, reject) => {
    worker.once("message", () => resolve());
    worker.once("error", reject);
    worker.once("exit", (code) =>
      reject(new Error(`GBDT worker exited with ${code} while starting`)),
    );
  });
  // A trainer that throws before close() must not keep the process alive.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  return {
    thread: worker,
    control: new Int32Array(data.control),
    result: new Float64Array(data.result),
    exited,
  };
}

/**
 * The worker's bootstrap code. Run from TypeScript sources (tests, tsx), the worker must
 * register tsx itself: Node 20 does not pass module hooks on to worker threads.
 */
function workerEntry(): string {
  const fromSource = import.meta.url.endsWith(".ts");
  const entry = new URL(`./node-worker${fromSource ? ".ts" : ".js"}`, import.meta.url).href;
  const load = `import(${JSON.stringify(entry)})`;
  if (!fromSource) return load;
  const tsx = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  return `import(${tsx}).then(({ register }) => { register(); return ${load}; })`;
}
