import { entity } from "../../definitions/entity.ts";
import { defineFeatures, type FeatureDefinitions } from "../../definitions/feature-definitions.ts";
import { featureService } from "../../definitions/feature-service.ts";
import { featureView } from "../../definitions/feature-view.ts";
import { onDemandFeatureView, requestSource } from "../../definitions/on-demand-feature-view.ts";
import { pushSource } from "../../definitions/push-source.ts";
import { parquetSource } from "../../definitions/sources.ts";
import type { ValueType } from "../../definitions/value-type.ts";

/** What a test varies in the fraud definitions; every field has a default. */
export interface FraudVariant {
  readonly keyType?: ValueType;
  readonly ratingType?: ValueType;
  readonly ttlSeconds?: number;
  readonly description?: string;
  /** Also define feature `acceptance` on driver_stats. */
  readonly withAcceptance?: boolean;
  /** Leave feature `trips` out of driver_stats (and so out of the service). */
  readonly withoutTrips?: boolean;
  /** Define the view `city_stats`, which no service reads. */
  readonly withCityStats?: boolean;
  readonly withService?: boolean;
  readonly withPushSource?: boolean;
  /** The on-demand transform's factor: a different number is different code. */
  readonly scale?: 2 | 3;
}

/**
 * A small fraud feature repo: an entity, a push source, two views, an on-demand view and a
 * service, with knobs for each kind of change a registry plan must classify.
 *
 * @example
 * const before = fraudDefinitions();
 * const after = fraudDefinitions({ ratingType: "string" }); // a breaking type change
 */
export function fraudDefinitions(variant: FraudVariant = {}): FeatureDefinitions {
  const driver = entity({
    name: "driver",
    joinKeys: [{ name: "driver_id", type: variant.keyType ?? "int64" }],
  });
  const trips = parquetSource({
    name: "trips",
    path: "data/trips.parquet",
    timestampField: "event_ts",
  });
  const live = pushSource({
    name: "live_trips",
    schema: [
      { name: "driver_id", type: variant.keyType ?? "int64" },
      { name: "rating", type: "float64" },
      { name: "event_ts", type: "timestamp" },
    ],
    batchSource: trips,
  });
  const driverStats = featureView({
    name: "driver_stats",
    entities: [driver],
    schema: [
      { name: "rating", type: variant.ratingType ?? "float64" },
      ...(variant.withoutTrips === true ? [] : [{ name: "trips", type: "int64" as const }]),
      ...(variant.withAcceptance === true
        ? [{ name: "acceptance", type: "float64" as const }]
        : []),
    ],
    source: variant.withPushSource === false ? trips : live,
    ttlSeconds: variant.ttlSeconds ?? 3600,
    owner: "risk@example.test",
    tags: { team: "risk" },
    description: variant.description ?? "per-driver trip statistics",
  });
  const cityStats = featureView({
    name: "city_stats",
    entities: [driver],
    schema: [{ name: "city_trips", type: "int64" }],
    source: trips,
  });
  const txn = requestSource({ name: "txn", schema: [{ name: "amount", type: "float64" }] });
  const scaled = onDemandFeatureView({
    name: "scaled",
    sources: [driverStats.select(["rating"]), txn],
    schema: [{ name: "rating_x_amount", type: "float64" }],
    transform:
      variant.scale === 3
        ? ({ rating, amount }) => ({
            rating_x_amount: (rating as Float64Array).map(
              (r, i) => 3 * r * (amount as Float64Array)[i]!,
            ),
          })
        : ({ rating, amount }) => ({
            rating_x_amount: (rating as Float64Array).map(
              (r, i) => 2 * r * (amount as Float64Array)[i]!,
            ),
          }),
  });
  const service = featureService({
    name: "fraud_v1",
    features: [
      driverStats.select(variant.withoutTrips === true ? ["rating"] : ["rating", "trips"]),
      scaled,
    ],
  });
  return defineFeatures([
    driver,
    ...(variant.withPushSource === false ? [] : [live]),
    driverStats,
    ...(variant.withCityStats === true ? [cityStats] : []),
    scaled,
    ...(variant.withService === false ? [] : [service]),
  ]);
}
