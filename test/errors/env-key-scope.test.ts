/** The environment's API key goes only to the host it is configured for, never to a model's own base URL. */
import { HumanMessage } from "@langchain/core/messages";
import { afterAll, afterEach, beforeAll, expect, it, vi } from "vitest";
import { MixtureOfAgents } from "../../src/index.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";

const ENV_KEY = "sk-environment-key-for-api-openai";
let server: ProtocolServer;
beforeAll(async () => {
  server = await startOpenAIServer({ models: {}, fallback: { text: "answer" } });
});
afterAll(() => server.close());
afterEach(() => vi.unstubAllEnvs());

it("a model with a base URL of its own and no key gets no environment key", async () => {
  vi.stubEnv("OPENAI_API_KEY", ENV_KEY);
  vi.stubEnv("OPENAI_BASE_URL", "");
  const moa = new MixtureOfAgents({ proposers: [{ model: "openai:local", baseURL: `${server.url}/v1` }], aggregator: { model: "openai:local", baseURL: `${server.url}/v1` }, retry: false });
  await moa.invoke([new HumanMessage("q")]);
  expect(server.requests.length).toBeGreaterThan(0);
  for (const request of server.requests) expect(request.headers.authorization).not.toContain(ENV_KEY);
});

it("the environment's key still goes with the environment's own base URL", async () => {
  vi.stubEnv("OPENAI_API_KEY", ENV_KEY);
  vi.stubEnv("OPENAI_BASE_URL", `${server.url}/v1`);
  server.requests.length = 0;
  await new MixtureOfAgents({ proposers: ["openai:local"], aggregator: "openai:local", retry: false }).invoke([new HumanMessage("q")]);
  expect(server.requests.map((r) => r.headers.authorization)).toEqual([`Bearer ${ENV_KEY}`, `Bearer ${ENV_KEY}`]);
});
