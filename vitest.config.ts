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
    include: ["test/**/*.test.ts"],
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
    testTimeout: 20_000,
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-report.json" },
  },
});
