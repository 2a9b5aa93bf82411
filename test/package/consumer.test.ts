import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOllamaServer } from "../support/ollama-server.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";
import { createPackedProject, tsc, type PackedProject } from "./packed-project.js";

/** The code block under the README's "Quick start" heading. */
async function readmeQuickStart(): Promise<string> {
  const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## Quick start"));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error("README.md has no ts block under ## Quick start");
  return block;
}

/** One MoA turn through the public API, printed as JSON; the same text runs as ESM (`import`) and CommonJS (`require`). */
function turnScript(load: (specifier: string) => string): string {
  return `
${load("@langchain/openai")}
${load("@langchain/core/prompts")}
${load("@langchain/core/language_models/chat_models")}
${load("langgraph-moa")}
async function main() {
  const instance = (model) => new ChatOpenAI({ model, apiKey: "sk-consumer-test", configuration: { baseURL: process.env.OPENAI_BASE_URL } });
  // One proposer is a "provider:model" string: the library creates it with LangChain's initChatModel.
  const moa = new MixtureOfAgents({ proposers: [instance("alpha"), "openai:beta"], aggregator: instance("mixer") });
  const prompt = ChatPromptTemplate.fromMessages([["human", "Explain {topic} to a child."]]);
  const answer = await prompt.pipe(moa).invoke({ topic: "tides" });
  const trace = getMoATrace(answer);
  const models = [...trace.layers.flatMap((layer) => layer.calls), ...trace.aggregator].map((call) => call.model).sort();
  console.log(JSON.stringify({ text: answer.text, models, chatModel: moa instanceof BaseChatModel }));
}
main().catch((error) => { console.error(error); process.exit(1); });
`;
}

const esm = (specifier: string): string => {
  const names: Record<string, string> = {
    "@langchain/openai": "ChatOpenAI",
    "@langchain/core/prompts": "ChatPromptTemplate",
    "@langchain/core/language_models/chat_models": "BaseChatModel",
    "langgraph-moa": "MixtureOfAgents, MoAConfigError, getMoATrace",
  };
  return `import { ${names[specifier]} } from "${specifier}";`;
};
const cjs = (specifier: string): string => esm(specifier).replace(/^import \{ (.*) \} from (".*");$/, "const { $1 } = require($2);");

/** A `llama-cpp:` model named where node-llama-cpp (an optional peer) is not installed; prints the error. */
function localModelScript(load: (specifier: string) => string): string {
  return `
${load("langgraph-moa")}
const moa = new MixtureOfAgents({ proposers: ["llama-cpp:./model.gguf"], aggregator: "llama-cpp:./model.gguf" });
moa.invoke("hi").then(
  () => { console.log("answered"); process.exit(1); },
  (error) => console.log(JSON.stringify({ name: error.name, isConfigError: MoAConfigError.isInstance(error), message: error.message })),
);
`;
}

/** Type-checks `prompt.pipe(moa)` and the graph factory; the same text as `.ts`, `.mts` and `.cts`. */
const TYPED_CONSUMER = `
import { HumanMessage } from "@langchain/core/messages";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { ChatOpenAI } from "@langchain/openai";
import { createMixtureOfAgents, getMoATrace, MixtureOfAgents, type MixtureOfAgentsOptions } from "langgraph-moa";

const options: MixtureOfAgentsOptions = { proposers: ["openai:gpt-4o-mini", new ChatOpenAI({ model: "gpt-4o" })], aggregator: "openai:gpt-4o", layers: 2 };
const moa = new MixtureOfAgents(options);
const chain = ChatPromptTemplate.fromMessages([["human", "{topic}"]]).pipe(moa).pipe(new StringOutputParser());
export const text: Promise<string> = chain.invoke({ topic: "tides" });
export const calls: Promise<number> = moa.invoke("hi").then((message) => getMoATrace(message)?.calls ?? 0);
const graph = createMixtureOfAgents(options);
export const last: Promise<string | undefined> = graph.invoke({ messages: [new HumanMessage("hi")] }).then((state) => state.messages.at(-1)?.text);
`;

/** `tsconfig.json` bodies, one per way a TypeScript project resolves packages. */
const RESOLUTION_MODES: Record<string, { compilerOptions: Record<string, unknown>; files: string[] }> = {
  // A CommonJS package (`npm init -y`): `.ts` is CommonJS, `.mts` is ESM.
  nodenext: { compilerOptions: { module: "nodenext", moduleResolution: "nodenext" }, files: ["typed.ts", "typed.mts", "typed.cts", "quick-start.mts"] },
  node16: { compilerOptions: { module: "node16", moduleResolution: "node16" }, files: ["typed.ts", "typed.mts", "typed.cts"] },
  bundler: { compilerOptions: { module: "esnext", moduleResolution: "bundler" }, files: ["typed.ts"] },
  commonjs: { compilerOptions: { module: "commonjs", moduleResolution: "node10", esModuleInterop: true }, files: ["typed.ts"] },
};

describe("the packed package, installed into a new project next to the user's @langchain/core", { timeout: 240_000 }, () => {
  let project: PackedProject;
  let server: ProtocolServer;
  let ollama: ProtocolServer;

  beforeAll(async () => {
    [project, server, ollama] = await Promise.all([
      createPackedProject(),
      startOpenAIServer({ models: {}, fallback: { text: "A tide is the sea breathing." } }),
      startOllamaServer({ models: {}, fallback: { text: "Ollama's view." } }),
    ]);
    const quickStart = await readmeQuickStart();
    await Promise.all([
      project.write("turn.mjs", turnScript(esm)),
      project.write("turn.cjs", turnScript(cjs)),
      project.write("local.mjs", localModelScript(esm)),
      project.write("local.cjs", localModelScript(cjs)),
      project.write("quick-start.mjs", quickStart),
      project.write("quick-start.mts", quickStart),
      ...["typed.ts", "typed.mts", "typed.cts"].map((name) => project.write(name, TYPED_CONSUMER)),
      ...Object.entries(RESOLUTION_MODES).map(([mode, { compilerOptions, files }]) =>
        project.write(
          `tsconfig.${mode}.json`,
          JSON.stringify({ compilerOptions: { target: "es2022", strict: true, noEmit: true, skipLibCheck: true, ...compilerOptions }, files }),
        ),
      ),
    ]);
  }, 240_000);

  afterAll(async () => {
    await Promise.all([project?.remove(), server?.close(), ollama?.close()]);
  });

  it("ships the built ESM and CommonJS entry points, their types, the licence and no sourcemap without its source", async () => {
    const manifest = JSON.parse(await readFile(`${project.dir}/node_modules/langgraph-moa/package.json`, "utf8")) as { exports: Record<string, unknown> };
    expect(Object.keys(manifest.exports)).toContain(".");
    const listed = await project.run("find", ["node_modules/langgraph-moa", "-type", "f"]);
    const files = listed.stdout.split("\n");
    for (const entry of ["dist/index.mjs", "dist/index.cjs", "dist/index.d.mts", "dist/index.d.cts", "LICENSE", "README.md", "CHANGELOG.md"]) {
      expect(files).toContain(`node_modules/langgraph-moa/${entry}`);
    }
    const maps = files.filter((file) => file.endsWith(".map"));
    for (const map of maps) {
      const { sources, sourcesContent } = JSON.parse(await readFile(`${project.dir}/${map}`, "utf8")) as { sources: string[]; sourcesContent?: Array<string | null> };
      expect(sourcesContent?.filter((content) => typeof content === "string")).toHaveLength(sources.length);
    }
  });

  it("shares the user's @langchain/core instead of installing a copy of its own", async () => {
    const listed = await project.run("npm", ["ls", "@langchain/core", "--all", "--parseable"]);
    expect(listed.stdout.trim().split("\n")).toEqual([`${project.dir}/node_modules/@langchain/core`]);
  });

  it.each([
    ["ESM (import)", "turn.mjs"],
    ["CommonJS (require)", "turn.cjs"],
  ])("answers one MoA turn over HTTP from %s", async (_label, script) => {
    const before = server.requests.length;
    const result = await project.run(process.execPath, [script], { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: "sk-consumer-test" });
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({ text: "A tide is the sea breathing.", models: ["alpha", "mixer", "openai:beta"], chatModel: true });
    expect(server.requests.slice(before).map((request) => request.model).sort()).toEqual(["alpha", "beta", "mixer"]);
  });

  it.each([
    ["ESM (import)", "local.mjs"],
    ["CommonJS (require)", "local.cjs"],
  ])("installs nothing of node-llama-cpp, and a llama-cpp: model named from %s says which package to add", async (_label, script) => {
    const listed = await project.run("npm", ["ls", "node-llama-cpp", "--all", "--parseable"]);
    expect(listed.stdout.trim()).toBe("");
    const result = await project.run(process.execPath, [script]);
    expect(result.stderr).toBe("");
    const error = JSON.parse(result.stdout) as { name: string; isConfigError: boolean; message: string };
    expect(error.name).toBe("MoAConfigError");
    expect(error.isConfigError).toBe(true);
    for (const option of ["proposers[0]", "aggregator"]) {
      expect(error.message).toContain(`Invalid ${option}: "llama-cpp:" models run on the package node-llama-cpp, which is not installed; run: npm install node-llama-cpp@3.21.1`);
    }
  });

  it("runs the README's Quick start as written, its models pointed at the local servers by the environment", async () => {
    const before = { openai: server.requests.length, ollama: ollama.requests.length };
    const env = { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: "sk-consumer-test", OLLAMA_HOST: ollama.url };
    const result = await project.run(process.execPath, ["quick-start.mjs"], env);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("A tide is the sea breathing.\n".repeat(2) + "A tide is the sea breathing.");
    // Graph: (1 OpenAI + 2 Ollama proposers) x 2 layers + the OpenAI aggregator. Chat model, invoked then
    // streamed: `rounds: 1` is AgentScope's one refinement round, so (1 OpenAI + 1 Ollama) x 2 layers + aggregator.
    expect(server.requests.length - before.openai).toBe(1 * 2 + 1 + 2 * (1 * 2 + 1));
    expect(ollama.requests.length - before.ollama).toBe(2 * 2 + 2 * (1 * 2));
  });

  it.concurrent.each(Object.keys(RESOLUTION_MODES))("type-checks prompt.pipe(moa) and the graph with moduleResolution %s", async (mode) => {
    const result = await project.run(tsc[0], [tsc[1], "-p", `tsconfig.${mode}.json`]);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.code).toBe(0);
  });

  it("fails the type check of a wrong use, so the checks above are real", async () => {
    await project.write("wrong.ts", `import { MixtureOfAgents } from "langgraph-moa";\nnew MixtureOfAgents({ proposers: 3 });\n`);
    await project.write("tsconfig.wrong.json", JSON.stringify({ compilerOptions: { module: "nodenext", strict: true, noEmit: true, skipLibCheck: true }, files: ["wrong.ts"] }));
    const result = await project.run(tsc[0], [tsc[1], "-p", "tsconfig.wrong.json"]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/wrong\.ts.*error TS\d+/);
  });
});
