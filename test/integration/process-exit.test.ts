import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGeminiServer } from "../support/gemini-server.js";
import { startOllamaServer } from "../support/ollama-server.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";

let servers: ProtocolServer[] = [];
beforeAll(async () => {
  const hang = { silent: { fault: { kind: "hang" as const } } };
  servers = await Promise.all([startOpenAIServer({ models: hang }), startOllamaServer({ models: hang }), startGeminiServer({ models: hang })]);
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

const probe = fileURLToPath(new URL("../support/exit-probe.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

/** Runs the probe; resolves with what it printed and how long it lived after printing it. */
function runProbe(mode: "timeout" | "abort"): Promise<{ output: string; lingerMs: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [probe, ...servers.map((s) => s.url), mode], { stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    let printedAt = 0;
    const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    child.stdout.on("data", (data: Buffer) => {
      output += data.toString();
      printedAt = Date.now();
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(killer);
      resolve({ output: output.trim(), lingerMs: Date.now() - printedAt, code });
    });
  });
}

describe("a cut-short turn leaves nothing behind", () => {
  it.each(["timeout", "abort"] as const)("after a turn ended by %s, the process exits by itself", async (mode) => {
    const before = servers.map((s) => s.abortedByClient);
    const { output, lingerMs, code } = await runProbe(mode);
    expect(output).toBe(mode === "timeout" ? "turn ended: MoATimeoutError" : "turn ended: AbortError");
    expect(code).toBe(0);
    expect(lingerMs).toBeLessThan(1_500);
    expect(servers.map((s, i) => s.abortedByClient - (before[i] ?? 0))).toEqual([1, 1, 1]);
    expect(servers.map((s) => s.openConnections())).toEqual([0, 0, 0]);
  }, 30_000);
});
