// Typed claims at run time (issue #13 item 1): the manager's zod schemas refuse auth tokens whose
// claims or scope fail them (401 TOKEN_INVALID, over HTTP too), refuse to issue such claims
// (JwtConfigError naming the path, never the value, before anything is signed), apply to auth
// tokens only, and are checked once per verified token, not per call.
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { AuthManager, createJwtContext, createJwtProcedures, JwtConfigError, JwtError, jwtErrorFormatter, memoryStore, type JwtErrorCode } from "trpc-jwt";
import { jwtErrorCode } from "trpc-jwt/client";
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
  org: authedProcedure.query(({ ctx }) => ({ org: ctx.token.claims.org.id, tier: ctx.token.claims.tier, admin: ctx.token.scope?.admin ?? false })),
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

  it("a token without scope passes whatever the scope schema says: scope is undefined (issue #22 item 6)", async () => {
    // Issued here, and by a manager without schemas: neither has a scope claim.
    const own = await auth.authToken("alice", undefined, { org: { id: "o1" }, roles: ["dev"] });
    expect(own.scope).toBeUndefined();
    expect(Object.hasOwn(own.claims, "scope")).toBe(false);
    const foreign = await plain.authToken("bob", undefined, { org: { id: "o2" }, roles: [] });
    for (const token of [own, foreign]) {
      expect(await client(token.signed).org.query()).toMatchObject({ admin: false });
      const verified = await auth.verifyToken(token.signed, "auth");
      expect(verified.scope).toBeUndefined();
    }
    // So does a session started without scope, and its rotation.
    const sessions = new AuthManager({ ...optionsFor("HS256"), claims, scope, store: memoryStore() });
    const pair = await sessions.login("carol", undefined, { org: { id: "o3" }, roles: [] });
    expect((await sessions.verifyToken(pair.authToken.signed, "auth")).scope).toBeUndefined();
    const rotated = await sessions.rotate(pair.refreshToken);
    expect((await sessions.verifyToken(rotated.authToken.signed, "auth")).claims.org.id).toBe("o3");
  });

  it("issued auth tokens carry the schemas' output, as verified ones do (defaults filled in)", async () => {
    const issued = await auth.authToken("alice", { admin: true }, { org: { id: "o1" }, roles: [] });
    expect(issued.claims.tier).toBe("free");
    const sessions = new AuthManager({ ...optionsFor("HS256"), claims, scope, store: memoryStore() });
    const pair = await sessions.login("alice", undefined, { org: { id: "o1" }, roles: [] });
    expect(pair.authToken.claims.tier).toBe("free");
    expect((await sessions.rotate(pair.refreshToken)).authToken.claims.tier).toBe("free");
    expect(pair.refreshToken.claims).not.toHaveProperty("tier");
  });

  it.each([
    ["a claim of the wrong type", { org: { id: 7 }, roles: [] }, undefined],
    ["a missing claim", { roles: ["dev"] }, undefined],
    ["a claim of the wrong type, with a valid scope", { org: { id: 7 }, roles: [] }, { admin: true }],
    ["a scope of the wrong type", { org: { id: "o1" }, roles: [] }, { admin: "yes" }],
    ["a scope that is not an object", { org: { id: "o1" }, roles: [] }, "admin"],
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
    ["scope", "admin", { org: { id: "o1" }, roles: [] }],
    ["claims.org", undefined, { roles: [] }],
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
      ["scope", { scope: "admin" }],
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

describe("a session whose stored claims no longer fit the schema", () => {
  it("is not rotated into tokens every verifier would refuse: TOKEN_INVALID, and the user logs in again", async () => {
    const store = memoryStore();
    const before = new AuthManager({ ...optionsFor("HS256"), claims: z.object({ org: z.string() }), store });
    const { refreshToken } = await before.login("alice", undefined, { org: "acme" });
    // The next deploy requires a claim the session was not started with.
    const after = new AuthManager({ ...optionsFor("HS256"), claims: z.object({ org: z.string(), plan: z.string() }), store });
    expect(jwtErrorCode(await rejectionOf(after.rotate(refreshToken)))).toBe("TOKEN_INVALID");
    const fresh = await after.login("alice", undefined, { org: "acme", plan: "pro" });
    expect((await after.verifyToken(fresh.authToken.signed, "auth")).claims.plan).toBe("pro");
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
