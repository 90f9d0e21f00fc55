// A user's features module, as `plinth features apply` would load it.
import { entity } from "../entity.ts";
import { featureService } from "../feature-service.ts";
import { featureView } from "../feature-view.ts";
import { onDemandFeatureView, requestSource } from "../on-demand-feature-view.ts";
import { pushSource } from "../push-source.ts";
import { parquetSource } from "../sources.ts";

export const driver = entity({ name: "driver", joinKeys: [{ name: "driver_id", type: "int64" }] });

const trips = parquetSource({
  name: "trips",
  path: "data/trips.parquet",
  timestampField: "event_ts",
});

export const liveTrips = pushSource({
  name: "live_trips",
  schema: [
    { name: "driver_id", type: "int64" },
    { name: "rating", type: "float64" },
    { name: "event_ts", type: "timestamp" },
  ],
  batchSource: trips,
});

export const driverStats = featureView({
  name: "driver_stats",
  entities: [driver],
  schema: [{ name: "rating", type: "float64" }],
  source: liveTrips,
  ttlSeconds: 3600,
  owner: "ml@example.test",
  tags: { team: "risk" },
});

const txn = requestSource({ name: "txn", schema: [{ name: "amount", type: "float64" }] });

export const scaled = onDemandFeatureView({
  name: "scaled",
  sources: [driverStats, txn],
  schema: [{ name: "rating_x_amount", type: "float64" }],
  transform: ({ rating, amount }) => {
    const r = rating as Float64Array;
    const a = amount as Float64Array;
    return { rating_x_amount: r.map((x, i) => x * a[i]!) };
  },
});

export const model = featureService({ name: "model_v1", features: [driverStats, scaled] });

export const notADefinition = { hello: "world" };
