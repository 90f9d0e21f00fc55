import { invalidArgument } from "../../core/errors.ts";
import { parseTime } from "../../http/monitoring/parse-time.ts";
import { createMetadataAlertStore } from "../../monitoring/alerts/metadata/create-metadata-alert-store.ts";
import { createPlatformMonitoringContext } from "../../monitoring/loop/create-platform-monitoring-context.ts";
import {
  alertEventJson,
  alertStateJson,
  alertWindowJson,
  decisionJson,
} from "../../monitoring/loop/monitoring-json.ts";
import { runMonitoringOnce } from "../../monitoring/loop/run-monitoring-once.ts";
import { checkSkew } from "../../monitoring/skew/check-skew.ts";
import { createPipelineService } from "../../pipelines/service/create-pipeline-service.ts";
import { createPredictionLogReader } from "../../serving/prediction-log/create-prediction-log-reader.ts";
import { type OptionValues, withPlatform } from "../command.ts";
import { type CommandIO, emit } from "../output.ts";
import { createProgressBar } from "../progress-bar.ts";
import { formatNumber, formatTime, renderTable } from "../table.ts";

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** Usage of the loop verbs, appended to `plinth monitor --help`. */
export const MONITOR_LOOP_USAGE = `plinth monitor alerts [--deployment D] [--limit N] [--json]
plinth monitor run [--deployment D] [--json]

alerts: the alert history (fired, resolved, no_data, error; newest first) and each rule's state.
run: evaluates the alert rules and retraining policies of config.json once now, waits for any
retraining it starts, and prints every decision with its evidence (the server does this every
monitoring.intervalSeconds).`;

function deploymentFlag(values: OptionValues): string | undefined {
  const d = values.deployment;
  if (d === undefined) return undefined;
  if (typeof d !== "string" || !NAME.test(d)) {
    throw invalidArgument(
      "deployment",
      "expected a deployment name (letters, digits, '_', '.', '-')",
    );
  }
  return d;
}

/** `plinth monitor alerts`. */
export async function monitorAlerts(values: OptionValues, io: CommandIO): Promise<number> {
  const deployment = deploymentFlag(values);
  let limit = 50;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!/^\d{1,5}$/.test(String(values.limit)) || limit < 1 || limit > 10_000) {
      throw invalidArgument("limit", "expected an integer from 1 to 10000");
    }
  }
  return withPlatform(values, async (platform) => {
    const store = createMetadataAlertStore(platform.metadata);
    const events = await store.listEvents({
      ...(deployment === undefined ? {} : { deployment }),
      limit,
    });
    const states = await store.listStates(deployment);
    emit(io, { alerts: events.map(alertEventJson), states: states.map(alertStateJson) }, () =>
      [
        renderTable(
          ["RULE", "DEPLOYMENT", "STATE", "METRIC", "LAST VALUE", "LAST WINDOW END"],
          states.map((s) => [
            s.rule,
            s.deployment,
            s.state,
            s.metric,
            s.lastValue === null ? "-" : formatNumber(s.lastValue),
            formatTime(s.lastWindowEnd),
          ]),
        ),
        "",
        events.length === 0
          ? "No alert history."
          : renderTable(
              ["AT", "RULE", "KIND", "WINDOW", "VALUE", "MESSAGE"],
              events.map((e) => [
                formatTime(e.createdAt),
                e.rule,
                e.kind,
                `${formatTime(e.windowStart)} .. ${formatTime(e.windowEnd)}`,
                e.value === null ? "-" : formatNumber(e.value),
                e.message,
              ]),
            ),
      ].join("\n"),
    );
    return 0;
  });
}

/** `plinth monitor run`. */
export async function monitorRun(values: OptionValues, io: CommandIO): Promise<number> {
  const deployment = deploymentFlag(values);
  return withPlatform(values, async (platform) => {
    const service = createPipelineService({
      platform,
      executor: platform.config.pipelines.executor,
    });
    const { context, notifier } = createPlatformMonitoringContext(platform, service);
    const bar = createProgressBar({ label: "monitor run", total: 4, enabled: !io.json });
    try {
      const pass = await runMonitoringOnce(context, {
        now: Date.now(),
        wait: true,
        ...(deployment === undefined ? {} : { deployment }),
        onStage: (stage, label) => bar.update(stage - 1, label),
      });
      bar.update(4, "done");
      bar.finish();
      // Webhooks of this pass are delivered (or given up) before the process exits.
      await notifier.drain();
      emit(
        io,
        { alerts: pass.alerts.map(alertWindowJson), decisions: pass.decisions.map(decisionJson) },
        () =>
          [
            pass.alerts.length === 0
              ? "No alert windows to evaluate."
              : renderTable(
                  ["RULE", "WINDOW END", "VALUE", "STATE", "EVENT"],
                  pass.alerts.map((a) => [
                    a.rule,
                    formatTime(a.windowEnd),
                    a.value === null ? "-" : formatNumber(a.value),
                    a.state,
                    a.event?.kind ?? "",
                  ]),
                ),
            "",
            pass.decisions.length === 0
              ? "No retraining decisions."
              : renderTable(
                  ["POLICY", "DEPLOYMENT", "OUTCOME", "RUN", "VERSION", "REASON"],
                  pass.decisions.map((d) => [
                    d.policy,
                    d.deployment,
                    d.outcome,
                    d.pipelineRunId ?? "",
                    d.modelVersion ?? "",
                    d.reason,
                  ]),
                ),
          ].join("\n"),
      );
      return 0;
    } finally {
      bar.finish();
      await notifier.close();
      await service.close();
    }
  });
}

/** Usage of `plinth monitor skew`, appended to `plinth monitor --help`. */
export const MONITOR_SKEW_USAGE = `plinth monitor skew --deployment D --service S --from TIME --to TIME [--sample N]
             [--tolerance F] [--json]

skew: recomputes a sample (default 1000) of the window's logged predictions offline through the
feature store (featuresModule) and prints per feature the compared count, mismatch rate, mean and
max absolute difference, and examples.`;

/** `plinth monitor skew`. */
export async function monitorSkew(values: OptionValues, io: CommandIO): Promise<number> {
  const deployment = deploymentFlag(values);
  if (deployment === undefined)
    throw invalidArgument("deployment", "is required: the deployment whose log to check");
  const service = values.service;
  if (typeof service !== "string" || service === "") {
    throw invalidArgument("service", "is required: the feature service the deployment serves");
  }
  const from = parseTime(typeof values.from === "string" ? values.from : "", "from");
  const to = parseTime(typeof values.to === "string" ? values.to : "", "to");
  if (to <= from) throw invalidArgument("to", "must be after --from");
  const sample = values.sample === undefined ? undefined : Number(values.sample);
  if (
    sample !== undefined &&
    !(Number.isSafeInteger(sample) && sample >= 1 && sample <= 1_000_000)
  ) {
    throw invalidArgument("sample", "expected an integer from 1 to 1000000");
  }
  const tolerance = values.tolerance === undefined ? undefined : Number(values.tolerance);
  if (tolerance !== undefined && !(Number.isFinite(tolerance) && tolerance >= 0)) {
    throw invalidArgument("tolerance", "expected a finite number >= 0");
  }
  return withPlatform(values, async (platform) => {
    const records = await createPredictionLogReader(platform.artifacts).read({
      deployment,
      from,
      to,
    });
    const report = await checkSkew({
      featureStore: await platform.features(),
      records: records.filter((r) => !r.shadow),
      featureService: service,
      ...(sample === undefined ? {} : { sample }),
      ...(tolerance === undefined ? {} : { tolerance }),
    });
    emit(io, report, () =>
      [
        `${report.sampled} of ${report.records} logged predictions recomputed offline (${report.featureService}); ` +
          `${report.entitiesMissingOffline} with no offline value, ${report.skippedRecords.length} skipped`,
        renderTable(
          [
            "FEATURE",
            "KIND",
            "COMPARED",
            "MISMATCHES",
            "RATE",
            "MEAN |DIFF|",
            "MAX |DIFF|",
            "MISSING OFFLINE",
            "NOT LOGGED",
          ],
          report.features.map((f) => [
            f.feature,
            f.kind,
            String(f.compared),
            String(f.mismatches),
            f.mismatchRate === null ? "-" : formatNumber(f.mismatchRate),
            f.meanAbsDiff === null ? "-" : formatNumber(f.meanAbsDiff),
            f.maxAbsDiff === null ? "-" : formatNumber(f.maxAbsDiff),
            String(f.missingOffline),
            String(f.notLogged),
          ]),
        ),
        ...report.skippedFeatures.map((s) => `skipped ${s.feature}: ${s.reason}`),
      ].join("\n"),
    );
    return 0;
  });
}
