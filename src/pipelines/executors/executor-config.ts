import type { PipelineExecutorConfig } from "../../core/config.ts";

/**
 * Which executor runs a pipeline's steps: `{ type: "in-process", concurrency? }` or
 * `{ type: "queue", redisUrl, queue, concurrency? }` (BullMQ workers, `plinth worker`).
 */
export type ExecutorConfig = PipelineExecutorConfig;
