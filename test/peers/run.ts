// `npm run test:peers` (issue #27): the peer ranges of package.json, proven. For each pair of the
// matrix (the lowest supported @trpc/server and @trpc/client 11.x and the latest, each with zod
// 3.25 and zod 4), a scratch project of its own installs the packed package next to exactly those
// versions, as a user would (npm's peer check is strict: a range that excludes them is ERESOLVE),
// compiles the README's Quick start there under strict settings, and runs the suite's tRPC-facing
// tests (in-process callers and real HTTP, WebSocket and SSE) with every import of a peer resolved
// in that project (TRPC_JWT_PEERS, read by vitest.config.ts). The repository's node_modules is
// never touched.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileDocs } from "../helpers/compileDocs.js";
import { extractBlocks } from "../helpers/docBlocks.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { peerDependencies: Record<string, string> };

/** A range's floor ("^11.22.1" -> "11.22.1"). */
const floorOf = (name: string) => (manifest.peerDependencies[name] ?? "").replace(/^\^/, "");
// The floors are the lowest versions the tests pass on (of those the registry offers): a server at
// 11.22.1 passes everything (11.19.0 lets a multipart POST through the fastify adapter unchecked
// for CSRF); the client needs 11.25 (before it, wsLink fails the calls made after a logout closed
// the socket instead of reconnecting without a token).
const SERVER_FLOOR = floorOf("@trpc/server");
const CLIENT_FLOOR = floorOf("@trpc/client");
const TRPC_LATEST = "11.25.2";
const ZOD_3 = "3.25.76";
const ZOD_4 = "4.6.7";
const MATRIX = [SERVER_FLOOR, TRPC_LATEST].flatMap((trpc) => [ZOD_3, ZOD_4].map((zod) => ({ trpc, zod })));

/** Whether `version` is at least `floor` (both x.y.z). */
const atLeast = (version: string, floor: string) => {
  const [a, b] = [version, floor].map((v) => v.split(".").map(Number));
  for (let i = 0; i < 3; i++) if ((a![i] ?? 0) !== (b![i] ?? 0)) return (a![i] ?? 0) > (b![i] ?? 0);
  return true;
};

/**
 * The test files that drive tRPC: procedures through callers and the real HTTP, WebSocket and
 * SSE adapters, the client links. Left out: the ones that compile or spawn against the
 * repository's own install (docs, typeTests, clientEntry, multiProcess), where the peers of
 * the matrix cannot reach.
 */
export const TRPC_FACING = [
  "adapters",
  "clientErrors",
  "clientSessionRace",
  "clientWebSocket",
  "cookieRefreshLink",
  "cookies.connections",
  "cookies.http",
  "flaskScenarios",
  "freshness",
  "guards",
  "hardening",
  "issuers.http",
  "jwks",
  "optionalProcedure",
  "procedures",
  "refreshLink",
  "rotation",
  "security",
  "sessions",
  "subscriptionRevocation",
  "subscriptions",
  "typedClaims",
  "unguardedProcedures",
].map((name) => `test/${name}.test.ts`);
/** Of those, the files about the client's own links, which need `@trpc/client` at its floor. */
const CLIENT_LINKS = ["test/clientWebSocket.test.ts"];

const version = (name: string): string => (JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;

const run = (command: string, args: string[], cwd: string) => execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

const work = mkdtempSync(join(tmpdir(), "trpc-jwt-peers-"));
const failures: string[] = [];
try {
  run("npm", ["run", "--silent", "build"], root);
  const tarball = join(work, run("npm", ["pack", "--silent", "--pack-destination", work], root).trim().split("\n").pop() ?? "");
  const quickStart = extractBlocks(readFileSync(join(root, "README.md"), "utf8")).filter((block) => block.section === "Quick start");

  for (const { trpc, zod } of MATRIX) {
    const label = `@trpc/server@${trpc} @trpc/client@${trpc} zod@${zod}`;
    const project = join(work, `trpc-${trpc}-zod-${zod}`);
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "peers", private: true, type: "module" }));
    // Strict peer resolution (npm's default): a peer range excluding these versions fails here.
    // Below the client's floor this is a server-only install (the client is an optional peer); the
    // tests then drive the server with that version's client, installed beside it afterwards.
    const clientSupported = atLeast(trpc, CLIENT_FLOOR);
    const install = spawnSync(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        tarball,
        `@trpc/server@${trpc}`,
        ...(clientSupported ? [`@trpc/client@${trpc}`] : []),
        `zod@${zod}`,
        `superjson@${version("superjson")}`,
        `@types/node@${version("@types/node")}`,
      ],
      { cwd: project, encoding: "utf8" },
    );
    if (install.status !== 0 || /ERESOLVE|peer dep/i.test(install.stderr)) {
      failures.push(`${label}: npm install: ${install.stderr.trim()}`);
      continue;
    }
    if (!clientSupported)
      run("npm", ["install", "--no-save", "--legacy-peer-deps", "--no-audit", "--no-fund", "--prefer-offline", "--silent", `@trpc/client@${trpc}`], project);
    const compiled = compileDocs(project, [{ name: "README.md", blocks: quickStart }]);
    const problems = compiled.problems.get("README.md") ?? [];
    compiled.dispose();
    if (problems.length > 0) failures.push(`${label}: the Quick start does not compile:\n  ${problems.join("\n  ")}`);

    const files = clientSupported ? TRPC_FACING : TRPC_FACING.filter((file) => !CLIENT_LINKS.includes(file));
    console.log(
      `\n== ${label}: installed without ERESOLVE${clientSupported ? "" : " (server only)"}, Quick start compiles; the tRPC-facing tests${clientSupported ? "" : ` but the client links' (client floor ${CLIENT_FLOOR})`}:`,
    );
    const tests = spawnSync(
      join(root, "node_modules/.bin/vitest"),
      ["run", "--project", "native", "--project", "native-isolated", "--typecheck.enabled=false", "--reporter=dot", ...files],
      {
        cwd: root,
        stdio: "inherit",
        env: { ...process.env, TRPC_JWT_PEERS: project },
      },
    );
    if (tests.status !== 0) failures.push(`${label}: tests failed`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`\ntest:peers FAILED:\n${failures.join("\n")}`);
  process.exit(1);
}
console.log(
  `\ntest:peers: ${MATRIX.length} peer sets installed, compiled and tested: ${MATRIX.map(({ trpc, zod }) => `tRPC ${trpc} + zod ${zod}`).join(", ")}`,
);
