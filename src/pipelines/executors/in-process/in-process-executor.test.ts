import { runStepExecutorContract } from "../step-executor.contract.ts";
import { createInProcessExecutor } from "./create-in-process-executor.ts";

runStepExecutorContract("in-process", async (env) => {
  const executor = createInProcessExecutor({ ...env, concurrency: 4 });
  return { executor, close: () => executor.close() };
});
