import { z } from "zod";
import { PlinthError } from "../../core/errors.ts";

/** The model file formats a package can hold. */
export const MODEL_FLAVOURS = ["plinth-gbdt", "plinth-linear", "xgboost-json"] as const;
export type ModelFlavour = (typeof MODEL_FLAVOURS)[number];

/** What the model predicts. */
export const MODEL_TASKS = ["binary", "multiclass", "regression", "ranking"] as const;
export type ModelTask = (typeof MODEL_TASKS)[number];

const name = z.string().min(1).max(256);

const inputSchema = z.discriminatedUnion("type", [
  z.object({ name, type: z.literal("float64") }).strict(),
  z
    .object({
      name,
      type: z.literal("category"),
      /** Category values in code order; a value not listed scores as missing. */
      categories: z.array(z.string()).max(1_000_000),
    })
    .strict(),
]);

const manifestSchema = z
  .object({
    formatVersion: z.literal(1),
    flavour: z.enum(MODEL_FLAVOURS),
    task: z.enum(MODEL_TASKS),
    /** Named, typed inputs in the order the predictor takes them. */
    inputs: z.array(inputSchema).min(1).max(100_000),
    /** Named outputs, e.g. one probability for binary, one per class for multiclass. */
    outputs: z.array(name).min(1).max(10_000),
    /** The feature service whose features are the inputs, when trained from the feature store. */
    featureService: name.nullable(),
    /** Content hash of the training dataset (lineage). */
    trainingDatasetHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable(),
    metrics: z.record(name, z.number()),
    params: z.record(name, z.union([z.string(), z.number(), z.boolean()])),
    plinthVersion: z.string().min(1),
    /** The model file inside the package directory. */
    modelFile: z.string().regex(/^[A-Za-z0-9._-]+$/),
    /** sha256 of the model file, checked on load. */
    modelSha256: z.string().regex(/^[0-9a-f]{64}$/),
    createdAt: z.string().datetime(),
  })
  .strict();

export type ModelManifest = z.infer<typeof manifestSchema>;
export type ModelInput = z.infer<typeof inputSchema>;

/** Validates a parsed manifest.json, naming the first field at fault. */
export function parseModelManifest(value: unknown): ModelManifest {
  const result = manifestSchema.safeParse(value);
  if (result.success) {
    const names = new Set<string>();
    for (const input of result.data.inputs) {
      if (names.has(input.name)) {
        throw new PlinthError(
          "MODELS_INVALID_PACKAGE",
          `manifest.json inputs: '${input.name}' appears twice`,
          {
            field: "inputs",
          },
        );
      }
      names.add(input.name);
    }
    return result.data;
  }
  const issue = result.error.issues[0];
  const field = issue?.path.join(".") || "manifest";
  throw new PlinthError(
    "MODELS_INVALID_PACKAGE",
    `manifest.json field '${field}': ${issue?.message ?? "invalid"}`,
    {
      field,
    },
  );
}
