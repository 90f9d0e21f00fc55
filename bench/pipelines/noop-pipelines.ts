// The pipelines the bench runs: no-op steps, so a run's time is the scheduling overhead.
import { definePipeline, param, ref, step } from "../../src/pipelines/index.ts";

const SIZE = Number(process.env.PLINTH_BENCH_PIPELINE_STEPS ?? 1000);

// Each step passes the salt on, so runs differ by content (no cache hits) while every
// step still looks its cache key up, as a real step does.
const first = step("s0", {
  inputs: { salt: param<string>("salt") },
  run: async ({ salt }) => ({ v: salt }),
});
const rest = Array.from({ length: SIZE - 1 }, (_, i) =>
  step(`s${i + 1}`, {
    inputs: { v: ref<string>(`s${i}`, "v") },
    run: async ({ v }) => ({ v }),
  }),
);
export const chain = definePipeline({
  name: "bench-chain",
  params: { salt: { type: "string" } },
  steps: [first, ...rest],
});

const list = step("list", {
  inputs: { salt: param<string>("salt") },
  run: async ({ salt }) => ({ items: Array.from({ length: SIZE }, (_, i) => `${salt}-${i}`) }),
});
const each = step("each", {
  foreach: list.output("items"),
  run: async ({ item }) => ({ v: item }),
});
const gather = step("gather", {
  inputs: { vs: each.output("v") },
  run: async ({ vs }) => ({ n: vs.length }),
});
export const fanout = definePipeline({
  name: "bench-fanout",
  params: { salt: { type: "string" } },
  steps: [list, each, gather],
});

export default chain;
