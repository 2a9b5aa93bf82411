import OpenAI from "openai";
import { QUESTION, referencesText, type Implementation } from "./shape.js";

/** The floor: the `openai` SDK's client, one per model as `ChatOpenAI` has, and `Promise.all` per layer. */
export const rawOpenAI: Implementation = {
  name: "raw",
  label: "raw `openai` client + `Promise.all`",
  create(target, shape) {
    const clients = Array.from({ length: shape.proposers + 1 }, () => new OpenAI({ apiKey: "sk-bench", baseURL: target.baseURL, maxRetries: 0 }));
    const aggregator = clients[shape.proposers] as OpenAI;
    const ask = async (client: OpenAI, system: string | undefined): Promise<string> => {
      const messages = [...(system === undefined ? [] : [{ role: "system" as const, content: system }]), { role: "user" as const, content: QUESTION }];
      const completion = await client.chat.completions.create({ model: target.model, messages });
      return completion.choices[0]?.message.content ?? "";
    };
    return async () => {
      let references: string[] = [];
      for (let layer = 1; layer <= shape.layers; layer++) {
        const system = referencesText(references, layer);
        references = await Promise.all(clients.slice(0, shape.proposers).map((client) => ask(client, system)));
      }
      return ask(aggregator, referencesText(references, "aggregate"));
    };
  },
};
