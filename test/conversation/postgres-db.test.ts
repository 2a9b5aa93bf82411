/**
 * The conversation example keeps its conversations in PostgreSQL with `--db postgres://…`: a second run
 * continues one with `--resume <id>`, and the URL's password is never printed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAIServer } from "../support/openai-server.js";
import { startPostgres, type PostgresServer } from "../support/postgres-server.js";
import type { ProtocolServer, RecordedRequest } from "../support/protocol-server.js";
import { closedPort } from "./support/closed-port.js";
import { askedWithReferences, cleanEnv, dialogue, lastUserText, makeTempDir, openaiModel, runPiped, type TempDir } from "./support/example.js";

const PASSWORD = "s3cret-pw";
let openai: ProtocolServer;
let postgres: PostgresServer;
let temp: TempDir;

beforeAll(async () => {
  [openai, postgres] = await Promise.all([
    startOpenAIServer({ models: {}, fallback: { text: (request: RecordedRequest) => `An answer to ${lastUserText(request)}` } }),
    startPostgres(),
  ]);
  temp = makeTempDir();
}, 60_000);
afterAll(async () => {
  await Promise.all([openai?.close(), postgres?.stop()]);
  temp?.remove();
});

/** The test server's URL with a password (the server trusts every local connection, so any password works). */
const withPassword = () => postgres.url.replace("postgres@", `postgres:${PASSWORD}@`);

describe("--db postgres://…", () => {
  it("keeps the conversation in PostgreSQL; a second run with --resume <id> continues it; the password is never shown", async () => {
    const config = temp.json("pg.json", { proposers: [openaiModel(openai.url, "alpha")], aggregator: openaiModel(openai.url, "writer") });
    const first = await runPiped(["--config", config, "--db", withPassword()], "What is MoA?\n", cleanEnv());
    expect(first.stdout, first.stderr).toBe("An answer to What is MoA?\n");
    const threadId = /continue it with --db (\S+) --resume ([0-9a-f-]{36})/.exec(first.stderr);
    expect(threadId?.[1]).toBe(withPassword().replace(PASSWORD, "***"));

    const second = await runPiped(["--config", config, "--db", withPassword(), "--resume", threadId?.[2] ?? ""], "And in one word?\n", cleanEnv());
    expect(second.stdout, second.stderr).toBe("An answer to And in one word?\n");
    const request = openai.requests.find((r) => r.model === "writer" && lastUserText(r) === "And in one word?");
    expect(dialogue(request)).toEqual(["user: What is MoA?", "assistant: An answer to What is MoA?", askedWithReferences("And in one word?", ["An answer to And in one word?"])]);
    expect(first.stderr + second.stderr).not.toContain(PASSWORD);
  }, 90_000);

  it("a database that cannot be reached: one line naming it, password hidden, exit 2", async () => {
    const port = await closedPort();
    const url = `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`;
    const config = temp.json("pg-down.json", { proposers: [openaiModel(openai.url, "alpha")], aggregator: openaiModel(openai.url, "writer") });
    const run = await runPiped(["--config", config, "--db", url], "Hello?\n", cleanEnv());
    expect(run.stderr).toMatch(new RegExp(`^Cannot open the database postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${port}/postgres: .*ECONNREFUSED`));
    expect(run.stderr).not.toContain(PASSWORD);
    expect(run.stdout).toBe("");
    expect(run.code).toBe(2);
  }, 90_000);
});
