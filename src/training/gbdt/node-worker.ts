// A node worker: owns a slice of the features; waits on its shared control word, runs each
// job (a histogram, or split searches) on its slice, writes results to shared memory and
// signals done.
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { HISTOGRAM_STRIDE } from "./histogram.ts";
import { ReceivedHistogramSlots } from "./histogram-slots.ts";
import {
  CONTROL,
  FAILED,
  JOB,
  JOB_ACCUMULATE,
  JOB_PARTITION,
  JOB_PARTITION_COPY,
  type NodeWorkerData,
  STOP,
  shareOf,
  waitForChange,
} from "./node-protocol.ts";
import {
  accumulateRows,
  bestSplitOfSlice,
  type FeatureSlice,
  partitionShare,
  reduceSlice,
} from "./node-work.ts";

const data = workerData as NodeWorkerData;
const control = new Int32Array(data.control);
const job = new Int32Array(data.job);
const jobFloats = new Float64Array(data.jobFloats);
const result = new Float64Array(data.result);
const slots = new ReceivedHistogramSlots(data.totalBins * HISTOGRAM_STRIDE);
const scratch = data.scratch.map((buffer) => new Float64Array(buffer));
const ownScratch = scratch[data.index] as Float64Array;
const binsByFeature = data.binsAreWide
  ? new Uint32Array(data.binsByFeature)
  : new Uint16Array(data.binsByFeature);
const leftTable = new Uint8Array(data.leftTable);
const partitionCounts = new Int32Array(data.partitionCounts);
const partitionLeft = new Int32Array(data.partitionLeft);
const partitionRight = new Int32Array(data.partitionRight);
const slice: FeatureSlice = {
  featureBegin: data.featureBegin,
  featureEnd: data.featureEnd,
  layout: {
    numFeatures: data.numFeatures,
    binOffset: data.binOffset,
    numValueBins: data.numValueBins,
    totalBins: data.totalBins,
    categorical: data.categorical,
  },
  bins: data.binsAreWide ? new Uint32Array(data.bins) : new Uint16Array(data.bins),
  rowIndex: new Int32Array(data.rowIndex),
  grad: new Float64Array(data.grad),
  hess: new Float64Array(data.hess),
  allowedFeatures: new Uint8Array(data.allowedFeatures),
  constraints: data.constraints,
};

/** The histogram in `slot`, pulling announced chunks off the port first when needed. */
function slotView(slot: number): Float64Array {
  while (!slots.has(slot)) {
    const message = receiveMessageOnPort(data.slotPort);
    if (message === undefined) throw new Error(`histogram slot ${slot} was never announced`);
    slots.add(message.message as SharedArrayBuffer);
  }
  return slots.view(slot);
}

function runJob(): void {
  const numShares = job[JOB.numShares] as number;
  const kind = job[JOB.kind];
  if (kind === JOB_PARTITION || kind === JOB_PARTITION_COPY) {
    if (data.index >= numShares - 1) return;
    if (kind === JOB_PARTITION_COPY) {
      // By now the trainer has replaced this worker's counts with where its rows go.
      const leftAt = partitionCounts[2 * data.index] as number;
      const rightAt = partitionCounts[2 * data.index + 1] as number;
      slice.rowIndex.set(partitionLeft.subarray(0, copyCounts.left), leftAt);
      slice.rowIndex.set(partitionRight.subarray(0, copyCounts.right), rightAt);
      return;
    }
    const f = job[JOB.feature] as number;
    const share = shareOf(job[JOB.begin] as number, job[JOB.end] as number, numShares, data.index);
    const column = binsByFeature.subarray(f * data.numRows, (f + 1) * data.numRows);
    const left = partitionShare(
      column,
      data.binOffset[f] as number,
      leftTable,
      slice.rowIndex,
      share.begin,
      share.end,
      partitionLeft,
      0,
      partitionRight,
    );
    copyCounts.left = left;
    copyCounts.right = share.end - share.begin - left;
    partitionCounts[2 * data.index] = copyCounts.left;
    partitionCounts[2 * data.index + 1] = copyCounts.right;
    return;
  }
  if (kind === JOB_ACCUMULATE) {
    if (data.index >= numShares - 1) return;
    const share = shareOf(job[JOB.begin] as number, job[JOB.end] as number, numShares, data.index);
    ownScratch.fill(0);
    accumulateRows(slice, ownScratch, share.begin, share.end);
    return;
  }
  const parent = job[JOB.parent] as number;
  reduceSlice(
    slice,
    slotView(job[JOB.target] as number),
    scratch.slice(0, numShares - 1),
    parent >= 0 ? slotView(parent) : null,
  );
  const numNodes = job[JOB.numNodes] as number;
  for (let i = 0; i < numNodes; i++) {
    const best = bestSplitOfSlice(
      slice,
      slotView(job[i === 0 ? JOB.nodeSlot0 : JOB.nodeSlot1] as number),
      { g: jobFloats[2 * i] as number, h: jobFloats[2 * i + 1] as number },
      job[i === 0 ? JOB.nodeRows0 : JOB.nodeRows1] as number,
    );
    result[2 * i] = best.gain;
    result[2 * i + 1] = best.feature;
  }
}

/** This worker's counts from its last PARTITION, for the PARTITION_COPY that follows. */
const copyCounts = { left: 0, right: 0 };

parentPort?.postMessage("ready");
let seen = 0;
for (;;) {
  seen = waitForChange(control, CONTROL.sequence, seen);
  if (seen === STOP) break;
  let outcome = seen;
  try {
    runJob();
  } catch (error) {
    // The trainer is blocked on shared memory and cannot see an error event: say so there.
    console.error(error);
    outcome = FAILED;
  }
  Atomics.store(control, CONTROL.done, outcome);
  Atomics.notify(control, CONTROL.done);
}
