// A child process for the crash test: appends records as fast as it can and reports on
// stdout how many are durable after each flush, until its parent SIGKILLs it.
import { setTimeout as sleep } from "node:timers/promises";
import { createLocalArtifactStore } from "../../../artifacts/local/local-artifact-store.ts";
import { createPredictionLog } from "../create-prediction-log.ts";
import { makeRecord } from "./make-record.ts";

const root = process.argv[2];
if (root === undefined) throw new Error("usage: append-until-killed.ts ARTIFACT_ROOT");
const log = createPredictionLog({
  artifacts: createLocalArtifactStore({ root }),
  maxQueue: 1_000_000,
  segmentMaxRows: 700,
  segmentMaxAgeMs: 60_000,
  flushIntervalMs: 15,
});
const base = Date.now();
let next = 0;
void (async function flushForever() {
  for (;;) {
    const appended = next;
    await log.flush();
    process.stdout.write(`durable ${appended}\n`);
  }
})();
for (;;) {
  // About 20,000 records a second: a busy server, not more than one disk can fsync.
  for (let k = 0; k < 20; k++, next++) log.append(makeRecord(next, base + Math.floor(next / 50)));
  await sleep(1);
}
