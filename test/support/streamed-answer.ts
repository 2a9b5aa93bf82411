import type { AIMessageChunk } from "@langchain/core/messages";
import type { MixtureOfAgents } from "../../src/index.js";

/** What `MixtureOfAgents.stream(input)` yielded: the chunks' text in order, and the chunks concatenated. */
export async function streamedAnswer(moa: MixtureOfAgents, input: string): Promise<{ text: string; final: AIMessageChunk | undefined }> {
  let text = "";
  let final: AIMessageChunk | undefined;
  for await (const chunk of await moa.stream(input)) {
    text += chunk.text;
    final = final === undefined ? chunk : final.concat(chunk);
  }
  return { text, final };
}
