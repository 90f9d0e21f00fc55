import { readFile } from "node:fs/promises";
import { PlinthError } from "../../core/errors.ts";
import { readDataset } from "../../training/dataset/read-dataset.ts";
import { columnNames } from "../report/read-monitoring-table.ts";

/** Which columns of a label file hold what. */
export interface LabelFileColumns {
  /** The label column (default `label`). */
  readonly label?: string;
  /** The request id column (default `request_id`, when the file has it). */
  readonly requestId?: string;
  /** Entity key columns, for labels by entity and time. */
  readonly entities?: readonly string[];
  /** The event time column (epoch ms) of entity labels (default `at`). */
  readonly time?: string;
  /** When each label was observed, epoch ms (default: ingest time). */
  readonly labelledAt?: string;
}

/**
 * Reads label rows from an NDJSON file (one label object per line, as the REST API takes
 * them), or from a CSV, Parquet or Arrow table with a request-id column or entity columns and
 * an event-time column. Rows come back unchecked; `parseLabels` checks them.
 *
 * @throws PlinthError `MONITORING_INVALID_LABEL` for a line that is not JSON or a missing
 * column; the dataset readers' TRAINING_INVALID_DATA for an unreadable table.
 */
export async function readLabelFile(
  path: string,
  columns: LabelFileColumns = {},
): Promise<unknown[]> {
  if (/\.(ndjson|jsonl)$/i.test(path)) return readNdjson(path);
  const names = new Set(await columnNames(path));
  const label = columns.label ?? "label";
  const requestId = columns.requestId ?? (names.has("request_id") ? "request_id" : undefined);
  const entities = columns.entities ?? [];
  const time = columns.time ?? "at";
  for (const [field, name] of [
    ["label", label],
    ["requestId", requestId],
    ...entities.map((e) => ["entities", e] as const),
    ["time", entities.length > 0 ? time : undefined],
    ["labelledAt", columns.labelledAt],
  ] as const) {
    if (name !== undefined && !names.has(name)) {
      throw new PlinthError(
        "MONITORING_INVALID_LABEL",
        `'${path}' has no column '${name}' (${field})`,
        { field },
      );
    }
  }
  if (requestId === undefined && entities.length === 0) {
    throw new PlinthError(
      "MONITORING_INVALID_LABEL",
      `'${path}' has no request_id column; name one with --request-id, or entity columns with --entity`,
      { field: "requestId" },
    );
  }
  const data = await readDataset(path, { categorical: requestId === undefined ? [] : [requestId] });
  const column = (name: string) => data.features.find((c) => c.name === name)!;
  const value = (name: string, row: number): string | number | undefined => {
    const c = column(name);
    if (c.kind === "numeric") return Number.isNaN(c.values[row]!) ? undefined : c.values[row]!;
    const code = c.codes[row]!;
    return code < 0 ? undefined : c.dictionary[code];
  };
  const labelColumn = column(label);
  return Array.from({ length: data.numRows }, (_, row) => {
    const out: Record<string, unknown> = {
      // A text label cell is refused by parseLabels as "must be a number".
      label: labelColumn.kind === "numeric" ? labelColumn.values[row] : value(label, row),
    };
    if (requestId !== undefined) out.requestId = value(requestId, row);
    else {
      out.entities = Object.fromEntries(entities.map((e) => [e, value(e, row)]));
      out.at = value(time, row);
    }
    if (columns.labelledAt !== undefined) out.labelledAt = value(columns.labelledAt, row);
    return out;
  });
}

async function readNdjson(path: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new PlinthError("MONITORING_INVALID_LABEL", `'${path}' cannot be read`, {
      field: path,
      cause,
    });
  }
  const rows: unknown[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      rows.push(JSON.parse(line));
    } catch {
      throw new PlinthError("MONITORING_INVALID_LABEL", `'${path}' line ${i + 1} is not JSON`, {
        field: `line ${i + 1}`,
      });
    }
  });
  return rows;
}
