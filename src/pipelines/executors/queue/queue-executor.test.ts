import { randomUUID } from "node:crypto";
import { Queue } from "bullmq";
import { runStepExecutorContract } from "../step-executor.contract.ts";
import { createQueueExecutor } from "./create-queue-executor.ts";
import { createQueueWorker } from "./create-queue-worker.ts";
import { QUEUE_PREFIX } from "./queue-protocol.ts";

const REDIS = process.env.PLINTH_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

runStepExecutorContract("queue (BullMQ on Redis, one worker in this process)", async (env) => {
  // A queue of this test's own, removed with every key under it afterwards.
  const queue = `test-contract-${randomUUID()}`;
  const worker = await createQueueWorker({
    platform: env.platform,
    redisUrl: REDIS,
    queue,
    concurrency: 4,
  });
  const executor = await createQueueExecutor({ redisUrl: REDIS, queue, concurrency: 8 });
  return {
    executor,
    async close() {
      await executor.close();
      await worker.close(true);
      await obliterate(queue);
    },
  };
});

async function obliterate(name: string): Promise<void> {
  const queue = new Queue(name, { connection: { url: REDIS }, prefix: QUEUE_PREFIX });
  await queue.obliterate({ force: true });
  await queue.close();
}
