import { setMaxListeners } from "node:events";
import { isPlinthError, PlinthError } from "../../core/errors.ts";
import { LIMITS } from "../../tracking/validation.ts";
import type { Pipeline } from "../definition/define-pipeline.ts";
import type { InputRef } from "../definition/input-ref.ts";
import type { ParamValues } from "../definition/param-spec.ts";
import type { StepDefinition } from "../definition/step.ts";
import { attemptLoggedOf } from "../executors/failed-attempt.ts";
import type { StepExecutor } from "../executors/step-executor.ts";
import type { StepTaskResult } from "../executors/step-task.ts";
import type { PipelineRunStore } from "../state/pipeline-run-store.ts";
import type { StepError, StepRunRecord, StepRunStatus } from "../state/pipeline-run-types.ts";
import { type ConcurrencyLimiter, cancelled } from "./concurrency-limiter.ts";
import type { OutputStore, StoredOutput } from "./output-store.ts";
import type { PipelineEvent } from "./pipeline-event.ts";
import { runAttempts } from "./run-attempts.ts";
import { type InputSnapshot, stepCacheKey, stepCodeVersion } from "./step-cache-key.ts";
import { type PipelineTracking, PIPELINE_TAGS as TAG } from "./step-tracking.ts";

/** How one step of a run ended: its outputs, or the status that stops its readers. */
export type StepOutcome =
  | { ok: true; outputs: Readonly<Record<string, StoredOutput>> }
  | { ok: false; status: StepRunStatus };

/** What the step runner works with: one run's ids, params, stores and executor. */
export interface StepRunnerDeps {
  pipeline: Pipeline;
  runId: string;
  params: ParamValues;
  parentTrackingRunId: string;
  moduleUrl: string | undefined;
  store: PipelineRunStore;
  outputs: OutputStore;
  tracking: PipelineTracking;
  executor: StepExecutor;
  limiter: ConcurrencyLimiter;
  signal: AbortSignal;
  previous: ReadonlyMap<string, StepRunRecord>;
  emit(event: PipelineEvent): void;
}

/**
 * Runs every step once its upstream steps have settled; each step's life is one promise,
 * so independent branches proceed while a failed one skips only its own readers.
 */
export function createStepRunner(deps: StepRunnerDeps) {
  const { pipeline, runId, store, outputs, tracking, signal } = deps;
  const steps = new Map(pipeline.steps.map((s) => [s.name, s]));
  const outcomes = new Map<string, Promise<StepOutcome>>();
  /** The output names other steps read from each step. */
  const readOutputs = new Map<string, Set<string>>();
  for (const reader of pipeline.steps) {
    for (const input of [...Object.values(reader.inputs), reader.foreach]) {
      if (input?.kind !== "output") continue;
      const names = readOutputs.get(input.step) ?? new Set<string>();
      names.add(input.output);
      readOutputs.set(input.step, names);
    }
  }

  async function finish(
    name: string,
    status: StepRunStatus,
    started: number,
    extra: { cachedFrom?: string | null; error?: string | null } = {},
  ) {
    deps.emit({
      type: "step-finished",
      step: name,
      status,
      durationMs: Date.now() - started,
      cachedFrom: extra.cachedFrom ?? null,
      error: extra.error ?? null,
    });
  }

  function snapshot(
    input: InputRef<unknown>,
    upstream: ReadonlyMap<string, Readonly<Record<string, StoredOutput>>>,
    field: string,
  ): InputSnapshot {
    if (input.kind === "param") {
      return { param: deps.params[input.name] as string | number | boolean };
    }
    const stored = upstream.get(input.step)?.[input.output];
    if (stored === undefined) {
      throw new PlinthError(
        "PIPELINES_MISSING_INPUT",
        `Step '${input.step}' returned no output '${input.output}' (read by '${field}')`,
        { field },
      );
    }
    return { output: stored };
  }

  async function reusable(
    s: StepDefinition,
    cacheKey: string,
  ): Promise<{ outputs: Record<string, StoredOutput>; from: string } | undefined> {
    const prior = deps.previous.get(s.name);
    const candidates: Array<StepRunRecord | undefined> = [];
    if (prior !== undefined && (prior.status === "succeeded" || prior.status === "cached")) {
      candidates.push(prior);
    }
    if (s.cache) candidates.push(await store.findSucceeded(cacheKey));
    for (const c of candidates) {
      if (c === undefined || c.cacheKey !== cacheKey || c.outputs === null) continue;
      const present = await Promise.all(Object.values(c.outputs).map((o) => outputs.has(o)));
      if (present.every(Boolean)) return { outputs: c.outputs, from: c.cachedFrom ?? c.runId };
    }
    return undefined;
  }

  async function runStep(s: StepDefinition): Promise<StepOutcome> {
    const ups = await Promise.all(
      (pipeline.upstream[s.name] ?? []).map(async (u) => [u, await outcomes.get(u)] as const),
    );
    const started = Date.now();
    const blocked = ups.filter(([, o]) => o === undefined || !o.ok);
    if (blocked.length > 0 || signal.aborted) {
      const status: StepRunStatus =
        signal.aborted || blocked.some(([, o]) => o?.ok === false && o.status === "cancelled")
          ? "cancelled"
          : "skipped";
      await store.updateStep(runId, s.name, { status, endTime: Date.now() });
      await finish(s.name, status, started);
      return { ok: false, status };
    }
    const upstream = new Map(ups.map(([u, o]) => [u, o?.ok ? o.outputs : {}]));
    let childRunId: string | undefined;
    try {
      const inputs: Record<string, InputSnapshot> = {};
      for (const [key, input] of Object.entries(s.inputs)) {
        inputs[key] = snapshot(input, upstream, `steps.${s.name}.inputs.${key}`);
      }
      const foreach =
        s.foreach === undefined
          ? undefined
          : snapshot(s.foreach, upstream, `steps.${s.name}.foreach`);
      const cacheKey = stepCacheKey(s, inputs, foreach);
      const inputTags = Object.fromEntries(
        Object.entries({ ...inputs, ...(foreach === undefined ? {} : { foreach }) }).map(
          ([k, v]) => [`${TAG.inputPrefix}${k}`, "param" in v ? String(v.param) : v.output.sha256],
        ),
      );
      const paramInputs = Object.fromEntries(
        Object.entries(s.inputs)
          .filter(([, r]) => r.kind === "param")
          .map(([k, r]) => [k, String(deps.params[(r as { name: string }).name])]),
      );
      const baseTags = {
        [TAG.parentRunId]: deps.parentTrackingRunId,
        [TAG.pipeline]: pipeline.name,
        [TAG.pipelineRunId]: runId,
        [TAG.step]: s.name,
        [TAG.cacheKey]: cacheKey,
        [TAG.codeVersion]: stepCodeVersion(s),
        ...inputTags,
      };

      const reuse = await reusable(s, cacheKey);
      if (reuse !== undefined) {
        childRunId = await tracking.start({
          runName: s.name,
          tags: {
            ...baseTags,
            [TAG.cached]: "true",
            [TAG.cachedFrom]: reuse.from,
            ...outputTags(reuse.outputs),
          },
          params: paramInputs,
        });
        await tracking.end(childRunId, "FINISHED");
        await store.updateStep(runId, s.name, {
          status: "cached",
          cacheKey,
          cachedFrom: reuse.from,
          inputs,
          outputs: reuse.outputs,
          trackingRunId: childRunId,
          startTime: started,
          endTime: Date.now(),
        });
        await finish(s.name, "cached", started, { cachedFrom: reuse.from });
        return { ok: true, outputs: reuse.outputs };
      }

      childRunId = await tracking.start({
        runName: s.name,
        tags: { ...baseTags, [TAG.cached]: "false" },
        params: paramInputs,
      });
      await store.updateStep(runId, s.name, {
        status: "running",
        cacheKey,
        inputs,
        trackingRunId: childRunId,
        startTime: started,
      });
      const trackingRunId = childRunId;
      const result =
        foreach === undefined || !("output" in foreach)
          ? await attempts(s, inputs, undefined, signal, trackingRunId)
          : await fanOut(s, inputs, foreach.output, trackingRunId);
      const duration = Date.now() - started;
      await tracking.log(childRunId, {
        tags: {
          ...outputTags(result.outputs),
          [TAG.attempts]: String(result.attempts),
          ...(result.logs.length > 0 ? { [TAG.log]: result.logs.join("\n") } : {}),
        },
        metrics: [
          ...result.metrics,
          { key: "duration_ms", value: duration, step: 0, timestamp: Date.now() },
        ],
      });
      await tracking.end(childRunId, "FINISHED");
      await store.updateStep(runId, s.name, {
        status: "succeeded",
        attempts: result.attempts,
        outputs: { ...result.outputs },
        logs: result.logs.join("\n"),
        endTime: Date.now(),
      });
      await finish(s.name, "succeeded", started);
      return { ok: true, outputs: result.outputs };
    } catch (error) {
      const status: StepRunStatus =
        signal.aborted || isPlinthError(error, "PIPELINES_CANCELLED") ? "cancelled" : "failed";
      const stepError = toStepError(error);
      const tried = (error as { attempts?: number }).attempts ?? 0;
      const logged = attemptLoggedOf(error);
      await store.updateStep(runId, s.name, {
        status,
        attempts: tried,
        error: stepError,
        logs: logged.logs.join("\n"),
        endTime: Date.now(),
      });
      if (childRunId !== undefined) {
        await tracking.log(childRunId, {
          tags: {
            // The head of the stack: the message and the innermost frames.
            [TAG.error]: (stepError.stack ?? stepError.message).slice(0, LIMITS.tagValueLength),
            [TAG.attempts]: String(tried),
            ...(logged.logs.length > 0 ? { [TAG.log]: logged.logs.join("\n") } : {}),
          },
          metrics: [...logged.metrics],
        });
        await tracking.end(childRunId, status === "cancelled" ? "KILLED" : "FAILED");
      }
      await finish(s.name, status, started, { error: stepError.message });
      return { ok: false, status };
    }
  }

  function attempts(
    s: StepDefinition,
    inputs: Record<string, InputSnapshot>,
    item: { index: number; value: StoredOutput } | undefined,
    stepSignal: AbortSignal,
    trackingRunId: string,
  ) {
    return runAttempts({
      executor: deps.executor,
      limiter: deps.limiter,
      task: {
        runId,
        pipelineName: pipeline.name,
        moduleUrl: deps.moduleUrl,
        step: s.name,
        codeVersion: stepCodeVersion(s),
        trackingRunId,
        inputs,
        item,
      },
      retry: s.retry,
      timeoutMs: s.timeoutMs,
      signal: stepSignal,
      onAttempt: (attempt) =>
        deps.emit({ type: "step-started", step: s.name, attempt, index: item?.index }),
      onRetry: (attempt, error, delayMs) =>
        deps.emit({
          type: "step-retrying",
          step: s.name,
          attempt,
          index: item?.index,
          error: error instanceof Error ? error.message : String(error),
          delayMs,
        }),
    });
  }

  /**
   * Runs every item, each with its own retries; the first item to fail stops the others,
   * and the step's outputs become lists in item order.
   */
  async function fanOut(
    s: StepDefinition,
    inputs: Record<string, InputSnapshot>,
    list: StoredOutput,
    trackingRunId: string,
  ): Promise<StepTaskResult & { attempts: number }> {
    const items = await outputs.items(list, `steps.${s.name}.foreach`);
    if (items.length === 0) {
      // No item ran, so no result names the outputs: every declared or read one is [].
      const empty = await outputs.putList([]);
      const names = new Set([...(s.outputs ?? []), ...(readOutputs.get(s.name) ?? [])]);
      return {
        outputs: Object.fromEntries([...names].map((n) => [n, empty])),
        metrics: [],
        logs: [],
        attempts: 0,
      };
    }
    const stop = new AbortController();
    const stepSignal = AbortSignal.any([signal, stop.signal]);
    setMaxListeners(0, stepSignal);
    let firstError: unknown;
    const settled = await Promise.allSettled(
      items.map((value, index) =>
        attempts(s, inputs, { index, value }, stepSignal, trackingRunId).catch((error) => {
          if (firstError === undefined && !stop.signal.aborted) firstError = error;
          stop.abort();
          throw error;
        }),
      ),
    );
    if (signal.aborted) throw cancelled();
    if (firstError !== undefined) throw firstError;
    const results = settled.map(
      (r) => (r as PromiseFulfilledResult<StepTaskResult & { attempts: number }>).value,
    );
    const names = new Set(results.flatMap((r) => Object.keys(r.outputs)));
    const lists: Record<string, StoredOutput> = {};
    for (const name of names) {
      const perItem: StoredOutput[] = [];
      for (const [index, r] of results.entries()) {
        const stored = r.outputs[name];
        if (stored === undefined) {
          throw Object.assign(
            new PlinthError(
              "PIPELINES_UNSERIALISABLE_OUTPUT",
              `Item ${index} of fan-out step '${s.name}' returned no output '${name}', which other items return`,
              { field: `steps.${s.name}.outputs.${name}` },
            ),
            { attempts: Math.max(...results.map((x) => x.attempts)) },
          );
        }
        perItem.push(stored);
      }
      lists[name] = await outputs.putList(perItem);
    }
    return {
      outputs: lists,
      metrics: results.flatMap((r) => r.metrics),
      logs: results.flatMap((r, i) => r.logs.map((line) => `[${i}] ${line}`)),
      attempts: Math.max(0, ...results.map((r) => r.attempts)),
    };
  }

  return {
    async runAll(): Promise<StepOutcome[]> {
      // `order` is topological, so every upstream promise exists before its readers start.
      for (const name of pipeline.order) {
        outcomes.set(name, runStep(steps.get(name) as StepDefinition));
      }
      return Promise.all(pipeline.order.map((name) => outcomes.get(name) as Promise<StepOutcome>));
    },
  };
}

function outputTags(outputs: Readonly<Record<string, StoredOutput>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(outputs).map(([name, o]) => [`${TAG.outputPrefix}${name}`, o.sha256]),
  );
}

function toStepError(error: unknown): StepError {
  if (error instanceof Error) {
    return {
      code: isPlinthError(error) ? error.code : undefined,
      message: error.message,
      stack: error.stack,
    };
  }
  return { code: undefined, message: String(error), stack: undefined };
}
