// Typed claims with any Standard Schema v1 validator (issue #27 item 3): the cases of
// typedClaims.test.ts for zod 4, zod 3 (zod 3.25's API, `zod/v3`), valibot 1 and arktype 2, over
// real HTTP with the typed client: the schemas' output becomes ctx.token's claims, a token whose
// claims or scope fail them is 401 TOKEN_INVALID, one without scope passes, issuing names the
// failing path (never the value), and rotate checks its update before the refresh token is used
// up. Validators that answer asynchronously are refused, never waited for.
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import { type } from "arktype";
import * as v from "valibot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { z as z3 } from "zod/v3";
import { AuthManager, createJwtContext, createJwtProcedures, JwtConfigError, JwtError, jwtErrorFormatter, memoryStore } from "trpc-jwt";
import { startServer } from "./helpers/httpServer.js";
import { optionsFor } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";

// One claims schema and one scope schema, the same in each library.
const VALIDATORS = {
  "zod 4": {
    claims: z.object({ org: z.object({ id: z.string() }), roles: z.array(z.string()), tier: z.string().default("free") }),
    scope: z.object({ admin: z.boolean().optional() }),
  },
  "zod 3": {
    claims: z3.object({ org: z3.object({ id: z3.string() }), roles: z3.array(z3.string()), tier: z3.string().default("free") }),
    scope: z3.object({ admin: z3.boolean().optional() }),
  },
  valibot: {
    claims: v.object({ org: v.object({ id: v.string() }), roles: v.array(v.string()), tier: v.optional(v.string(), "free") }),
    scope: v.object({ admin: v.optional(v.boolean()) }),
  },
  arktype: {
    claims: type({ org: { id: "string" }, roles: "string[]", tier: "string = 'free'" }),
    scope: type({ "admin?": "boolean" }),
  },
};

// Same issuer and key, no schemas: signs what the typed managers must refuse.
const plain = new AuthManager(optionsFor("HS256"));

describe.each(Object.keys(VALIDATORS) as (keyof typeof VALIDATORS)[])("claims and scope schemas written with %s", (library) => {
  const { claims, scope } = VALIDATORS[library];
  const auth = new AuthManager({ ...optionsFor("HS256"), claims, scope, store: memoryStore() });
  const createContext = createJwtContext(auth);
  const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
  const { authedProcedure } = createJwtProcedures(t);
  const router = t.router({
    org: authedProcedure.query(({ ctx }) => ({ org: ctx.token.claims.org.id, tier: ctx.token.claims.tier, admin: ctx.token.scope?.admin ?? false })),
  });
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer({ router, createContext });
  });
  afterAll(() => server.close());
  const call = async (token: string) => {
    try {
      return await createTRPCClient<typeof router>({ links: [httpLink({ url: server.url, headers: { authorization: `Bearer ${token}` } })] }).org.query();
    } catch (error) {
      expect(error).toBeInstanceOf(TRPCClientError);
      const data = (error as TRPCClientError<typeof router>).data as { httpStatus: number; jwtCode?: string };
      return `${data.httpStatus} ${data.jwtCode}`;
    }
  };

  it("a token whose claims fit passes, with the schema's output as its claims (defaults applied), issued and verified", async () => {
    const token = await auth.authToken("alice", { admin: true }, { org: { id: "o1" }, roles: ["dev"] });
    expect(token.claims.tier).toBe("free");
    expect(await call(token.signed)).toEqual({ org: "o1", tier: "free", admin: true });
    const verified = await auth.verifyToken(token.signed, "auth");
    expect(verified.claims.roles).toEqual(["dev"]);
    expect(Object.isFrozen(verified.claims)).toBe(true);
  });

  it("a token without scope passes: scope is undefined", async () => {
    const own = await auth.authToken("alice", undefined, { org: { id: "o1" }, roles: [] });
    const foreign = await plain.authToken("bob", undefined, { org: { id: "o2" }, roles: [] });
    for (const token of [own, foreign]) {
      expect(await call(token.signed)).toMatchObject({ admin: false });
      expect((await auth.verifyToken(token.signed, "auth")).scope).toBeUndefined();
    }
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
    expect(await call(forged.signed)).toBe("401 TOKEN_INVALID");
    expect(await call(forged.signed)).toBe("401 TOKEN_INVALID");
  });

  it.each([
    ["claims.org.id", { admin: true }, { org: { id: 12345 }, roles: [] }],
    ["claims.roles.1", { admin: true }, { org: { id: "o1" }, roles: ["dev", 67890] }],
    ["claims.org", undefined, { roles: [] }],
    ["scope.admin", { admin: "secret-value-54321" }, { org: { id: "o1" }, roles: [] }],
  ])("issuing claims that fail the schema throws JwtConfigError naming %s, never the value", async (path, tokenScope, extra) => {
    const error = await rejectionOf(auth.authToken("alice", tokenScope as never, extra as never));
    expect(error).toBeInstanceOf(JwtConfigError);
    expect((error as JwtConfigError).option).toBe(path);
    expect((error as Error).message).not.toMatch(/12345|67890|secret-value-54321/);
  });

  it("login and rotate: typed pairs; a bad update is refused before the refresh token is used up", async () => {
    const { refreshToken, authToken } = await auth.login("alice", undefined, { org: { id: "o1" }, roles: ["dev"] });
    expect(authToken.claims.tier).toBe("free");
    const error = await rejectionOf(auth.rotate(refreshToken, { claims: { org: { id: 12345 }, roles: [] } } as never));
    expect((error as JwtConfigError).option).toBe("claims.org.id");
    const rotated = await auth.rotate(refreshToken, { scope: { admin: true } });
    expect(rotated.authToken.claims.org.id).toBe("o1");
    expect(await call(rotated.authToken.signed)).toEqual({ org: "o1", tier: "free", admin: true });
  });
});

describe("what is not a synchronous Standard Schema", () => {
  it.each(["claims", "scope"])("%s that is not a Standard Schema v1 validator throws JwtConfigError naming it", (option) => {
    for (const value of [
      { parse: () => ({}) },
      { safeParse: () => ({ success: true }) },
      { "~standard": { version: 2, validate: () => ({ value: {} }) } },
      () => ({}),
    ]) {
      expect(() => new AuthManager({ ...optionsFor("HS256"), [option]: value })).toThrow(expect.objectContaining({ name: "JwtConfigError", option }));
    }
  });

  it("a validator that answers asynchronously: issuing throws naming the option, verification fails closed", async () => {
    const auth = new AuthManager({ ...optionsFor("HS256"), claims: z.object({ org: z.string() }).refine(async () => true) });
    const error = await rejectionOf(auth.authToken("alice", undefined, { org: "acme" }));
    expect(error).toMatchObject({ name: "JwtConfigError", option: "claims", problem: expect.stringContaining("synchronously") });
    const token = await plain.authToken("alice", undefined, { org: "acme" });
    expect(await rejectionOf(auth.verifyToken(token.signed))).toMatchObject({ code: "TOKEN_INVALID" });
  });

  it("a validator that throws fails closed too", async () => {
    const throwing = {
      "~standard": {
        version: 1 as const,
        vendor: "test",
        validate: (): never => {
          throw new Error("secret-value-54321");
        },
      },
    };
    const auth = new AuthManager({ ...optionsFor("HS256"), scope: throwing });
    const error = await rejectionOf(auth.authToken("alice", "read"));
    expect(error).toMatchObject({ name: "JwtConfigError", option: "scope" });
    expect((error as Error).message).not.toContain("secret-value-54321");
    expect(await rejectionOf(auth.verifyToken((await plain.authToken("alice", "read")).signed))).toMatchObject({ code: "TOKEN_INVALID" });
  });
});

describe("requireToken's input binding with a valibot or arktype input validator", () => {
  const auth = new AuthManager({ ...optionsFor("HS256"), claims: v.object({ orgs: v.array(v.string()) }) });
  const createContext = createJwtContext(auth);
  const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
  const { requireToken } = createJwtProcedures(t);
  const router = t.router({
    user: t.procedure
      .input(v.object({ username: v.string() }))
      .use(requireToken({ input: { sub: "username" } }))
      .query(({ input }) => `Hello, ${input.username}!`),
    org: t.procedure
      .input(type({ org: "string" }))
      .use(requireToken({ input: { orgs: "org" } }))
      .query(({ input }) => input.org),
  });
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer({ router, createContext });
  });
  afterAll(() => server.close());

  it("binds the claim to the validated input over HTTP", async () => {
    const { signed } = await auth.authToken("alice", undefined, { orgs: ["acme"] });
    const client = createTRPCClient<typeof router>({ links: [httpLink({ url: server.url, headers: { authorization: `Bearer ${signed}` } })] });
    expect(await client.user.query({ username: "alice" })).toBe("Hello, alice!");
    expect(await client.org.query({ org: "acme" })).toBe("acme");
    for (const refused of [client.user.query({ username: "bob" }), client.org.query({ org: "other" })]) {
      const error = await rejectionOf(refused);
      expect((error as TRPCClientError<typeof router>).data).toMatchObject({ httpStatus: 403, jwtCode: "CLAIMS_MISMATCH" });
    }
  });
});
