import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MoAConfigError, MixtureOfAgents, createMixtureOfAgents, type MixtureOfAgentsOptions } from "../src/index.js";
import { validateSpec } from "../src/models/validate-spec.js";
import { parseOptions, parseWith, servedConfigSchema } from "../src/state/options-schema.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";
import { configError } from "./support/config-error.js";

const model = new ScriptedChatModel({ model: "m" });

function configErrorOf(options: unknown): MoAConfigError {
  return configError(() => createMixtureOfAgents(options as MixtureOfAgentsOptions));
}

describe("options are validated at construction", () => {
  it.each([
    ["no options", undefined, "options", /expected an object/],
    ["no proposers", { proposers: [], aggregator: model }, "proposers", /non-empty array/],
    ["proposers not an array", { proposers: "openai:gpt-4o", aggregator: model }, "proposers", /non-empty array/],
    ["no aggregator", { proposers: [model] }, "aggregator", /is required \(a model or a list of models, e\.g\. "openai:gpt-4o"\), unless aggregation is "vote"/],
    ["empty aggregator list", { proposers: [model], aggregator: [] }, "aggregator", /non-empty list/],
    ["layers 0", { proposers: [model], aggregator: model, layers: 0 }, "layers", /integer >= 1; got 0/],
    ["layers 1.5", { proposers: [model], aggregator: model, layers: 1.5 }, "layers", /integer >= 1; got 1.5/],
    ["layers as a string", { proposers: [model], aggregator: model, layers: "2" }, "layers", /integer >= 1; got "2"/],
    ["negative rounds", { proposers: [model], aggregator: model, rounds: -1 }, "rounds", /integer >= 0; got -1/],
    ["layers and rounds disagree", { proposers: [model], aggregator: model, layers: 2, rounds: 2 }, "rounds", /rounds 2 means 3 layers, but layers is 2/],
    ["samples 0", { proposers: [{ model, samples: 0 }], aggregator: model }, "proposers[0].samples", /integer >= 1; got 0/],
    ["negative temperature", { proposers: [{ model: "openai:gpt-4o", temperature: -1 }], aggregator: model }, "proposers[0].temperature", />= 0/],
    ["unknown provider", { proposers: ["acme:large"], aggregator: model }, "proposers[0]", /unknown provider "acme".*Valid providers: .*openai.*google-genai.*ollama/],
    ["bare unknown model", { proposers: ["llama3"], aggregator: model }, "proposers[0]", /no provider prefix.*"ollama:llama3"/],
    ["provider without model", { proposers: ["openai:"], aggregator: model }, "proposers[0]", /names no model/],
    ["empty model string", { proposers: [""], aggregator: model }, "proposers[0]", /empty model string/],
    ["a number as model", { proposers: [42], aggregator: model }, "proposers[0]", /got 42/],
    ["spec without model", { proposers: [{ temperature: 1 }], aggregator: model }, "proposers[0].model", /got undefined/],
    ["misspelled spec field", { proposers: [{ model: "openai:gpt-4o", temprature: 1 }], aggregator: model }, "proposers[0]", /unknown field\(s\) temprature/],
    ["temperature on an instance", { proposers: [{ model, temperature: 1 }], aggregator: model }, "proposers[0].temperature", /set it on the model instance/],
    ["samples on the aggregator", { proposers: [model], aggregator: { model, samples: 2 } }, "aggregator.samples", /proposers only/],
    ["a bad field on the one aggregator", { proposers: [model], aggregator: { model: "openai:gpt-4o", temprature: 1 } }, "aggregator", /unknown field\(s\) temprature/],
    ["a bad field on a fallback aggregator", { proposers: [model], aggregator: [model, { model: "openai:gpt-4o", temprature: 1 }] }, "aggregator[1]", /unknown field\(s\) temprature/],
    ["minProposals above the proposers", { proposers: [model], aggregator: model, minProposals: 2 }, "minProposals", /expected 1..1/],
    ["formatReferences not a function", { proposers: [model], aggregator: model, formatReferences: "x" }, "formatReferences", /expected a function/],
    ["an unknown option", { proposers: [model], aggregator: model, layer: 2 }, "options", /unknown option\(s\) layer; valid options: proposers, aggregator, layers, /],
    ["a misspelled option is named before the option it leaves missing", { proposers: [model], aggregatr: model }, "options", /unknown option\(s\) aggregatr/],
    ["samples on a fallback aggregator", { proposers: [model], aggregator: [model, { model, samples: 2 }] }, "aggregator[1].samples", /proposers only/],
    ["minProposals above the proposer calls, samples counted", { proposers: [{ model, samples: 2 }], aggregator: model, minProposals: 3 }, "minProposals", /3 exceeds the 2 proposer call\(s\) per layer; expected 1..2/],
    ["quorum.min above the proposer calls", { proposers: [model, model], aggregator: model, quorum: { min: 3, graceMs: 0 } }, "quorum.min", /3 is outside 1..2/],
    ["a timeout of 0", { proposers: [model], aggregator: model, timeouts: { turnMs: 0 } }, "timeouts.turnMs", /expected a number >= 1; got 0/],
    ["a misspelled timeout", { proposers: [model], aggregator: model, timeouts: { turnMS: 10 } }, "timeouts", /unknown option\(s\) turnMS; valid options: proposerMs, aggregatorMs, turnMs/],
    ["retry neither an object nor false", { proposers: [model], aggregator: model, retry: true }, "retry", /expected \{ maxRetries, initialDelayMs, maxDelayMs \} or false; got true/],
    ["a bad per-model limit", { proposers: [model], aggregator: model, concurrency: { perModel: { x: 0 } } }, "concurrency.perModel.x", /expected an integer >= 1; got 0/],
    ["a bad per-provider limit", { proposers: [model], aggregator: model, concurrency: { perProvider: { openai: "4" } } }, "concurrency.perProvider.openai", /expected an integer >= 1; got "4"/],
    ["baseURL and baseUrl", { proposers: [{ model: "openai:gpt-4o", baseURL: "http://a/v1", baseUrl: "http://a/v1" }], aggregator: model }, "proposers[0].baseUrl", /not both/],
    ["proposeOn not one of its values", { proposers: [model], aggregator: model, proposeOn: "sometimes" }, "proposeOn", /expected "user_turn" or "every_call"; got "sometimes"/],
    ["tools not an array", { proposers: [model], aggregator: model, tools: "x" }, "tools", /expected an array of tools; got "x"/],
    ["a tool that is not one", { proposers: [model], aggregator: model, tools: [{ name: "ok", description: "d", schema: {} }, 1] }, "tools[1]", /expected a tool .*; got 1/],
    ["toolChoice neither a string nor an object", { proposers: [model], aggregator: model, toolChoice: 1 }, "toolChoice", /expected a tool name, "auto", .*; got 1/],
    ["parallelToolCalls not a boolean", { proposers: [model], aggregator: model, parallelToolCalls: 1 }, "parallelToolCalls", /expected true or false; got 1/],
  ])("%s", (_name, options, option, message) => {
    const error = configErrorOf(options);
    expect(error.name).toBe("MoAConfigError");
    expect(error.option).toBe(option);
    expect(error.message).toMatch(message);
  });

  it("accepts provider strings, model names with colons and specs without creating any model", () => {
    expect(() =>
      createMixtureOfAgents({
        proposers: ["openai:gpt-4o-mini", "ollama:llama3.1:8b", { model: "google-genai:gemini-2.0-flash", temperature: 0.7 }],
        aggregator: "openai:gpt-4o",
        layers: 2,
      }),
    ).not.toThrow();
  });

  it("the chat model takes the reference implementation's names and rejects conflicting aliases", () => {
    expect(() => new MixtureOfAgents({ mainModel: model, referenceModels: [model], rounds: 0, showInternal: false })).not.toThrow();
    expect(() => new MixtureOfAgents({ mainModel: model, aggregator: model, referenceModels: [model] })).toThrow(/give mainModel or its alias aggregator, not both/);
    expect(() => new MixtureOfAgents({ mainModel: model, referenceModels: [model], proposers: [model] })).toThrow(/referenceModels or its alias proposers/);
    expect(() => new MixtureOfAgents({ mainModel: model })).toThrow(MoAConfigError);
  });

  it("never echoes an API key given in the wrong shape", () => {
    const error = configErrorOf({ proposers: [{ model: "openai:gpt-4o", apiKey: 123456789 }], aggregator: model });
    expect(error.option).toBe("proposers[0].apiKey");
    expect(error.message).toMatch(/expected a non-empty string; got number/);
    expect(error.message).not.toContain("123456789");
  });

  it("accepts the shapes of the tool options", () => {
    const tool = { name: "get_weather", description: "Current weather of a city", schema: { type: "object", properties: {} } };
    const options = { proposers: [model], aggregator: model, tools: [tool], toolChoice: "auto", parallelToolCalls: false, proposeOn: "user_turn" };
    expect(parseOptions(options)).toMatchObject({ tools: [tool], toolChoice: "auto", parallelToolCalls: false, proposeOn: "user_turn" });
  });

  it("validateSpec names the fields of a model under the option it is given", () => {
    expect(validateSpec("openai:gpt-4o", "judge")).toEqual({ model: "openai:gpt-4o" });
    expect(() => validateSpec({ model: "openai:gpt-4o", samples: 0 }, "judge")).toThrow(/^Invalid judge\.samples: expected an integer >= 1; got 0$/);
  });

  it("isInstance tells the error classes apart", () => {
    const error = configErrorOf({ proposers: [] });
    expect(MoAConfigError.isInstance(error)).toBe(true);
    expect(MoAConfigError.isInstance(new Error("x"))).toBe(false);
  });
});

describe("the configurable of a served run", () => {
  const served = (configurable: unknown) => parseWith(servedConfigSchema, configurable, "configurable");
  const errorOf = (configurable: unknown) => {
    try {
      served(configurable);
    } catch (error) {
      if (MoAConfigError.isInstance(error)) return error;
      throw error;
    }
    throw new Error("expected a MoAConfigError");
  };

  it("takes models as strings, layers, rounds and proposeOn, and lets LangGraph's own keys pass", () => {
    const configurable = { thread_id: "t1", proposers: ["openai:gpt-4o-mini"], aggregator: ["openai:gpt-4o", "ollama:llama3.1"], layers: 2, proposeOn: "every_call" };
    expect(served(configurable)).toEqual({ proposers: ["openai:gpt-4o-mini"], aggregator: ["openai:gpt-4o", "ollama:llama3.1"], layers: 2, proposeOn: "every_call" });
    expect(served({})).toEqual({});
  });

  it.each([
    ["a model object", { proposers: [{ model: "openai:x", baseURL: "http://127.0.0.1:9/v1" }] }, "configurable.proposers[0]", /expected "provider:model" strings \(a run may not give model objects/],
    ["no proposers", { proposers: [] }, "configurable.proposers", /non-empty array/],
    ["an aggregator object", { aggregator: { model: "openai:x" } }, "configurable.aggregator", /expected a "provider:model" string or a non-empty array of them; got an object/],
    ["a number in the aggregator list", { aggregator: ["openai:x", 1] }, "configurable.aggregator[1]", /got 1/],
    ["layers 0", { layers: 0 }, "configurable.layers", /expected an integer >= 1; got 0/],
    ["proposeOn not one of its values", { proposeOn: "always" }, "configurable.proposeOn", /expected "user_turn" or "every_call"; got "always"/],
  ])("refuses %s", (_name, configurable, option, message) => {
    const error = errorOf(configurable);
    expect(error.option).toBe(option);
    expect(error.message).toMatch(message);
  });

  it("describes every field, for the assistant's config schema", () => {
    const schema = z.toJSONSchema(servedConfigSchema) as { properties: Record<string, { description?: string }> };
    expect(Object.keys(schema.properties)).toEqual(["proposers", "aggregator", "layers", "rounds", "proposeOn"]);
    for (const field of Object.values(schema.properties)) expect(field.description).toBeTruthy();
  });
});
