import assert from "node:assert/strict";
import { test } from "node:test";
import { isPlinthError } from "../../core/errors.ts";
import { createSeededRandom } from "../../core/seeded-random.ts";
import { definePipeline } from "./define-pipeline.ts";
import { param, ref } from "./input-ref.ts";
import { resolveParams } from "./param-spec.ts";
import { step } from "./step.ts";

function throwsCode(fn: () => unknown, code: string, field?: string) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isPlinthError(e), `expected a PlinthError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (field !== undefined) assert.equal(e.field, field);
    return true;
  });
}

const noop = async () => ({ x: 1 });

test("duplicate step names are refused", () => {
  throwsCode(
    () =>
      definePipeline({ name: "p", steps: [step("a", { run: noop }), step("a", { run: noop })] }),
    "PIPELINES_DUPLICATE_STEP",
    "steps.a",
  );
});

test("a cycle is reported with its path", () => {
  const a = step("a", { inputs: { c: ref("c", "x") }, run: noop });
  const b = step("b", { inputs: { a: ref("a", "x") }, run: noop });
  const c = step("c", { inputs: { b: ref("b", "x") }, run: noop });
  const d = step("d", { run: noop });
  assert.throws(
    () => definePipeline({ name: "p", steps: [d, a, b, c] }),
    (e: unknown) =>
      isPlinthError(e, "PIPELINES_CYCLE") &&
      /a -> b -> c -> a|b -> c -> a -> b|c -> a -> b -> c/.test(e.message),
  );
  const self = step("self", { inputs: { me: ref("self", "x") }, run: noop });
  throwsCode(() => definePipeline({ name: "p", steps: [self] }), "PIPELINES_CYCLE");
});

test("inputs naming a missing step, output or parameter are refused", () => {
  throwsCode(
    () =>
      definePipeline({
        name: "p",
        steps: [step("a", { inputs: { v: ref("zz", "x") }, run: noop })],
      }),
    "PIPELINES_MISSING_INPUT",
    "steps.a.inputs.v",
  );
  throwsCode(
    () =>
      definePipeline({ name: "p", steps: [step("a", { inputs: { v: param("n") }, run: noop })] }),
    "PIPELINES_MISSING_INPUT",
    "steps.a.inputs.v",
  );
  const a = step("a", { outputs: ["x"], run: noop });
  throwsCode(
    () =>
      definePipeline({
        name: "p",
        steps: [a, step("b", { inputs: { v: ref("a", "y") }, run: noop })],
      }),
    "PIPELINES_MISSING_INPUT",
    "steps.b.inputs.v",
  );
  // The declared output is accepted.
  definePipeline({ name: "p", steps: [a, step("b", { inputs: { v: a.output("x") }, run: noop })] });
});

test("malformed steps are refused when defined", () => {
  throwsCode(() => step("bad name", { run: noop }), "PIPELINES_INVALID_DEFINITION", "name");
  throwsCode(
    () => step("a", { run: noop, retry: { attempts: 0 } }),
    "PIPELINES_INVALID_DEFINITION",
  );
  throwsCode(() => step("a", { run: noop, timeoutMs: -1 }), "PIPELINES_INVALID_DEFINITION");
  throwsCode(
    () => step("a", { inputs: { v: "prepare.rows" as never }, run: noop }),
    "PIPELINES_INVALID_DEFINITION",
    "steps.a.inputs.v",
  );
  throwsCode(
    () => step("a", { foreach: ref<number[]>("b", "l"), inputs: { item: param("n") }, run: noop }),
    "PIPELINES_INVALID_DEFINITION",
    "steps.a.inputs.item",
  );
  throwsCode(
    () =>
      definePipeline({
        name: "p",
        params: { n: { type: "integer" } },
        steps: [step("a", { foreach: param<number[]>("n"), run: noop })],
      }),
    "PIPELINES_INVALID_DEFINITION",
    "steps.a.foreach",
  );
  throwsCode(() => definePipeline({ name: "p", steps: [] }), "PIPELINES_INVALID_DEFINITION");
});

test("params: defaults, parsing from strings, unknown and mistyped values", () => {
  const specs = {
    n: { type: "integer", default: 3 },
    rate: { type: "number" },
    name: { type: "string", default: "x" },
    on: { type: "boolean", default: false },
  } as const;
  assert.deepEqual(resolveParams(specs, { rate: "0.5", on: "true" }), {
    n: 3,
    rate: 0.5,
    name: "x",
    on: true,
  });
  throwsCode(() => resolveParams(specs, {}), "PIPELINES_INVALID_PARAM", "params.rate");
  throwsCode(
    () => resolveParams(specs, { rate: 1, n: "1.5" }),
    "PIPELINES_INVALID_PARAM",
    "params.n",
  );
  throwsCode(() => resolveParams(specs, { rate: "abc" }), "PIPELINES_INVALID_PARAM", "params.rate");
  throwsCode(
    () => resolveParams(specs, { rate: 1, nope: 1 }),
    "PIPELINES_INVALID_PARAM",
    "params.nope",
  );
  throwsCode(
    () => resolveParams(specs, { rate: 1, on: "yes" }),
    "PIPELINES_INVALID_PARAM",
    "params.on",
  );
});

test("on random DAGs the order puts every step after all its inputs", () => {
  const rng = createSeededRandom(7);
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + rng.nextInt(12);
    // Edges only from lower to higher index make a DAG; declaring in shuffled order
    // makes the order non-trivial.
    const deps: number[][] = Array.from({ length: n }, (_, i) =>
      Array.from({ length: i }, (_, j) => j).filter(() => rng.next() < 0.3),
    );
    const steps = deps.map((ds, i) =>
      step(`s${i}`, {
        inputs: Object.fromEntries(ds.map((d) => [`in${d}`, ref(`s${d}`, "x")])),
        run: noop,
      }),
    );
    for (let i = steps.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [steps[i], steps[j]] = [steps[j] as never, steps[i] as never];
    }
    const { order } = definePipeline({ name: "p", steps });
    assert.equal(order.length, n);
    assert.equal(new Set(order).size, n);
    const position = new Map(order.map((name, i) => [name, i]));
    deps.forEach((ds, i) => {
      for (const d of ds) {
        assert.ok(
          (position.get(`s${d}`) as number) < (position.get(`s${i}`) as number),
          `s${d} must come before s${i}`,
        );
      }
    });
  }
});
