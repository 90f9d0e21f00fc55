import { createServingFixture } from "./src/serving/testing/serving-fixture.ts";
import { createServingRuntime } from "./src/serving/runtime/create-serving-runtime.ts";
const fx = await createServingFixture();
await fx.platform.deployments.create({ name: "d", stickyKey: "driver_id", variants: [
  { name: "champion", model: fx.model, alias: "champion", weight: 90, shadow: false },
  { name: "challenger", model: fx.model, version: "2", weight: 10, shadow: false },
]});
const rt = await createServingRuntime({ platform: fx.platform, predictionLog: fx.predictionLog, pollIntervalMs: 1000 });
const json = (i: number) => JSON.stringify({ entities: { driver_id: 1001 + (i % 2) }, request: { bonus: 0.5, amount: i % 100 } });
console.error("START");
const t0 = performance.now();
for (let i = 0; i < 300000; i++) { JSON.stringify(await rt.predict("d", JSON.parse(json(i)))); if (i % 1000 === 0) await new Promise(r => setImmediate(r)); }
console.error("END", ((performance.now() - t0) * 1000 / 300000).toFixed(1), "us/req");
await rt.close(); await fx.close();
