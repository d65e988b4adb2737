import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests import "trpc-jwt" exactly as users do; here it resolves to the source.
    alias: [
      { find: /^trpc-jwt$/, replacement: src("index.ts") },
      { find: /^trpc-jwt\/client$/, replacement: src("client.ts") },
      { find: /^trpc-jwt\/redis$/, replacement: src("redis.ts") },
      { find: /^trpc-jwt\/testing$/, replacement: src("testing.ts") },
    ],
  },
  test: {
    testTimeout: 20_000,
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-report.json" },
    // The suite runs twice: on the node:crypto signature check, and forced onto the jose fallback
    // (what a runtime without node:crypto uses). Run once: type tests, the differential test of the
    // two paths, and the tests of the packed package (built apart, where the switch cannot reach).
    projects: [
      {
        extends: true,
        test: { name: "native", include: ["test/**/*.test.ts"], typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" } },
      },
      {
        extends: true,
        test: { name: "jose", include: ["test/**/*.test.ts"], exclude: ["test/nativeVerify.test.ts", "test/docs.test.ts", "test/packedTypes.test.ts", "test/quickstart.test.ts"], setupFiles: ["test/setup/forceJose.ts"] },
      },
    ],
  },
});
