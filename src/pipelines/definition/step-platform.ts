import type { Platform } from "../../platform.ts";

/**
 * The stores a pipeline run and its steps use: run state in `metadata`, outputs in
 * `artifacts`, lineage in `tracking`, and `registry` for steps that register models.
 * A queue worker opens its own from its configuration, pointing at the same stores.
 */
export type StepPlatform = Pick<Platform, "metadata" | "artifacts" | "tracking" | "registry">;
