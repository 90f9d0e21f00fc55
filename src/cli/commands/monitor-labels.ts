import { invalidArgument } from "../../core/errors.ts";
import { parseTime } from "../../http/monitoring/parse-time.ts";
import { createLabelStore } from "../../monitoring/labels/create-label-store.ts";
import { ingestLabelFile } from "../../monitoring/labels/ingest-label-file.ts";
import { createPredictionLogReader } from "../../serving/prediction-log/create-prediction-log-reader.ts";
import { checkDeploymentName } from "../../serving/prediction-log/segment-key.ts";
import { type OptionValues, withPlatform } from "../command.ts";
import { type CommandIO, emit } from "../output.ts";
import { createProgressBar } from "../progress-bar.ts";
import { formatNumber, renderTable } from "../table.ts";
import { listFlag, required } from "./monitor-flags.ts";

export const LABELS_USAGE = `plinth monitor labels ingest --deployment D FILE [--label COLUMN] [--request-id COLUMN]
             [--entity C1,C2 --time COLUMN] [--labelled-at COLUMN] [--from TIME --to TIME] [--json]
plinth monitor labels coverage --deployment D --from TIME --to TIME [--json]

labels ingest: stores delayed labels from NDJSON (one {"requestId"|"entities"+"at", "label"}
per line), CSV, Parquet or Arrow (a request_id column, or --entity columns and a --time column);
every row is checked first, so a bad one stores nothing. A re-sent label replaces the stored one.
With --from/--to the labels are matched against that log window and the strays reported.
labels coverage: how many of the window's logged predictions have a label (TIME: epoch ms or ISO-8601).`;

/** `plinth monitor labels ingest|coverage`. */
export async function monitorLabels(
  args: readonly string[],
  values: OptionValues,
  io: CommandIO,
): Promise<number> {
  const [verb, ...rest] = args;
  const deployment = checkDeploymentName(
    required(values, "deployment", "the deployment the labels are for"),
  );
  if (verb === "ingest") {
    const [file, ...extra] = rest;
    if (file === undefined) throw invalidArgument("FILE", "name the label file to ingest");
    if (extra.length > 0) throw invalidArgument("labels", `unexpected argument '${extra[0]}'`);
    const window =
      values.from === undefined && values.to === undefined
        ? undefined
        : {
            from: parseTime(required(values, "from", "the window to match against"), "from"),
            to: parseTime(required(values, "to", "the window to match against"), "to"),
          };
    if (window !== undefined && window.to <= window.from) {
      throw invalidArgument("to", "must be after --from");
    }
    return withPlatform(values, async (platform) => {
      const bar = createProgressBar({ label: "labels ingest", total: 1, enabled: !io.json });
      const matchAgainst =
        window === undefined
          ? undefined
          : await createPredictionLogReader(platform.artifacts).read({ deployment, ...window });
      const result = await ingestLabelFile(createLabelStore(platform.metadata), deployment, file, {
        ...(typeof values.label === "string" ? { label: values.label } : {}),
        ...(typeof values["request-id"] === "string" ? { requestId: values["request-id"] } : {}),
        ...(typeof values.entity === "string" ? { entities: listFlag(values.entity) } : {}),
        ...(typeof values.time === "string" ? { time: values.time } : {}),
        ...(typeof values["labelled-at"] === "string" ? { labelledAt: values["labelled-at"] } : {}),
        onProgress: (done, total) => bar.update(done / Math.max(1, total)),
        ...(matchAgainst === undefined ? {} : { matchAgainst }),
      });
      bar.finish();
      emit(
        io,
        { deployment, ...result },
        () =>
          `Ingested ${result.received} labels for ${deployment}: ${result.inserted} new, ${result.replaced} replaced (${result.byRequestId} by request id, ${result.byEntity} by entity)${result.unmatched === undefined ? "" : `; ${result.unmatched} match no prediction in the window${result.unmatched === 0 ? "" : ` (${result.unmatchedSample!.join(", ")})`}`}`,
      );
      return 0;
    });
  }
  if (verb === "coverage") {
    if (rest.length > 0) throw invalidArgument("labels", `unexpected argument '${rest[0]}'`);
    const from = parseTime(required(values, "from", "the window start"), "from");
    const to = parseTime(required(values, "to", "the window end"), "to");
    if (to <= from) throw invalidArgument("to", "must be after --from");
    return withPlatform(values, async (platform) => {
      const records = await createPredictionLogReader(platform.artifacts).read({
        deployment,
        from,
        to,
      });
      const c = await createLabelStore(platform.metadata).coverage(
        deployment,
        { from, to },
        records,
      );
      emit(io, c, () =>
        [
          `${deployment} ${new Date(from).toISOString()} .. ${new Date(to).toISOString()}: ${c.labelled} of ${c.predictions} predictions labelled (${c.coverage === null ? "no data" : `${formatNumber(c.coverage * 100)}%`}), ${c.unmatched} unmatched labels`,
          renderTable(
            ["variant", "predictions", "labelled"],
            Object.entries(c.byVariant).map(([v, n]) => [
              v,
              String(n.predictions),
              String(n.labelled),
            ]),
          ),
        ].join("\n"),
      );
      return 0;
    });
  }
  throw invalidArgument(
    "labels",
    `expected 'labels ingest' or 'labels coverage', got '${verb ?? ""}'. Usage:\n${LABELS_USAGE}`,
  );
}
