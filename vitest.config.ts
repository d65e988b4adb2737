import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vitest/config";

const src = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

// `npm run test:peers` (test/peers/run.ts) sets TRPC_JWT_PEERS to a project holding other versions
// of the peers: every import of them (from src/ and the tests) resolves as if made from inside that
// project, subpaths and export conditions included; the packages themselves are loaded from there
// by Node, so their own imports of each other stay in that project too.
const peers = process.env["TRPC_JWT_PEERS"];
const PEER = /^(@trpc\/server|@trpc\/client|zod)(\/.*)?$/;
const peersPlugin: Plugin = {
  name: "trpc-jwt-peers",
  enforce: "pre",
  async resolveId(source, _importer, options) {
    if (peers === undefined || !PEER.test(source)) return null;
    // Resolved from a file that exists in that project (Vite resolves from the root otherwise).
    const resolved = await this.resolve(source, join(peers, "package.json"), { ...options, skipSelf: true });
    if (!resolved?.id.startsWith(peers)) throw new Error(`test:peers: ${source} resolved outside ${peers}: ${resolved?.id}`);
    return resolved;
  },
};

/** The test files the "jose" project runs again on the jose signature check (see below). */
const JOSE_FILES = [
  "keys",
  "keysWithoutNodeCrypto",
  "tokens",
  "vectors",
  "rfcVectors",
  "interop",
  "signaturePath",
  "withoutNodeCrypto",
  "properties",
  "security",
  "strictParsing",
  "rotation",
  "jwks",
  "jwksWithoutNodeCrypto",
  "issuers",
  "issuers.oidc",
  "tokenCache",
];

export default defineConfig({
  plugins: [peersPlugin],
  resolve: {
    // Tests import "trpc-jwt" exactly as users do; here it resolves to the source.
    alias: [
      { find: /^trpc-jwt$/, replacement: src("index.ts") },
      { find: /^trpc-jwt\/client$/, replacement: src("client.ts") },
      { find: /^trpc-jwt\/redis$/, replacement: src("redis.ts") },
      { find: /^trpc-jwt\/testing$/, replacement: src("testing.ts") },
      { find: /^trpc-jwt\/types$/, replacement: src("types.ts") },
      { find: /^trpc-jwt\/policy$/, replacement: src("policy.ts") },
    ],
  },
  test: {
    testTimeout: 20_000,
    // Two files at a time at least: the suite spends much of its time waiting on real servers,
    // subprocesses, Chromium and timers, and vitest's default (cores - 1) would run one file at a
    // time on a 2-core machine.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: ["default", "json"],
    outputFile: { json: ".vitest-report.json" },
    // oidc-provider, the test fixture of a real identity provider, warns that Node 20 is not its
    // supported runtime (we test on Node 20.16+ on purpose) and that its in-memory storage is for
    // development (all a test needs): notices about the fixture that would only puzzle a reader.
    onConsoleLog: (log) => (/oidc-provider WARNING: (Unsupported runtime|a quick start development-only in-memory adapter)/.test(log) ? false : undefined),
    // Every file runs on the node:crypto signature check ("native"). The files that exercise
    // signatures (keys, algorithms, vectors, interop, attacks, verification of our own and remote
    // tokens, the cache in front of it) run again forced onto the jose fallback, what a runtime
    // without node:crypto uses ("jose"): that switch changes the signature check and nothing else,
    // so the other files would only repeat the same assertions. A new file that verifies
    // signatures in a new way joins JOSE_FILES.
    projects: [
      {
        extends: true,
        // The type tests (test/*.test-d.ts) are compiled by test/typeTests.test.ts.
        test: { name: "native", include: ["test/**/*.test.ts"] },
      },
      {
        extends: true,
        test: { name: "jose", include: JOSE_FILES.map((name) => `test/${name}.test.ts`), setupFiles: ["test/setup/forceJose.ts"] },
      },
    ],
  },
});
