import { describe, expect, it } from "vitest";
import { MoAConfigError, MixtureOfAgents, createMixtureOfAgents, type MixtureOfAgentsOptions } from "../src/index.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";

const model = new ScriptedChatModel({ model: "m" });

function configError(options: unknown): MoAConfigError {
  try {
    createMixtureOfAgents(options as MixtureOfAgentsOptions);
  } catch (error) {
    if (MoAConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a MoAConfigError");
}

describe("options are validated at construction", () => {
  it.each([
    ["no options", undefined, "options", /expected an object/],
    ["no proposers", { proposers: [], aggregator: model }, "proposers", /non-empty array/],
    ["proposers not an array", { proposers: "openai:gpt-4o", aggregator: model }, "proposers", /non-empty array/],
    ["no aggregator", { proposers: [model] }, "aggregator", /expected a model/],
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
  ])("%s", (_name, options, option, message) => {
    const error = configError(options);
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

  it("isInstance tells the error classes apart", () => {
    const error = configError({ proposers: [] });
    expect(MoAConfigError.isInstance(error)).toBe(true);
    expect(MoAConfigError.isInstance(new Error("x"))).toBe(false);
  });
});
