import { defineConfig } from "vitest/config";

// One suite for the whole repo: SDK units (assembly/__tests__), harness units and
// host tests (harness/test), and policy end-to-end tests (policies/*/tests) that
// run the *built* modules through the built harness (make test builds first).
export default defineConfig({
  test: {
    include: [
      "assembly/__tests__/**/*.test.ts",
      "harness/test/**/*.test.ts",
      "policies/*/tests/**/*.test.ts",
    ],
    // `make build` first when sources changed, so `npx vitest run` works on a fresh clone
    globalSetup: ["harness/test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
