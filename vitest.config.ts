import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig, type Plugin } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

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

/**
 * The test files the "jose" project runs again on the jose signature check (see below). Not
 * keysWithoutNodeCrypto and withoutNodeCrypto: they replace the module that holds the switch with
 * one where node:crypto is missing, so each of their tests already runs on jose, and the switch
 * could change nothing (jwksWithoutNodeCrypto hides node:crypto for some tests only, and stays).
 */
const JOSE_FILES = [
  "keys",
  "tokens",
  "vectors",
  "rfcVectors",
  "interop",
  "signaturePath",
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

// Most files share their worker's modules (`isolate: false`): a worker imports src/ and the
// dependencies (@trpc/server, zod, jose, oidc-provider...) once and runs file after file on them,
// instead of a fresh process re-importing them for every file (that import was 77-88 s of the
// suite's CPU time on 2 cores). The files below need modules of their own, and keep a fresh
// worker each (the "-isolated" projects); vitest never hands a worker from one project to another
// (its pool reuses a worker only for the same project), so nothing crosses between projects.
//
// Every file that mocks a module (vi.mock, vi.doMock, vi.unmock) or stubs a global or an
// environment variable through vitest (vi.stubGlobal, vi.stubEnv) is found here and isolated:
// a mock only replaces a module imported after it, and a worker that already imported the real
// module for an earlier file would hand that one out (and the mocked one to the files after).
// Today: guards, procedures, signaturePath, strictParsing, tokenCache and nativeVerify count or
// fail signature checks through mocked jose and nativeVerify; issuers.http counts claim checks;
// keysWithoutNodeCrypto, withoutNodeCrypto and jwksWithoutNodeCrypto hide node:crypto.
const MOCKS = /\bvi\.(mock|doMock|unmock|stubGlobal|stubEnv)\(/;
/** The other files that need modules of their own, each with why. */
const ISOLATED_FOR_MODULE_STATE = new Set([
  // Pins what openTelemetry() answers (useOpenTelemetry, module state src/ offers no way to
  // reset) and registers an OpenTelemetry SDK globally while it runs.
  "telemetry",
]);
const testsDir = fileURLToPath(new URL("./test/", import.meta.url));
/** The test files (names without `.test.ts`) that run in a worker of their own. */
// Searched through subfolders too: the "native" project's include (test/**/*.test.ts) takes a test
// file wherever it is, and one that mocks must not land in a shared worker unseen.
const ISOLATED = readdirSync(testsDir, { recursive: true, encoding: "utf8" })
  .filter((file) => file.endsWith(".test.ts"))
  .map((file) => file.slice(0, -".test.ts".length))
  .filter((name) => ISOLATED_FOR_MODULE_STATE.has(name) || MOCKS.test(readFileSync(join(testsDir, `${name}.test.ts`), "utf8")));
const testFile = (name: string) => `test/${name}.test.ts`;
const isolatedFiles = (names: string[]) => names.filter((name) => ISOLATED.includes(name)).map(testFile);
const sharedFiles = (names: string[]) => names.filter((name) => !ISOLATED.includes(name)).map(testFile);

/** Whether the command line asks vitest to shuffle (`--sequence.shuffle`, `.files`, `.tests`). */
const SHUFFLED = process.argv.some((arg) => arg.startsWith("--sequence.shuffle"));

// The files that take tens of seconds each (on 2 idle cores: nativeVerify ~30, redisCluster ~30,
// nativeSign ~15; the next are near 10): started first, see FileOrder.
const SLOW_FILES = ["nativeVerify", "redisCluster", "nativeSign"].map(testFile);

/**
 * The order the files start in. Vitest's own (project by project in name order, in each the
 * longest first by the last run's times, else the largest) would start the "-isolated" projects
 * last, and nativeVerify, the longest file, with them: one core would end the run alone on it.
 * Without the last run's times (a fresh install, as in CI) it would start the slow files wherever
 * their size puts them. Here the isolated files go first (each has a worker of its own: their
 * order is free), then the shared projects, each in one piece (a worker moves on only to the next
 * file of its own project); in each of those parts the SLOW_FILES lead, the rest keep vitest's
 * order.
 */
class FileOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const at = SLOW_FILES.indexOf(relative(this.ctx.config.root, spec.moduleId));
      return at === -1 ? SLOW_FILES.length : at;
    };
    const slowFirst = (specs: TestSpecification[]) => specs.sort((a, b) => rank(a) - rank(b)); // a stable sort
    const isolated = sorted.filter((spec) => spec.project.config.isolate);
    const shared = new Map<string, TestSpecification[]>(); // by project, in vitest's order
    for (const spec of sorted) {
      if (spec.project.config.isolate) continue;
      const files = shared.get(spec.project.name) ?? [];
      files.push(spec);
      shared.set(spec.project.name, files);
    }
    return [...slowFirst(isolated), ...[...shared.values()].flatMap(slowFirst)];
  }
}

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
    // One file more than there are cores: the suite spends much of its time waiting on real
    // servers, subprocesses, Chromium and timers, and vitest's default (cores - 1) would run one
    // file at a time on a 2-core machine. Measured on 2 idle cores, all tests passing: 169 s with
    // two workers, 124 s and 138 s with three.
    maxWorkers: availableParallelism() + 1,
    // Under --sequence.shuffle (or .files, .tests) vitest's own sequencers order and shuffle: it
    // picks its random one only where the config names none, and tells a sequencer nothing of a
    // files-only shuffle.
    sequence: SHUFFLED ? {} : { sequencer: FileOrder },
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
    // Each runs as two projects: the files sharing their workers' modules ("native", "jose") and
    // the files isolated above ("native-isolated", "jose-isolated"). `--project 'native*'` runs
    // every native file.
    projects: [
      {
        extends: true,
        // The type tests (test/*.test-d.ts) are compiled by test/typeTests.test.ts.
        test: {
          name: "native",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...isolatedFiles(ISOLATED)],
          isolate: false,
          setupFiles: ["test/setup/checkNative.ts"],
        },
      },
      {
        extends: true,
        test: { name: "native-isolated", include: isolatedFiles(ISOLATED), setupFiles: ["test/setup/checkNative.ts"] },
      },
      {
        extends: true,
        test: { name: "jose", include: sharedFiles(JOSE_FILES), isolate: false, setupFiles: ["test/setup/forceJose.ts"] },
      },
      {
        extends: true,
        test: { name: "jose-isolated", include: isolatedFiles(JOSE_FILES), setupFiles: ["test/setup/forceJose.ts"] },
      },
    ],
  },
});
