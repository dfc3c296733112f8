import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["*.test.ts"],
    // Two workers at once, each with a stack of its own (fixtures.ts).
    pool: "forks",
    maxWorkers: 2,
  },
});
