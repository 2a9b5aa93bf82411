import { describe, expect, it } from "vitest";
import { createsRun, moveRunChoiceToContext } from "../server/run-choice.js";

describe("the served graph's run requests", () => {
  it.each([
    ["/threads/abc/runs", true],
    ["/threads/abc/runs/stream", true],
    ["/threads/abc/runs/wait", true],
    ["/runs", true],
    ["/runs/wait", true],
    ["/runs/stream", true],
    ["/threads/abc/runs/crons", false],
    ["/runs/crons", false],
    ["/threads", false],
    ["/threads/abc/state", false],
    ["/assistants", false],
  ])("POST %s creates a run: %s", (path, expected) => {
    expect(createsRun(path)).toBe(expected);
  });

  it("moves the model choice from configurable into the run's context, as given, and keeps the rest", () => {
    const body = {
      assistant_id: "moa",
      input: { messages: [] },
      config: { recursion_limit: 30, configurable: { proposers: ["openai:a"], layers: 0, user_id: "u1" } },
      context: { locale: "pt" },
    };
    expect(moveRunChoiceToContext(body)).toEqual({
      assistant_id: "moa",
      input: { messages: [] },
      config: { recursion_limit: 30, configurable: { user_id: "u1" } },
      context: { locale: "pt", configurable: { proposers: ["openai:a"], layers: 0 } },
    });
  });

  it.each([
    ["no config", { input: {} }],
    ["no model choice", { config: { configurable: { user_id: "u1" } } }],
    ["not an object", "text"],
    ["an array (a batch)", [{ config: { configurable: { layers: 2 } } }]],
  ])("leaves a body with %s as it is", (_label, body) => {
    expect(moveRunChoiceToContext(body)).toBe(body);
  });
});
