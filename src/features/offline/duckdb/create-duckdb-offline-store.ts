import { invalidArgument, PlinthError } from "../../../core/errors.ts";
import { isIdentifier } from "../../definitions/assert-identifier.ts";
import type { FeatureDefinitions } from "../../definitions/feature-definitions.ts";
import { type FeatureService, featureService } from "../../definitions/feature-service.ts";
import type { FeatureView } from "../../definitions/feature-view.ts";
import type { EntityInput } from "../entity-input.ts";
import type {
  FeatureSelection,
  HistoricalFeaturesOptions,
  OfflineStore,
} from "../offline-store.ts";
import type { RetrievalJob } from "../retrieval-job.ts";
import { planRetrieval } from "../retrieval-plan.ts";
import { createDuckDbRetrievalJob } from "./duckdb-retrieval-job.ts";
import { pullLatestRows } from "./pull-latest-rows.ts";

/**
 * The embedded offline store: point-in-time joins run inside DuckDB over the sources'
 * Parquet, CSV or SQL. Each retrieval job gets its own in-memory database.
 *
 * `service` is a FeatureService, the name of one in `definitions`, or a list of feature
 * references (`"view:feature"`, or `"view"` for all of its features; on-demand views by
 * name). Problems with the request itself — an unknown service, view or feature, a name
 * collision — throw at once; problems with the data reject the job's first call.
 *
 * @example
 * const defs = await loadFeatureDefinitions("features.ts");
 * const store = createDuckDbOfflineStore(defs);
 * const job = store.getHistoricalFeatures({ parquet: "labels.parquet" }, "fraud_v1");
 * const manifest = await job.toParquet("train.parquet");
 * await job.close();
 */
export function createDuckDbOfflineStore(definitions: FeatureDefinitions): OfflineStore {
  return {
    getHistoricalFeatures(
      entities: EntityInput,
      service: FeatureSelection,
      options: HistoricalFeaturesOptions = {},
    ): RetrievalJob {
      const timestampColumn = options.timestampColumn ?? "event_timestamp";
      if (!isIdentifier(timestampColumn)) {
        throw invalidArgument(
          "timestampColumn",
          `${JSON.stringify(timestampColumn)} is not a column identifier`,
        );
      }
      const batch = options.onDemandBatchSize;
      if (batch !== undefined && (!Number.isSafeInteger(batch) || batch < 1)) {
        throw invalidArgument("onDemandBatchSize", "must be a positive integer");
      }
      const resolved = resolveService(definitions, service);
      const plan = planRetrieval(resolved, { fullFeatureNames: options.fullFeatureNames === true });
      for (const p of plan.views) {
        if (!p.view.offline) {
          throw invalidArgument(
            p.view.name,
            `Feature view '${p.view.name}' is not offline (offline: false)`,
          );
        }
      }
      return createDuckDbRetrievalJob(plan, entities, definitions.baseDir, options);
    },
    pullLatest: (view, window) => pullLatestRows(view, window, definitions.baseDir),
  };
}

/** Resolves a FeatureSelection against the definitions (also used by the online reader). */
export function resolveService(
  definitions: FeatureDefinitions,
  service: FeatureSelection,
): FeatureService {
  if (typeof service === "string") {
    const found = definitions.featureServices.get(service);
    if (found === undefined) {
      const known =
        [...definitions.featureServices.keys()].map((n) => `'${n}'`).join(", ") || "none";
      throw new PlinthError(
        "FEATURES_UNKNOWN_SERVICE",
        `No feature service '${service}'; defined: ${known}`,
        {
          field: service,
        },
      );
    }
    return found;
  }
  if (!Array.isArray(service)) {
    if ((service as { kind?: unknown } | null)?.kind === "featureService") {
      return service as FeatureService;
    }
    throw invalidArgument(
      "features",
      "pass a feature service, the name of one, or a list of 'view:feature' references",
    );
  }
  if (service.length === 0) {
    throw invalidArgument("features", "the list of feature references is empty");
  }
  const items = (service as readonly unknown[]).map((ref) => {
    if (typeof ref !== "string") {
      throw invalidArgument(
        "features",
        `feature references are strings such as 'view:feature', got ${typeof ref}`,
      );
    }
    const [viewName, feature, extra] = String(ref).split(":");
    const view: FeatureView | undefined = definitions.featureViews.get(viewName ?? "");
    const odfv = definitions.onDemandFeatureViews.get(viewName ?? "");
    if (extra !== undefined || (view === undefined && odfv === undefined)) {
      throw new PlinthError(
        "FEATURES_UNKNOWN_VIEW",
        `Feature reference '${ref}' names no feature view or on-demand view`,
        {
          field: String(ref),
        },
      );
    }
    if (odfv !== undefined) {
      if (feature !== undefined) {
        throw new PlinthError(
          "FEATURES_UNKNOWN_FEATURE",
          `Use on-demand view '${viewName}' whole, not '${ref}'`,
          {
            field: String(ref),
          },
        );
      }
      return odfv;
    }
    return feature === undefined ? view! : view!.select([feature]);
  });
  return featureService({ name: "ad_hoc", features: items });
}
