import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The JSON report is what `.ci/run` reads its `N passed, N failed` line from.
    reporters: ["default", ["json", { outputFile: "test-results/results.json" }]],
  },
});
