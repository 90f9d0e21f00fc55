import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { invalidArgument, PlinthError } from "../../core/errors.ts";
import { featureValueToJson } from "../../features/online/feature-value-to-json.ts";
import type { OnlineFeatures } from "../../features/online/online-features.ts";
import type { Platform } from "../../platform.ts";
import { readInput } from "../mlflow/request-input.ts";

/** Most entity rows one online request may ask for; a model server asks for one or a few. */
export const MAX_ONLINE_ENTITY_ROWS = 1000;
/** Most rows one push may carry. */
export const MAX_PUSH_ROWS = 10_000;

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  errorMap: () => ({ message: "expected a string, number, boolean or null" }),
});
const columns = z.record(z.array(scalar, { invalid_type_error: "expected a list of values" }), {
  invalid_type_error: "expected an object of columns",
});
const onlineBody = z
  .object({
    feature_service: z.string().min(1).optional(),
    features: z.array(z.string().min(1)).min(1).max(10_000).optional(),
    entities: columns,
    full_feature_names: z.boolean().optional(),
  })
  .strict();
const pushBody = z
  .object({
    rows: z
      .array(z.record(scalar), { invalid_type_error: "expected a list of objects" })
      .optional(),
    df: columns.optional(),
  })
  .strict();

/**
 * plinth's feature-serving routes, Feast's feature-server shapes:
 * `POST /api/features/online` (entity keys in, values with statuses out, one result per
 * feature) and `POST /api/features/push/{pushSource}` (rows in).
 */
export function registerFeatureRoutes(app: FastifyInstance, platform: Platform): void {
  app.post("/api/features/online", async (req) => {
    const body = readInput(onlineBody, req);
    if ((body.feature_service === undefined) === (body.features === undefined)) {
      throw invalidArgument(
        "feature_service",
        "give exactly one of 'feature_service' or 'features'",
      );
    }
    const entityRows = columnsToRows(body.entities, "entities", MAX_ONLINE_ENTITY_ROWS);
    const store = await platform.features();
    const result = await store.getOnlineFeatures({
      features: body.feature_service ?? body.features!,
      entityRows,
      fullFeatureNames: body.full_feature_names === true,
    });
    return onlineToWire(result);
  });

  app.post("/api/features/push/:pushSource", async (req) => {
    const { pushSource } = req.params as { pushSource: string };
    const body = readInput(pushBody, req);
    if ((body.rows === undefined) === (body.df === undefined)) {
      throw invalidArgument(
        "rows",
        "give exactly one of 'rows' (a list of objects) or 'df' (columns)",
      );
    }
    if (body.rows !== undefined && body.rows.length > MAX_PUSH_ROWS) {
      throw tooMany("rows", body.rows.length, MAX_PUSH_ROWS);
    }
    const rows = body.rows ?? columnsToRows(body.df!, "df", MAX_PUSH_ROWS);
    const store = await platform.features();
    const result = await store.push(pushSource, rows);
    return {
      push_source: result.pushSource,
      rows: result.rows,
      written: result.written,
      appended_offline: result.appendedTo !== null,
    };
  });
}

/** Feast's columnar `{name: [values]}` as row objects; every column must be as long. */
function columnsToRows(
  data: Record<string, unknown[]>,
  field: string,
  max: number,
): Record<string, unknown>[] {
  const names = Object.keys(data);
  if (names.length === 0) throw invalidArgument(field, "needs at least one column");
  const n = data[names[0]!]!.length;
  for (const name of names) {
    if (data[name]!.length !== n) {
      throw invalidArgument(
        `${field}.${name}`,
        `has ${data[name]!.length} values but '${names[0]}' has ${n}; every column needs one value per row`,
      );
    }
  }
  if (n > max) throw tooMany(field, n, max);
  const rows: Record<string, unknown>[] = new Array(n);
  for (let r = 0; r < n; r++) {
    const row: Record<string, unknown> = {};
    for (const name of names) row[name] = data[name]![r];
    rows[r] = row;
  }
  return rows;
}

function tooMany(field: string, n: number, max: number): PlinthError {
  return new PlinthError(
    "PAYLOAD_TOO_LARGE",
    `'${field}' holds ${n} rows; at most ${max} per request, so split it`,
    { field },
  );
}

/** Feast's response: feature names, then per feature its values, statuses and event times. */
function onlineToWire(result: OnlineFeatures) {
  return {
    metadata: { feature_names: result.featureNames },
    results: result.featureNames.map((_, c) => ({
      values: result.rows.map((row) => featureValueToJson(row.values[c] ?? null)),
      statuses: result.rows.map((row) => row.statuses[c]),
      event_timestamps: result.rows.map((row) => row.eventTimestamps[c]?.toISOString() ?? null),
    })),
  };
}
