import { startModelServerProcess, type ModelServerProcess } from "../server-process.js";

/** Starts bench/scenarios/thread-growth-server.ts on the Node running this process and waits until it listens. */
export function startThreadGrowthServer(): Promise<ModelServerProcess> {
  return startModelServerProcess(new URL("thread-growth-server.ts", import.meta.url));
}
