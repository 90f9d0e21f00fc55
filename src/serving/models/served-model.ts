import { treeShap } from "../../models/explain/tree-shap.ts";
import { predictLinear } from "../../models/linear-predictor.ts";
import type { ModelManifest } from "../../models/package/model-manifest.ts";
import type { LoadedModelPackage } from "../../models/package/model-package.ts";
import { predict } from "../../models/tree-predictor.ts";
import type { FeatureContribution } from "../serving-runtime.ts";

/** A registry model version loaded for serving: its signature and its predictor. */
export interface ServedModel {
  readonly name: string;
  readonly version: string;
  readonly manifest: ModelManifest;
  /** Per input, the code of each category (the training dictionary's order); undefined for numbers. */
  readonly categoryCodes: readonly (ReadonlyMap<string, number> | undefined)[];
  /** `numRows × outputs` predictions (probabilities, scores) of row-major `rows`. */
  predict(rows: Float64Array, numRows: number): Float64Array;
  /** True when `explain` works (tree ensembles). */
  readonly explainable: boolean;
  /**
   * The `k` largest TreeSHAP contributions by absolute value to output `output`'s raw score
   * of one row, largest first.
   */
  explain(row: Float64Array, output: number, k: number): FeatureContribution[];
}

/**
 * Wraps a loaded package for serving: compiles category lookups once, and binds the flavour's
 * predictor, so the request path does no per-call dispatch on the flavour.
 *
 * @example
 * const served = servedModel("fraud", "3", await readModelPackage(dir));
 * served.predict(Float64Array.of(0.5, 2), 1);
 */
export function servedModel(
  name: string,
  version: string,
  loaded: LoadedModelPackage,
): ServedModel {
  const { manifest, model } = loaded;
  const categoryCodes = manifest.inputs.map((input) =>
    input.type === "category" ? new Map(input.categories.map((c, i) => [c, i])) : undefined,
  );
  const names = manifest.inputs.map((i) => i.name);
  if (model.kind === "linear") {
    return {
      name,
      version,
      manifest,
      categoryCodes,
      predict: (rows, numRows) => predictLinear(model.model, rows, numRows),
      explainable: false,
      explain: () => [],
    };
  }
  const ensemble = model.ensemble;
  const width = names.length;
  return {
    name,
    version,
    manifest,
    categoryCodes,
    predict: (rows, numRows) => predict(ensemble, rows, numRows),
    explainable: true,
    explain(row, output, k) {
      const phi = treeShap(ensemble, row, 1);
      const at = output * (width + 1);
      const order = Array.from({ length: width }, (_, j) => j).sort(
        (a, b) => Math.abs(phi[at + b] as number) - Math.abs(phi[at + a] as number),
      );
      return order
        .slice(0, k)
        .map((j) => ({ feature: names[j] as string, value: phi[at + j] as number }));
    },
  };
}
