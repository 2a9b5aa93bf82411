import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Several files measure time (timeouts, quorum, concurrency) or start processes: one file at a time
    // keeps them from loading each other on a small machine.
    fileParallelism: false,
    // The JSON report is what `.ci/run` reads its `N passed, N failed` line from.
    reporters: ["default", ["json", { outputFile: "test-results/results.json" }]],
  },
});
