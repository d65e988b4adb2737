// Typed claims at run time (issue #13 item 1): the manager's zod schemas refuse auth tokens whose
// claims or scope fail them (401 TOKEN_INVALID, over HTTP too), refuse to issue such claims
// (JwtConfigError naming the path, never the value, before anything is signed), apply to auth
// tokens only, and are checked once per verified token, not per call.
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { AuthManager, createJwtContext, createJwtProcedures, JwtConfigError, JwtError, jwtErrorFormatter, memoryStore, type JwtErrorCode } from "trpc-jwt";
import { startServer } from "./helpers/httpServer.js";
import { optionsFor } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";

let parses = 0;
const claims = z.object({ org: z.object({ id: z.string() }), roles: z.array(z.string()), tier: z.string().default("free") }).refine(() => ++parses > 0);
const scope = z.object({ admin: z.boolean().optional() });
let clockReads = 0;
const auth = new AuthManager({ ...optionsFor("HS256"), claims, scope, clock: () => (clockReads++, Date.now()) });
// Same issuer and key, no schemas: signs what the typed manager must refuse.
const plain = new AuthManager(optionsFor("HS256"));

const createContext = createJwtContext(auth);
const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
const { authedProcedure, refreshProcedure } = createJwtProcedures(t);
const router = t.router({
  org: authedProcedure.query(({ ctx }) => ({ org: ctx.token.claims.org.id, tier: ctx.token.claims.tier, admin: ctx.token.scope.admin ?? false })),
  refresh: refreshProcedure.query(({ ctx }) => ctx.token.sub),
});

let server: Awaited<ReturnType<typeof startServer>>;
beforeAll(async () => {
  server = await startServer({ router, createContext });
});
afterAll(() => server.close());
const client = (token: string) => createTRPCClient<typeof router>({ links: [httpLink({ url: server.url, headers: { authorization: `Bearer ${token}` } })] });

async function refusalOf(call: Promise<unknown>) {
  const error = await rejectionOf(call);
  expect(error).toBeInstanceOf(TRPCClientError);
  const data = (error as TRPCClientError<typeof router>).data as { httpStatus: number; jwtCode?: JwtErrorCode };
  return { httpStatus: data.httpStatus, jwtCode: data.jwtCode };
}

describe("verification with schemas", () => {
  it("a token whose claims fit passes, with the schema's output as its claims (defaults applied)", async () => {
    const token = await auth.authToken("alice", { admin: true }, { org: { id: "o1" }, roles: ["dev"] });
    expect(await client(token.signed).org.query()).toEqual({ org: "o1", tier: "free", admin: true });
    const verified = await auth.verifyToken(token.signed, "auth");
    expect(Object.isFrozen(verified.claims)).toBe(true);
  });

  it.each([
    ["a claim of the wrong type", { org: { id: 7 }, roles: [] }, undefined],
    ["a missing claim", { roles: ["dev"] }, undefined],
    ["a scope of the wrong type", { org: { id: "o1" }, roles: [] }, { admin: "yes" }],
  ])("%s: verifyToken rejects TOKEN_INVALID, and a guarded call is 401 TOKEN_INVALID", async (_, extra, tokenScope) => {
    const forged = await plain.authToken("mallory", tokenScope, extra);
    const error = await rejectionOf(auth.verifyToken(forged.signed));
    expect(error).toBeInstanceOf(JwtError);
    expect((error as JwtError).code).toBe("TOKEN_INVALID");
    expect(await refusalOf(client(forged.signed).org.query())).toEqual({ httpStatus: 401, jwtCode: "TOKEN_INVALID" });
    // Refused again from memory, never let through by the cache.
    expect(await refusalOf(client(forged.signed).org.query())).toEqual({ httpStatus: 401, jwtCode: "TOKEN_INVALID" });
  });

  it("refresh tokens are not checked against the schemas", async () => {
    const refresh = await auth.refreshToken("alice");
    expect(await client(refresh.signed).refresh.query()).toBe("alice");
  });

  it("the schema runs once per verified token, not per call", async () => {
    const token = await auth.authToken("bob", {}, { org: { id: "o2" }, roles: [] });
    parses = 0;
    for (let i = 0; i < 3; i++) await client(token.signed).org.query();
    const afterAdmission = parses;
    // The cache admits a token on its second verification: each verification ran the schema once.
    expect(afterAdmission).toBeGreaterThanOrEqual(1);
    expect(afterAdmission).toBeLessThanOrEqual(2);
    for (let i = 0; i < 20; i++) await client(token.signed).org.query();
    expect(parses).toBe(afterAdmission);
  });
});

describe("issuing with schemas", () => {
  it.each([
    ["claims.org.id", { admin: true }, { org: { id: 12345 }, roles: [] }],
    ["claims.roles.1", { admin: true }, { org: { id: "o1" }, roles: ["dev", 67890] }],
    ["claims.org", {}, { roles: [] }],
    ["scope", undefined, { org: { id: "o1" }, roles: [] }],
    ["scope.admin", { admin: "secret-value-54321" }, { org: { id: "o1" }, roles: [] }],
  ])("claims that fail the schema throw JwtConfigError naming %s, never the value, and sign nothing", async (path, tokenScope, extra) => {
    const reads = clockReads;
    const error = await rejectionOf(auth.authToken("alice", tokenScope as never, extra as never));
    expect(error).toBeInstanceOf(JwtConfigError);
    expect((error as JwtConfigError).option).toBe(path);
    expect((error as Error).message).not.toMatch(/12345|67890|secret-value-54321/);
    expect(clockReads).toBe(reads);
  });

  it("rotate checks the fields its update replaces before the refresh token is used up", async () => {
    const sessions = new AuthManager({ ...optionsFor("HS256"), claims, scope, store: memoryStore() });
    const { refreshToken } = await sessions.login("alice", { admin: false }, { org: { id: "o1" }, roles: ["dev"] });
    for (const [path, update] of [
      ["claims.org.id", { claims: { org: { id: 12345 }, roles: [] } }],
      ["claims.org", { claims: undefined }],
      ["scope.admin", { scope: { admin: "secret-value-54321" } }],
    ] as const) {
      const error = await rejectionOf(sessions.rotate(refreshToken, update as never));
      expect(error).toBeInstanceOf(JwtConfigError);
      expect((error as JwtConfigError).option).toBe(path);
      expect((error as Error).message).not.toMatch(/12345|secret-value-54321/);
    }
    // None of them used the refresh token up: it still rotates, keeping the claims it was not given.
    const { authToken } = await sessions.rotate(refreshToken, { scope: { admin: true } });
    expect(authToken.claims["org"]).toEqual({ id: "o1" });
    expect(authToken.scope).toEqual({ admin: true });
  });
});

describe("options", () => {
  it.each(["claims", "scope"])("%s that is not a zod schema throws JwtConfigError naming it", (option) => {
    const error = (() => {
      try {
        new AuthManager({ ...optionsFor("HS256"), [option]: { parse: () => ({}) } });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(JwtConfigError);
    expect((error as JwtConfigError).option).toBe(option);
  });
});
