/**
 * The text layout of the conversation example, as it lands on a screen: the streamed answer's word
 * wrapping, status lines cut to the terminal's width, proposer names, and the Ollama host read like
 * Ollama reads it.
 */
import { describe, expect, it } from "vitest";
import { createStyle, fitWidth, stripAnsi } from "../../examples/conversation/ansi.js";
import { proposerIds } from "../../examples/conversation/model-names.js";
import { ollamaBaseUrl } from "../../examples/conversation/ollama-models.js";
import { StreamWrapper } from "../../examples/conversation/stream-wrap.js";
import { wrapText } from "../../examples/conversation/wrap.js";

/** What a terminal shows after `pieces` were streamed through a wrapper behind a `moa> ` label. */
function streamed(pieces: string[], width: number): string[] {
  const wrapper = new StreamWrapper(width, 5);
  const text = `moa> ${pieces.map((piece) => wrapper.push(piece)).join("")}${wrapper.flush()}`;
  return text.split("\n").map((line) => line.trimEnd());
}

describe("the streamed answer", () => {
  it("wraps at word boundaries, whatever the pieces, with continuation lines under the answer's start", () => {
    const text = "The sky looks blue because air molecules scatter blue light more than red light.";
    const byWord = text.split(/(?<= )/);
    const byThree = text.match(/.{1,3}/g) ?? [];
    const expected = ["moa> The sky looks blue because", "     air molecules scatter blue", "     light more than red light."];
    expect(streamed(byWord, 34)).toEqual(expected);
    expect(streamed(byThree, 34)).toEqual(expected);
    for (const line of expected) expect(line.length).toBeLessThanOrEqual(34);
  });

  it("keeps the answer's own line breaks and splits a word longer than a line", () => {
    expect(streamed(["First.\n\n- a", "\n- b\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"], 20)).toEqual([
      "moa> First.", "", "     - a", "     - b", "     xxxxxxxxxxxxxxx", "     xxxxxxxxxxxxxxx",
    ]);
  });
});

describe("fixed text", () => {
  it("wraps paragraphs, keeping a line's indent on its continuation lines", () => {
    expect(wrapText("  proposers: openai:gpt-4o-mini, ollama:llama3.2, google-genai:gemini-2.0-flash", 40)).toEqual([
      "  proposers: openai:gpt-4o-mini,", "  ollama:llama3.2,", "  google-genai:gemini-2.0-flash",
    ]);
  });

  it("cuts a coloured status line to the width with an ellipsis, never leaving a colour open", () => {
    const style = createStyle({ isTTY: true }, {});
    const line = `✗ openai:broken  ${style.red("failed after 0.2 s")}: 500 The server had an error`;
    const cut = fitWidth(line, 30);
    expect(stripAnsi(cut)).toBe("✗ openai:broken  failed after…");
    expect(cut.endsWith("\x1b[0m")).toBe(true);
    expect(fitWidth("plain and short", 30)).toBe("plain and short");
  });

  it("has no colours for a pipe or with NO_COLOR", () => {
    expect(createStyle({ isTTY: false }, {}).red("x")).toBe("x");
    expect(createStyle({ isTTY: true }, { NO_COLOR: "1" }).red("x")).toBe("x");
  });
});

describe("names and hosts", () => {
  it("names each proposer call as the library does: samples of one model get #k", () => {
    expect(proposerIds(["openai:gpt-4o-mini", { model: "ollama:llama3.2", samples: 2 }, { model: "openai:x", name: "groq" }])).toEqual([
      "openai:gpt-4o-mini", "ollama:llama3.2#1", "ollama:llama3.2#2", "groq",
    ]);
  });

  it("reads OLLAMA_HOST like Ollama: default scheme, host and port", () => {
    expect(ollamaBaseUrl(undefined)).toBe("http://127.0.0.1:11434");
    expect(ollamaBaseUrl("0.0.0.0")).toBe("http://127.0.0.1:11434");
    expect(ollamaBaseUrl("gpu-box:8080")).toBe("http://gpu-box:8080");
    expect(ollamaBaseUrl(":11500")).toBe("http://127.0.0.1:11500");
    expect(ollamaBaseUrl("https://ollama.example.com")).toBe("https://ollama.example.com");
    expect(ollamaBaseUrl("http://127.0.0.1:11434/")).toBe("http://127.0.0.1:11434");
  });
});
