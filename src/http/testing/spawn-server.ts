import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const RUN = fileURLToPath(new URL("../../cli/run.ts", import.meta.url));

export interface SpawnedServer {
  url: string;
  child: ChildProcess;
  /** Sends a signal and waits for the process to exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Starts `plinth server` as a real child process and waits for its "listening" line. */
export async function spawnServer(
  home: string,
  env: NodeJS.ProcessEnv = {},
): Promise<SpawnedServer> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", RUN, "server", "--home", home, "--port", "0", "--json"],
    {
      env: { ...process.env, PLINTH_LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr += String(d);
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on("line", (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; url?: string };
        if (event.event === "listening" && event.url !== undefined) resolve(event.url);
      } catch {
        // not the readiness line
      }
    });
    child.once("exit", (code) =>
      reject(new Error(`server exited with ${code} before listening: ${stderr}`)),
    );
  });
  return {
    url,
    child,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill(signal);
      await exited;
    },
  };
}
