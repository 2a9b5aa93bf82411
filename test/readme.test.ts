import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { currentGraphBlock, renderGraphBlock } from "../scripts/readme-graph.js";

describe("README", () => {
  it("shows the graph as the code builds it (run `npm run readme:graph` after changing the graph)", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    expect(currentGraphBlock(readme)).toBe(await renderGraphBlock());
  });

  it("states the set-up commands that .ci/run and a new user run", async () => {
    const readme = await readFile(new URL("../README.md", import.meta.url), "utf8");
    const ci = await readFile(new URL("../.ci/run", import.meta.url), "utf8");
    expect(readme).toContain("npm ci && npm test");
    expect(ci).toMatch(/^npm ci\b/m);
    expect(ci).toMatch(/ npm test( |$)/m);
  });
});
