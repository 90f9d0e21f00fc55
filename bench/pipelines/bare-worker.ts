// The peer: a bare BullMQ worker that answers each job at once, no plinth around it.
import { Worker } from "bullmq";

const [redisUrl, queue] = process.argv.slice(2) as [string, string];
const worker = new Worker(queue, async (job) => ({ v: job.data.v }), {
  connection: { url: redisUrl, maxRetriesPerRequest: null },
  prefix: "plinth",
  concurrency: 8,
});
await worker.waitUntilReady();
process.stdout.write("ready\n");
process.once("SIGTERM", () => void worker.close().then(() => process.exit(0)));
