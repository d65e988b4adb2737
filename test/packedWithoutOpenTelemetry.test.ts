// The packed package without its optional peer @opentelemetry/api (issue 31), as most users
// install it: the scratch project of the docs tests (helpers/packedProject.ts) has no OpenTelemetry
// package, so there the server entry loads, guards pass and refuse, the audit hook and the
// `telemetry` option work, and nothing is recorded anywhere. One Node process, no server.
// The project lies in the temporary directory, and Node looks for packages in every folder above
// it too: a machine where something left a node_modules there (/tmp/node_modules) would lend the
// project its packages. The lookup is cut off at the project, as on a clean machine: a resolve
// hook for imports, and for require (the script checks that neither finds the peer) the list of
// node_modules folders Node searches.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packedProject } from "./helpers/packedProject.js";

const SCRIPT = `
import { initTRPC } from "@trpc/server";
import { AuthManager, createJwtContext, createJwtProcedures, memoryStore } from "trpc-jwt";
import { redisStore } from "trpc-jwt/redis";

import { createRequire } from "node:module";

const absent = await import("@opentelemetry/api").then(() => false, () => true);
let required = true;
try { createRequire(import.meta.url)("@opentelemetry/api"); } catch { required = false; }
const audited = [];
const auth = new AuthManager({ issuer: "scratch", authType: "HS256", secret: "s".repeat(32), store: memoryStore(), audit: (event) => audited.push(event.event) });
const createContext = createJwtContext(auth, { telemetry: { subject: false } });
const t = initTRPC.context().create();
const { authedProcedure } = createJwtProcedures(t);
const router = t.router({ me: authedProcedure.query(({ ctx }) => ctx.token.sub) });
const call = (token) => router.createCaller(createContext({ req: new Request("http://x", { headers: token ? { authorization: "Bearer " + token } : {} }) })).me();
const { authToken } = await auth.login("alice");
const sub = await call(authToken.signed);
const refused = await call(undefined).then(() => "passed", (error) => error.cause?.code);
await auth.revoke(authToken);
await new Promise((resolve) => setTimeout(resolve, 0));
console.log(JSON.stringify({ absent, required, sub, refused, audited, redis: typeof redisStore }));
`;

const HOOKS = `
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (resolved.url.startsWith("file:") && !resolved.url.startsWith(process.env.PROJECT_URL)) {
    throw Object.assign(new Error("Cannot find package " + specifier + " in the project"), { code: "ERR_MODULE_NOT_FOUND" });
  }
  return resolved;
}
`;

const REGISTER = `
import Module, { register } from "node:module";
register("./hooks.mjs", import.meta.url);
const paths = Module._nodeModulePaths;
Module._nodeModulePaths = (from) => paths(from).filter((path) => path.startsWith(process.env.PROJECT_DIR));
`;

describe("the packed package without @opentelemetry/api", () => {
  let dir: string;
  let project: string;
  beforeAll(async () => {
    project = await packedProject();
    dir = mkdtempSync(join(project, "without-otel-"));
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is installed without it, and loads, guards, refuses and audits", async () => {
    expect(existsSync(join(project, "node_modules", "@opentelemetry", "api"))).toBe(false);
    writeFileSync(join(dir, "main.mjs"), SCRIPT);
    writeFileSync(join(dir, "hooks.mjs"), HOOKS);
    writeFileSync(join(dir, "register.mjs"), REGISTER);
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "./register.mjs", "main.mjs"], {
      cwd: dir,
      timeout: 30_000,
      env: { ...process.env, PROJECT_URL: `${pathToFileURL(project).href}/`, PROJECT_DIR: `${project}/` },
    });
    expect(JSON.parse(stdout)).toEqual({
      absent: true,
      required: false,
      sub: "alice",
      refused: "TOKEN_MISSING",
      audited: ["login", "revoke"],
      redis: "function",
    });
  });
});
