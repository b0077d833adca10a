import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    // Several tests start real servers and child processes; forks keep each
    // file's sockets, timers and SQLite handles in a process of its own.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
