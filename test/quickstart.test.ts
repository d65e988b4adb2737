// The README's Quick start, verbatim: its server.ts and client.ts blocks are compiled under strict
// NodeNext against the packed package and run, then the session is carried past the auth token's
// expiry: the admin call must succeed again through the refresh link. This is what catches a
// refresh procedure that re-issues the auth token without the account's scope.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileDocs, type DocsCompilation } from "./helpers/compileDocs.js";
import { extractBlocks } from "./helpers/docBlocks.js";
import { packedProject } from "./helpers/packedProject.js";

const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8");
const quickStart = extractBlocks(readme).filter((block) => block.section === "Quick start");

// Runs in the scratch project beside the emitted blocks. The blocks hard-code port 3000, which
// other processes on this machine may hold, so the server's listen(3000) gets a free port and the
// client's requests to :3000 are sent there. It counts refresh requests and, after the blocks'
// own calls, waits out the auth token's lifetime and calls `admin` again.
const DRIVER = `
import net from "node:net";
import { jwtErrorCode } from "trpc-jwt/client";
const listen = net.Server.prototype.listen;
let portFound;
const port = new Promise((resolve) => (portFound = resolve));
net.Server.prototype.listen = function (first, ...rest) {
  this.once("listening", () => portFound(this.address().port));
  return listen.call(this, first === 3000 ? 0 : first, ...rest);
};
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

/** Runs `node script` in `cwd` and resolves with its stdout; killed (by pid) after `timeout` ms. */
function runNode(script: string, env: Record<string, string>, timeout: number) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [script], { cwd: dirname(script), env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeout);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("README Quick start", () => {
  let compiled: DocsCompilation;
  beforeAll(async () => {
    compiled = compileDocs(await packedProject(), [{ name: "README.md", blocks: quickStart }], { emit: true });
  }, 300_000);
  afterAll(() => compiled?.dispose());

  it("has a server.ts block and a client.ts block", () => {
    expect(quickStart.filter((block) => block.lang === "ts").map((block) => block.file)).toEqual(["server.ts", "client.ts"]);
  });

  it("compiles verbatim under strict NodeNext against the packed package", () => {
    expect(compiled.problems.get("README.md")).toEqual([]);
  });

  it("runs: login, user, admin, then after the auth token expired admin again through one refresh", { timeout: 30_000 }, async () => {
    const driver = join(dirname(compiled.emitted("README.md", "server.ts")), "driver.mjs");
    writeFileSync(driver, DRIVER);
    // iat and exp are whole seconds, so a token lives between authMaxAge - 1 and authMaxAge
    // seconds: 3 leaves a refreshed token at least 2 s for its retry, even on a loaded machine.
    const env = { JWT_SECRET: randomBytes(32).toString("base64url"), JWT_AUTHMAXAGE: "3" };
    const { code, stdout, stderr } = await runNode(driver, env, 25_000);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout.trim().split("\n")).toEqual([
      "API on port 3000",
      "Hello, alice!",
      "Welcome, admin",
      "Welcome, admin",
      "refreshes during the last call: 1",
    ]);
  });
});
