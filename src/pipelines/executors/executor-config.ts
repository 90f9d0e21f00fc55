/**
 * Which executor runs a pipeline's steps. A queue-backed executor joins this union as
 * `{ type: "bullmq"; redisUrl: string; queue: string; concurrency?: number }`.
 */
export type ExecutorConfig = { type: "in-process"; concurrency?: number };
