// The packed package's declarations, as a user's compiler reads them: without @types/node (a
// browser project, or a server project that has not installed it) and without skipLibCheck.
// .ci/check-tarball.sh checks the same in CI; this runs it inside `npm test`, so that a landing
// cannot make dist/*.d.ts name node:crypto's types again.
//
// And with `declaration: true`, as a library or a monorepo package that exports its
// createContext, its procedures or a typed token compiles: TypeScript must then write every
// inferred type by a name the user's package can import. The types the server entry does not
// export (RequireToken, TokenContext, RegisteredClaims, ...) are in "trpc-jwt/types", which the
// server entry loads, so the declarations name them from there instead of failing with TS2742
// "The inferred type of '...' cannot be named without a reference to
// '.../node_modules/trpc-jwt/dist/...'. This is likely not portable."
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileDocs, type DocsCompilation } from "./helpers/compileDocs.js";
import { extractBlocks } from "./helpers/docBlocks.js";
import { packedProject } from "./helpers/packedProject.js";

const USES_EVERY_EXPORT = [
  "```ts",
  'import * as server from "trpc-jwt";',
  'import * as client from "trpc-jwt/client";',
  'import * as policy from "trpc-jwt/policy";',
  'import type * as types from "trpc-jwt/types";',
  "export const entries = [server, client, policy];",
  "export type Types = typeof types;",
  "```",
].join("\n");

const USER_LIBRARY = [
  "```ts",
  'import { initTRPC } from "@trpc/server";',
  'import { z } from "zod";',
  'import { AuthManager, createJwtContext, createJwtProcedures, memoryStore, RemoteIssuer } from "trpc-jwt";',
  "",
  "export const auth = new AuthManager({",
  '  issuer: "api",',
  '  authType: "HS256",',
  '  secret: "s".repeat(32),',
  "  store: memoryStore(),",
  "  claims: z.object({ org: z.string(), roles: z.array(z.string()) }),",
  "  scope: z.object({ admin: z.boolean().optional() }),",
  "});",
  'export const idp = new RemoteIssuer({ issuer: "https://idp.example.com/", jwksUri: "https://idp.example.com/jwks", audience: "api" });',
  "export const createContext = createJwtContext(auth);",
  "export const createCookieContext = createJwtContext(auth, { cookies: { secure: true } });",
  "export const createMixedContext = createJwtContext([auth, idp]);",
  "const t = initTRPC.context<typeof createContext>().create();",
  "export const procedures = createJwtProcedures(t);",
  "export const { authedProcedure, refreshProcedure, optionalProcedure, requireToken } = procedures;",
  'export const orgGuard = requireToken({ claims: { org: "acme" }, scope: { admin: true } });',
  "export const router = t.router({",
  "  me: authedProcedure.query(({ ctx }) => ctx.token),",
  "  claims: authedProcedure.query(({ ctx }) => ctx.token.claims),",
  "  maybe: optionalProcedure.query(({ ctx }) => ctx.token),",
  "  jwt: t.procedure.query(({ ctx }) => ctx.jwt),",
  "});",
  "export type AppRouter = typeof router;",
  'export const issue = (sub: string) => auth.login(sub, { admin: true }, { org: "acme", roles: [] });',
  'export const check = (signed: string) => auth.verifyToken(signed, "auth");',
  "```",
].join("\n");

describe("the packed package's declarations", () => {
  let compiled: DocsCompilation;
  beforeAll(async () => {
    const sources = [
      { name: "entries.md", blocks: extractBlocks(USES_EVERY_EXPORT) },
      { name: "library.md", blocks: extractBlocks(USER_LIBRARY) },
    ];
    compiled = compileDocs(await packedProject(), sources, {
      emit: true,
      options: { types: [], skipLibCheck: false, lib: ["lib.es2023.d.ts", "lib.dom.d.ts", "lib.esnext.disposable.d.ts"], declaration: true },
    });
  }, 300_000);
  afterAll(() => compiled?.dispose());

  it("typecheck without @types/node and without skipLibCheck (trpc-jwt, trpc-jwt/client, trpc-jwt/policy, trpc-jwt/types)", () => {
    expect(compiled.problems.get("entries.md")).toEqual([]);
  });

  it("compiles with declaration: true: no type that cannot be named", () => {
    expect(compiled.problems.get("library.md")).toEqual([]);
  });

  it("names the plumbing types from trpc-jwt/types, never from a file inside the package", () => {
    const declarations = readFileSync(compiled.emitted("library.md", "main.ts").replace(/\.js$/, ".d.ts"), "utf8");
    expect(declarations).toContain('import("trpc-jwt/types").RequireToken<');
    expect(declarations).toContain('import("trpc-jwt/types").RegisteredClaims');
    expect(declarations).not.toMatch(/trpc-jwt\/dist|node_modules/);
  });
});
