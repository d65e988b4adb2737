import { defineConfig } from "vitest/config";

// `npm run test:next` only (not part of `npm test`): builds example-next/ with `next build`,
// serves it with `next start` and drives it in headless Chromium.
export default defineConfig({
  test: { include: ["test/next/*.e2e.ts"], testTimeout: 60_000, hookTimeout: 600_000 },
});
