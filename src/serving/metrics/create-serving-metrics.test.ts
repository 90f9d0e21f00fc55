import assert from "node:assert/strict";
import { test } from "node:test";
import { createServingMetrics } from "./create-serving-metrics.ts";
import { LATENCY_BUCKETS_MS } from "./serving-metrics.ts";

function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  assert.ok(line, `no sample ${series}`);
  return Number(line.slice(series.length + 1));
}

test("histograms count each observation in its bucket, cumulatively, in seconds", () => {
  const metrics = createServingMetrics();
  const v = metrics.deployment("fraud").variant("champion");
  for (const ms of [0.05, 0.1, 0.7, 4, 4, 3000]) v.observe(ms, 2);
  const text = metrics.toPrometheus();
  const labels = 'deployment="fraud",variant="champion"';
  assert.equal(
    sample(text, `plinth_serving_request_duration_seconds_bucket{${labels},le="0.0001"}`),
    2,
  );
  assert.equal(
    sample(text, `plinth_serving_request_duration_seconds_bucket{${labels},le="0.001"}`),
    3,
  );
  assert.equal(
    sample(text, `plinth_serving_request_duration_seconds_bucket{${labels},le="0.005"}`),
    5,
  );
  assert.equal(
    sample(text, `plinth_serving_request_duration_seconds_bucket{${labels},le="2.5"}`),
    5,
  );
  assert.equal(
    sample(text, `plinth_serving_request_duration_seconds_bucket{${labels},le="+Inf"}`),
    6,
  );
  assert.equal(sample(text, `plinth_serving_request_duration_seconds_count{${labels}}`), 6);
  assert.ok(
    Math.abs(sample(text, `plinth_serving_request_duration_seconds_sum{${labels}}`) - 3.00885) <
      1e-9,
  );
  assert.equal(sample(text, `plinth_serving_requests_total{${labels}}`), 6);
  assert.equal(sample(text, `plinth_serving_rows_total{${labels}}`), 12);
  assert.equal(
    text
      .split("\n")
      .filter((l) => l.startsWith(`plinth_serving_request_duration_seconds_bucket{${labels}`))
      .length,
    LATENCY_BUCKETS_MS.length + 1,
  );
});

test("errors, missing features, swaps; unknown deployments pooled; labels escaped; drop forgets", () => {
  const metrics = createServingMetrics();
  const d = metrics.deployment('we"ird\\name');
  d.countMissing("conv\nrate", 3);
  d.countMissing("conv\nrate", 2);
  d.observeFeatureLookup(0.3);
  metrics.countError('we"ird\\name', "SERVING_INVALID_INPUT");
  metrics.countError("never-served", "DEPLOYMENT_NOT_FOUND");
  metrics.countError("another", "DEPLOYMENT_NOT_FOUND");
  metrics.countSwap('we"ird\\name', "champion");
  const text = metrics.toPrometheus();
  const dl = 'deployment="we\\"ird\\\\name"';
  assert.equal(
    sample(text, `plinth_serving_missing_features_total{${dl},feature="conv\\nrate"}`),
    5,
  );
  assert.equal(sample(text, `plinth_serving_errors_total{${dl},code="SERVING_INVALID_INPUT"}`), 1);
  assert.equal(
    sample(text, 'plinth_serving_errors_total{deployment="_unknown",code="DEPLOYMENT_NOT_FOUND"}'),
    2,
  );
  assert.equal(sample(text, `plinth_serving_model_swaps_total{${dl},variant="champion"}`), 1);
  assert.equal(sample(text, `plinth_serving_feature_lookup_duration_seconds_count{${dl}}`), 1);
  assert.doesNotMatch(text, /never-served|another/);
  metrics.drop('we"ird\\name');
  assert.doesNotMatch(metrics.toPrometheus(), /ird/);
});
