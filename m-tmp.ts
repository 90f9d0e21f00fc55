import { createServingFixture } from "./src/serving/testing/serving-fixture.ts";
import { createServingRuntime } from "./src/serving/runtime/create-serving-runtime.ts";
import { loadServedModel } from "./src/serving/models/load-served-model.ts";
const fx = await createServingFixture();
await fx.platform.deployments.create({ name: "d", stickyKey: "driver_id", variants: [
  { name: "champion", model: fx.model, alias: "champion", weight: 90, shadow: false },
  { name: "challenger", model: fx.model, version: "2", weight: 10, shadow: false },
]});
const rtLog = await createServingRuntime({ platform: fx.platform, predictionLog: fx.predictionLog, pollIntervalMs: 1000 });
const rtNoLog = await createServingRuntime({ platform: fx.platform, pollIntervalMs: 1000 });
const fs = await fx.platform.features();
const reader = fs.onlineReader("driver_v1");
const model = await loadServedModel(fx.platform, fx.model, "1");
const paris = model.categoryCodes[2]!;
const json = (i: number) => JSON.stringify({ entities: { driver_id: 1001 + (i % 2) }, request: { bonus: 0.5, amount: i % 100 } });
async function raw(text: string) {
  const b = JSON.parse(text);
  const v = await reader.get(b.entities, { requestData: [b.request] });
  const row = new Float64Array(6);
  for (let j = 0; j < 5; j++) { const x = v.values[j + 1]; row[j] = x === null ? NaN : typeof x === "string" ? (paris.get(x) ?? NaN) : Number(x); }
  row[5] = b.request.amount;
  const out = model.predict(row, 1);
  return JSON.stringify({ outputs: { probability: out[0] } });
}
const N = 60000;
async function time(label: string, f: (t: string) => Promise<unknown>) {
  for (let i = 0; i < 5000; i++) await f(json(i));
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await f(json(i));
  const us = ((performance.now() - t0) * 1000) / N;
  console.log(`${label}: ${us.toFixed(1)} µs/req (${(1e6 / us).toFixed(0)} req/s)`);
}
for (let rep = 0; rep < 2; rep++) {
  await time("raw lookup+predict", raw);
  await time("runtime, no log", async (t) => JSON.stringify(await rtNoLog.predict("d", JSON.parse(t))));
  await time("runtime, with log", async (t) => JSON.stringify(await rtLog.predict("d", JSON.parse(t))));
}
await rtLog.close(); await rtNoLog.close(); await fx.close();
