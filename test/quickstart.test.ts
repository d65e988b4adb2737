// The README's Quick start, verbatim: its router.ts, server.ts and client.ts blocks are compiled
// under strict NodeNext against the packed package and run, then the session is carried past the
// auth token's expiry: the admin call must succeed again through the refresh link. This is what
// catches a refresh procedure that re-issues the auth token without the account's scope. The
// testing guide's example (docs/testing.md) is compiled beside them and run against router.ts.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DocsCompilation } from "./helpers/compileDocs.js";
import { extractBlocks } from "./helpers/docBlocks.js";
import { FREE_PORT_FOR_3000, runNode } from "./helpers/docProcess.js";
import { docsCompilation } from "./helpers/docsCompilation.js";

const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");
const quickStart = extractBlocks(readme).filter((block) => block.section === "Quick start");

// Runs in the scratch project beside the emitted blocks, with a free port for the server's
// listen(3000) and the client's requests to :3000 sent there. It counts refresh requests and,
// after the blocks' own calls, waits out the auth token's lifetime and calls `admin` again.
const DRIVER = `${FREE_PORT_FOR_3000}
import { jwtErrorCode } from "trpc-jwt/client";
await import("./server.js");
const origin = \`http://127.0.0.1:\${await port}\`;
let refreshes = 0;
const fetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = String(input).replace("http://127.0.0.1:3000", origin);
  if (new URL(url).pathname.endsWith("/refresh")) refreshes++;
  return fetch(url, init);
};
const { client } = await import("./client.js");
const before = refreshes;
await new Promise((resolve) => setTimeout(resolve, Number(process.env.JWT_AUTHMAXAGE) * 1000 + 200));
try {
  console.log(await client.admin.query());
} catch (error) {
  console.log("admin refused:", jwtErrorCode(error));
}
console.log(\`refreshes during the last call: \${refreshes - before}\`);
process.exit(0);
`;

// docs/testing.md's test file is compiled beside the Quick start (```ts beside=README.md), in the
// one compilation of every doc (helpers/docsCompilation.ts), which docs.test.ts shares.
const secret = () => randomBytes(32).toString("base64url");

describe("README Quick start", () => {
  let compiled: DocsCompilation;
  beforeAll(async () => {
    compiled = await docsCompilation();
  }, 300_000);
  afterAll(() => compiled?.dispose());

  it("has a router.ts block (no server), a server.ts block and a client.ts block", () => {
    expect(quickStart.filter((block) => block.lang === "ts").map((block) => block.file)).toEqual(["router.ts", "server.ts", "client.ts"]);
    expect(quickStart.find((block) => block.file === "router.ts")?.code).not.toMatch(/listen|createHTTPServer/);
  });

  it("compiles verbatim under strict NodeNext against the packed package, with the testing guide's tests beside it", () => {
    expect(compiled.problems.get("README.md")).toEqual([]);
    expect(compiled.problems.get("docs/testing.md")).toEqual([]);
  });

  // The two runs below are processes of their own (the Quick start's server and client; the
  // testing guide's tests under node:test): they run concurrently, each with its own expect.
  it.concurrent("runs: login, user, admin, then after the auth token expired admin again through one refresh", { timeout: 30_000 }, async ({ expect }) => {
    const driver = join(dirname(compiled.emitted("README.md", "server.ts")), "driver.mjs");
    writeFileSync(driver, DRIVER);
    // iat and exp are whole seconds, so a token lives between authMaxAge - 1 and authMaxAge
    // seconds: 3 leaves a refreshed token at least 2 s for its retry, even on a loaded machine.
    const env = { JWT_SECRET: secret(), JWT_AUTHMAXAGE: "3" };
    const { code, stdout, stderr } = await runNode(driver, env, 25_000);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout.trim().split("\n")).toEqual(["API on port 3000", "Hello, alice!", "Welcome, admin", "Welcome, admin", "refreshes during the last call: 1"]);
  });

  // The guide's test file imports the Quick start's router.ts and runs under node:test; a router
  // module that started a server would keep the run from ending (killed, code null).
  it.concurrent("runs the testing guide's tests against the Quick start's router, and the run ends", { timeout: 30_000 }, async ({ expect }) => {
    const tests = compiled.emitted("README.md", "router.test.ts");
    const { code, signal, stdout } = await runNode(tests, { JWT_SECRET: secret() }, 25_000, ["--test", "--test-reporter=tap"]);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(stdout).toMatch(/^# pass 4$/m);
    expect(stdout).toMatch(/^# fail 0$/m);
  });
});
