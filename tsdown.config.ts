import { defineConfig } from "tsdown";

/**
 * The published build: ESM (`dist/*.js`, `dist/*.d.ts`) and CommonJS (`dist/*.cjs`, `dist/*.d.cts`) from the
 * same sources, one output file per source file, dependencies left as imports so the user's own
 * `@langchain/core` is the one loaded.
 */
export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  platform: "node",
  target: "node20",
  unbundle: true,
  dts: true,
  sourcemap: true,
  clean: true,
});
