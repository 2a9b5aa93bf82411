import { readFile, writeFile } from "node:fs/promises";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { createMixtureOfAgents } from "../src/index.js";

/** The markers around the graph drawing in README.md. */
export const GRAPH_START = "<!-- graph:start (npm run readme:graph) -->";
export const GRAPH_END = "<!-- graph:end -->";

/** The Mermaid drawing of the real MoA graph, as a fenced block. */
export async function renderGraphBlock(): Promise<string> {
  const model = new FakeListChatModel({ responses: ["-"] });
  const graph = createMixtureOfAgents({ proposers: [model], aggregator: model });
  const mermaid = (await graph.getGraphAsync()).drawMermaid();
  return `${GRAPH_START}\n\`\`\`mermaid\n${mermaid.trim()}\n\`\`\`\n${GRAPH_END}`;
}

/** The README's current graph block, or `undefined` when the markers are missing. */
export function currentGraphBlock(readme: string): string | undefined {
  const start = readme.indexOf(GRAPH_START);
  const end = readme.indexOf(GRAPH_END);
  return start < 0 || end < start ? undefined : readme.slice(start, end + GRAPH_END.length);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = new URL("../README.md", import.meta.url);
  const readme = await readFile(path, "utf8");
  const current = currentGraphBlock(readme);
  if (current === undefined) throw new Error(`README.md has no ${GRAPH_START} … ${GRAPH_END} block`);
  await writeFile(path, readme.replace(current, await renderGraphBlock()));
  console.log("README.md graph updated");
}
