import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // End-to-end tests spawn real process trees; a generous timeout keeps a
    // loaded 2-core CI machine from turning slowness into failures.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
