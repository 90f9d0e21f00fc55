import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { resolveConfig } from "../core/config.ts";
import { PlinthError } from "../core/errors.ts";
import { createLogger } from "../core/logger.ts";
import { loadFeatureDefinitions } from "../features/definitions/load-feature-definitions.ts";
import type { GateReport } from "../pipelines/builtin/training/evaluate-candidate.ts";
import { trainingPipeline } from "../pipelines/builtin/training/training-pipeline.ts";
import { runPipeline } from "../pipelines/run/run-pipeline.ts";
import { openPlatform, type Platform } from "../platform.ts";
import { type DemoMonitoring, monitorDemoTraffic } from "./monitor-demo-traffic.ts";
import { type DemoTraffic, serveDemoTraffic } from "./serve-demo-traffic.ts";
import { type DemoProject, type DemoSize, writeDemoProject } from "./write-demo-project.ts";

/** What the quickstart builds and how big. */
export interface QuickstartOptions extends DemoSize {
  /** The project directory to create (must be new or empty). */
  readonly dir: string;
  /** Where the stores go (default `<dir>/.plinth`). */
  readonly home?: string;
  /** Predictions to serve through the deployment. */
  readonly requests: number;
  /** Boosting rounds of the demo model. */
  readonly rounds: number;
  /** Called as each stage starts and ends, for the CLI's progress lines. */
  readonly onStage?: (event: QuickstartStageEvent) => void;
}

/** Progress of one stage. */
export type QuickstartStageEvent =
  | { readonly stage: string; readonly state: "started" }
  | {
      readonly stage: string;
      readonly state: "done";
      readonly ms: number;
      readonly detail: string;
    };

/** What the quickstart made, for the summary and `--json`. */
export interface QuickstartResult {
  readonly dir: string;
  /** The plinth home the project's stores live under (`<dir>/.plinth`). */
  readonly home: string;
  readonly featuresModule: string;
  readonly featureService: string;
  readonly stages: ReadonlyArray<{ stage: string; ms: number; detail: string }>;
  readonly model: {
    readonly name: string;
    readonly version: string;
    readonly alias: string;
    readonly holdoutMetrics: Readonly<Record<string, number>>;
    readonly pipelineRunId: string;
  };
  readonly deployment: string;
  readonly traffic: Omit<DemoTraffic, "from" | "to">;
  readonly monitoring: DemoMonitoring;
  readonly onlineExample: {
    readonly entity: Readonly<Record<string, number>>;
    readonly request: Readonly<Record<string, number>>;
    readonly features: Readonly<Record<string, unknown>>;
  };
}

export const QUICKSTART_MODEL = "fraud";
export const QUICKSTART_SERVICE = "fraud_v1";

/**
 * The whole loop on a demo project, in-process and embedded: write the project → apply its
 * feature definitions → materialize them online → run the built-in training pipeline (training
 * set, train, gates, register, alias `champion`) → read a card's features online as serving
 * would. Every stage uses the same code paths as the CLI and server.
 *
 * @example
 * const result = await runQuickstart({ dir: "plinth-quickstart", cards: 500, transactions: 20_000, seed: 7, rounds: 100 });
 * result.model.version; // "1"
 */
export async function runQuickstart(options: QuickstartOptions): Promise<QuickstartResult> {
  const dir = resolve(options.dir);
  const stages: Array<{ stage: string; ms: number; detail: string }> = [];
  const stage = async <T>(name: string, work: () => Promise<T>, detail: (r: T) => string) => {
    options.onStage?.({ stage: name, state: "started" });
    const started = performance.now();
    const result = await work();
    const done = {
      stage: name,
      ms: Math.round(performance.now() - started),
      detail: detail(result),
    };
    stages.push(done);
    options.onStage?.({ ...done, state: "done" });
    return result;
  };

  const project = await stage(
    "project",
    async () => writeDemoProject(dir, options),
    (p) => `${p.cards} cards, ${p.transactions} labelled transactions, features.ts in ${p.dir}`,
  );
  const home = options.home === undefined ? join(dir, ".plinth") : resolve(options.home);
  // The project's home names its features module, so `plinth serve|server|features --home`
  // find the definitions without --module. A home that already has a config is left alone.
  mkdirSync(home, { recursive: true });
  const configFile = join(home, "config.json");
  if (!existsSync(configFile)) {
    writeFileSync(configFile, `${JSON.stringify({ featuresModule: project.features }, null, 2)}\n`);
  }
  const config = resolveConfig({ overrides: { home, featuresModule: project.features } });
  const platform = await openPlatform(config, { logger: createLogger({ level: "silent" }) });
  try {
    await stage(
      "apply",
      async () =>
        platform.featureRegistry.apply(await loadFeatureDefinitions(project.features), {
          actor: "quickstart",
          module: project.features,
        }),
      (r) => `registry revision ${r.record.revision}: ${r.record.changes.length} objects added`,
    );
    await stage(
      "materialize",
      async () => (await platform.features()).materializeIncremental(new Date()),
      (views) => views.map((v) => `${v.view}: ${v.rowsWritten} rows online`).join(", "),
    );
    const model = await stage(
      "train",
      () => trainModel(platform, project, options.rounds),
      (m) =>
        `${m.name} v${m.version} (${m.alias}); holdout AUC ${m.holdoutMetrics.auc?.toFixed(4)}`,
    );
    const onlineExample = await stage(
      "online",
      () => readOnlineExample(platform),
      (e) => `card ${e.entity.card_id}: ${Object.keys(e.features).length} features`,
    );
    await stage(
      "deploy",
      () =>
        platform.deployments.create({
          name: QUICKSTART_MODEL,
          variants: [
            {
              name: "champion",
              model: QUICKSTART_MODEL,
              alias: "champion",
              weight: 100,
              shadow: false,
            },
          ],
          description: "The quickstart's fraud model, following fraud@champion",
        }),
      (d) => `deployment ${d.name}: ${d.variants.map((v) => `${v.model}@${v.alias}`).join(", ")}`,
    );
    const traffic = await stage(
      "serve",
      () =>
        serveDemoTraffic(platform, {
          deployment: QUICKSTART_MODEL,
          cards: options.cards,
          requests: options.requests,
          seed: options.seed,
        }),
      (t) =>
        `${t.requests} predictions served and logged (${t.logged}); ${(t.flaggedShare * 100).toFixed(1)}% flagged`,
    );
    const monitoring = await stage(
      "monitor",
      () =>
        monitorDemoTraffic(platform, {
          deployment: QUICKSTART_MODEL,
          model: QUICKSTART_MODEL,
          from: traffic.from,
          to: traffic.to,
          out: join(dir, "monitoring-report.html"),
        }),
      (m) =>
        `${m.drifted.length} of ${m.tested} columns drifted (${m.drifted.join(", ") || "none"}); report in ${m.report}`,
    );
    return {
      dir,
      home,
      featuresModule: project.features,
      featureService: QUICKSTART_SERVICE,
      stages,
      model,
      deployment: QUICKSTART_MODEL,
      traffic: {
        requests: traffic.requests,
        flaggedShare: traffic.flaggedShare,
        example: traffic.example,
        logged: traffic.logged,
      },
      monitoring,
      onlineExample,
    };
  } finally {
    await platform.close();
  }
}

async function trainModel(
  platform: Platform,
  project: DemoProject,
  rounds: number,
): Promise<QuickstartResult["model"]> {
  const run = await runPipeline(trainingPipeline, {
    platform,
    triggeredBy: "quickstart",
    params: {
      features: project.features,
      feature_service: QUICKSTART_SERVICE,
      entities: project.labels,
      label: "is_fraud",
      model_name: QUICKSTART_MODEL,
      trainer_params: JSON.stringify({
        numRounds: rounds,
        maxDepth: 6,
        learningRate: 0.1,
        seed: 7,
      }),
      gates: JSON.stringify({ thresholds: [{ metric: "auc", min: 0.6 }] }),
    },
  });
  if (run.status !== "succeeded") {
    const failed = run.steps.find((s) => s.status === "failed");
    throw new PlinthError(
      "PIPELINES_STEP_FAILED",
      `The training pipeline failed at step '${failed?.step}': ${failed?.error?.message ?? run.status}. See 'plinth pipeline show ${run.runId} --home ${platform.config.home}'`,
      { field: failed?.step ?? "training" },
    );
  }
  const report = (await run.output("evaluate", "report")) as GateReport;
  const registered = (await run.output("register", "version")) as string;
  const moved = (await run.output("register", "aliasMoved")) as boolean;
  return {
    name: QUICKSTART_MODEL,
    version: registered,
    alias: moved ? "champion" : "(none: gates failed)",
    holdoutMetrics: report.candidate.metrics,
    pipelineRunId: run.runId,
  };
}

async function readOnlineExample(platform: Platform): Promise<QuickstartResult["onlineExample"]> {
  const store = await platform.features();
  const reader = store.onlineReader(QUICKSTART_SERVICE);
  const entity = { card_id: 7 };
  const request = { amount: 480 };
  const v = await reader.get(entity, { requestData: [request] });
  const features: Record<string, unknown> = {};
  reader.featureNames.forEach((name, i) => {
    const value = v.values[i];
    features[name] = typeof value === "bigint" ? Number(value) : value;
  });
  return { entity, request, features };
}
