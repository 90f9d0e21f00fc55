import { sql } from "kysely";
import type { MetadataStore } from "../metadata/metadata-store.ts";
import { lifecycleFilter } from "./experiments.ts";
import { loadRuns } from "./load-runs.ts";
import { decodePageToken, encodePageToken, resolveMaxResults } from "./page-token.ts";
import {
  type FilterComparison,
  type OrderByClause,
  parseOrderBy,
  parseSearchFilter,
  RUN_FILTER_GRAMMAR,
} from "./search-filter.ts";
import { comparisonSql, orderTermSql, type SearchTarget } from "./search-sql.ts";
import type { Page, Run, ViewType } from "./types.ts";
import { parseExperimentId } from "./validation.ts";

export interface RunSearch {
  experimentIds: readonly string[];
  filter?: string;
  runViewType?: ViewType;
  maxResults?: number;
  orderBy?: readonly string[];
  pageToken?: string;
}

const MAX_RESULTS = 50_000;

/** Where each entity of the run grammar lives. */
const KEY_VALUE_TABLES = {
  metric: { table: "latest_metrics", numeric: true },
  param: { table: "params", numeric: false },
  tag: { table: "tags", numeric: false },
} as const;

function targetFor(c: FilterComparison | OrderByClause): SearchTarget {
  if (c.entity === "attribute") return { kind: "column", column: `runs.${c.key}` };
  const { table, numeric } = KEY_VALUE_TABLES[c.entity];
  return { kind: "keyValue", table, ownerColumn: "run_id", outerColumn: "runs.run_id", numeric };
}

/**
 * Runs matching a filter, in the requested order (default: newest start first), one page
 * at a time. Each filter term is one index range scan of its key/value table; each
 * metric, param or tag in the order is a left join on that table's (run_id, key) key.
 * Only the page's runs are then loaded with their data, in one more query.
 */
export async function searchRuns(store: MetadataStore, query: RunSearch): Promise<Page<Run>> {
  const experimentIds = query.experimentIds.map((id, i) =>
    parseExperimentId(id, `experiment_ids[${i}]`),
  );
  const comparisons = parseSearchFilter(query.filter, RUN_FILTER_GRAMMAR);
  const orderBy = parseOrderBy(query.orderBy, RUN_FILTER_GRAMMAR);
  const limit = resolveMaxResults(query.maxResults, 1000, MAX_RESULTS);
  const offset = decodePageToken(query.pageToken);
  if (experimentIds.length === 0) return { items: [], nextPageToken: undefined };

  let q = store.db
    .selectFrom("runs")
    .selectAll("runs")
    .where("runs.experiment_id", "in", experimentIds)
    .where(lifecycleFilter(query.runViewType ?? "ACTIVE_ONLY"));
  for (const c of comparisons) q = q.where(comparisonSql(c, targetFor(c)));
  orderBy.forEach((o, i) => {
    const target = targetFor(o);
    if (target.kind === "column") {
      q = q.orderBy(orderTermSql(sql.ref(target.column), o.ascending));
      return;
    }
    // The (run_id, key) primary key makes this at most one row per run: NULL when the run
    // lacks the key, and NULLs sort last.
    const alias = `o${i}`;
    q = q.leftJoin(sql`${sql.table(target.table)}`.as(alias), (join) =>
      join.on(
        sql<boolean>`${sql.ref(`${alias}.run_id`)} = runs.run_id and ${sql.ref(`${alias}.key`)} = ${o.key}`,
      ),
    ) as unknown as typeof q;
    q = q.orderBy(orderTermSql(sql.ref(`${alias}.value`), o.ascending));
  });
  if (!orderBy.some((o) => o.entity === "attribute" && o.key === "start_time")) {
    q = q.orderBy("runs.start_time", "desc");
  }
  q = q
    .orderBy("runs.run_id", "asc")
    .limit(limit + 1)
    .offset(offset);

  const rows = await q.execute();
  return {
    items: await loadRuns(store, rows.slice(0, limit)),
    nextPageToken: rows.length > limit ? encodePageToken(offset + limit) : undefined,
  };
}
