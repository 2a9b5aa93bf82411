/**
 * How the tests run the conversation example: the command line, a clean environment (no key or host
 * of the machine leaks in, so only the local protocol servers can be reached), config files in a temp
 * dir, and a spawn for the piped mode.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_AGGREGATOR_PROMPT, type ModelInput } from "../../../src/index.js";
import { expectedReferenceText } from "../../support/conversation.js";
import type { RecordedMessage, RecordedRequest } from "../../support/protocol-server.js";
import { lastUserQuestion } from "../../support/user-question.js";

/** The repository's root. */
export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** Runs `examples/conversation.ts` with tsx (what `npm run conversation` does), followed by `args`. */
export function exampleCommand(args: readonly string[]): string[] {
  return [process.execPath, "--import", "tsx", join(ROOT, "examples", "conversation.ts"), ...args];
}

/**
 * The whole environment of the example: only PATH, HOME, a UTF-8 locale, a terminal type and `extra`.
 * OLLAMA_HOST points at a port fetch refuses unless `extra` sets it, so no real Ollama is ever asked;
 * a local test server gets a generous time to list its models on a loaded machine (at start-up, and for
 * the default models). No API key is set unless `extra` sets one: a model string without a base URL is
 * then left out at start-up, and no provider is ever asked.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    LANG: "C.UTF-8",
    TERM: "xterm-256color",
    OLLAMA_HOST: "http://127.0.0.1:9",
    MOA_OLLAMA_TIMEOUT_MS: "20000",
    MOA_CHECK_TIMEOUT_MS: "20000",
    ...extra,
  };
}

/** A temp dir removed by {@link TempDir.remove}. */
export interface TempDir {
  readonly path: string;
  /** Writes `value` as JSON to `name` in the dir; returns the file's path. */
  json(name: string, value: unknown): string;
  remove(): void;
}

/** Makes a temp dir for config files and databases. */
export function makeTempDir(): TempDir {
  const path = mkdtempSync(join(tmpdir(), "moa-conversation-"));
  return {
    path,
    json(name, value) {
      const file = join(path, name);
      writeFileSync(file, JSON.stringify(value, null, 2));
      return file;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** A model of the local OpenAI-compatible server at `url`, as a config file gives it. */
export function openaiModel(url: string, name: string): ModelInput {
  return { model: `openai:${name}`, baseURL: `${url}/v1`, apiKey: "sk-test-key" };
}

/**
 * The user's last question in a recorded request: the last user message without the instruction and
 * references the MoA puts at its end (see `test/support/user-question.ts`).
 */
export function lastUserText(request: RecordedRequest): string {
  return lastUserQuestion(request);
}

/** The conversation a request carried: user and assistant messages, as `role: text`. */
export function dialogue(request: RecordedRequest | undefined): string[] {
  return (request?.messages ?? []).filter((m: RecordedMessage) => m.role !== "system").map((m) => `${m.role}: ${m.content}`);
}

/**
 * The user's last message as {@link dialogue} shows it in a request of the aggregator (or of a layer
 * after the first): `question`, then the default instruction and `proposals` as references, which the
 * MoA puts at the end of the user's last message (the default `referencePlacement`).
 */
export function askedWithReferences(question: string, proposals: readonly string[]): string {
  return `user: ${question}\n\n${expectedReferenceText(DEFAULT_AGGREGATOR_PROMPT, proposals)}`;
}

/** What a piped run printed, and how it ended. */
export interface PipedRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

/** Runs the example with `input` on a stdin pipe (not a terminal); kills it after `timeoutMs`. */
export function runPiped(args: readonly string[], input: string, env: Record<string, string>, timeoutMs = 60_000): Promise<PipedRun> {
  const [command = process.execPath, ...rest] = exampleCommand(args);
  return new Promise((resolve, reject) => {
    const child = spawn(command, rest, { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (data: Buffer) => (stdout += data.toString()));
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ stdout, stderr, code });
    });
    child.stdin.end(input);
  });
}
