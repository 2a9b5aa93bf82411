import { defineConfig } from "vitest/config";

/**
 * Files that mostly wait on processes they start (servers, a packed install, serving processes, a
 * terminal): they run two at a time, before the rest. None of them measures time at the scale of the
 * other files.
 */
const PROCESS_FILES = [
  "test/package/**/*.test.ts",
  "test/integration/thread-soak.test.ts",
  "test/integration/postgres-threads.test.ts",
  "test/integration/pgbouncer-threads.test.ts",
  "test/integration/crash-safe-turns.test.ts",
  "test/conversation/postgres-db.test.ts",
  "test/conversation/terminal.test.ts",
  "test/conversation/piped.test.ts",
  "test/conversation/embedded-default.test.ts",
  "test/eval/command.test.ts",
  "test/playground/**/*.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The JSON report is what `.ci/run` reads its `N passed, N failed` line from (MOA_TEST_REPORT names
    // another file, for runs side by side).
    reporters: ["default", ["json", { outputFile: process.env.MOA_TEST_REPORT ?? "test-results/results.json" }]],
    projects: [
      {
        extends: true,
        test: { name: "processes", include: PROCESS_FILES, sequence: { groupOrder: 0 }, fileParallelism: true, maxWorkers: 2 },
      },
      {
        extends: true,
        // Several files measure time (timeouts, quorum, concurrency): one file at a time keeps them from
        // loading each other on a small machine.
        test: { name: "in-process", include: ["test/**/*.test.ts"], exclude: PROCESS_FILES, sequence: { groupOrder: 1 }, fileParallelism: false },
      },
    ],
  },
});
