// Type tests for typed claims (issue #13 items 1 and 2): the manager's zod schemas type
// authToken's arguments, ctx.token in every guarded procedure, and the rules of requireToken;
// without schemas every type is what it was. Each @ts-expect-error was checked to fail when the
// line's error is removed (see the report).
import { initTRPC } from "@trpc/server";
import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import {
  AuthManager,
  createJwtContext,
  createJwtProcedures,
  memoryStore,
  RemoteIssuer,
  type JsonObject,
  type JsonValue,
  type JwtContext,
  type JwtToken,
  type TokenClaims,
  type TokenPair,
  type TokenType,
} from "trpc-jwt";
import type { NoInputFitsClaim, RegisteredClaims } from "trpc-jwt/types";

const secret = "s".repeat(32);
const auth = new AuthManager({
  issuer: "typed",
  authType: "HS256",
  secret,
  claims: z.object({ org: z.object({ id: z.string() }), roles: z.array(z.string()), level: z.number().optional() }),
  scope: z.object({ admin: z.boolean().optional() }),
});
type Claims = RegisteredClaims & { org: { id: string }; roles: string[]; level?: number | undefined };
// A token without scope is valid whatever the scope schema says: ctx.token.scope may be undefined.
type Scope = { admin?: boolean | undefined } | undefined;
const createContext = createJwtContext(auth);
const t = initTRPC.context<typeof createContext>().create();
const { authedProcedure, refreshProcedure, optionalProcedure, requireToken } = createJwtProcedures(t);

describe("with schemas", () => {
  it("authToken's arguments are the schemas' input types, and it returns the typed token", async () => {
    const token = await auth.authToken("alice", { admin: true }, { org: { id: "o1" }, roles: ["dev"] });
    expectTypeOf(token.claims.org.id).toEqualTypeOf<string>();
    // @ts-expect-error roles must be an array of strings
    void auth.authToken("alice", { admin: true }, { org: { id: "o1" }, roles: "dev" });
    // @ts-expect-error admin is a boolean
    void auth.authToken("alice", { admin: "yes" }, { org: { id: "o1" }, roles: [] });
    // @ts-expect-error org is required by the schema
    void auth.authToken("alice", {}, { roles: [] });
  });

  it("scope is optional whatever the scope schema: authToken and login take no scope", () => {
    void auth.authToken("alice", undefined, { org: { id: "o1" }, roles: [] });
    void auth.login("alice", undefined, { org: { id: "o1" }, roles: [] });
    void auth.rotate("refresh-token", { scope: undefined });
  });

  it("login and rotate return typed pairs (the refresh token stays plain)", async () => {
    const pair = await auth.login("alice", { admin: true }, { org: { id: "o1" }, roles: ["dev"] });
    expectTypeOf(pair.authToken).toEqualTypeOf<JwtToken<Claims, Scope>>();
    expectTypeOf(pair.authToken.claims.org.id).toEqualTypeOf<string>();
    expectTypeOf(pair.refreshToken).toEqualTypeOf<JwtToken>();
    const rotated = await auth.rotate(pair.refreshToken, { scope: { admin: false } });
    expectTypeOf(rotated.authToken).toEqualTypeOf<JwtToken<Claims, Scope>>();
    expectTypeOf(rotated).toEqualTypeOf<TokenPair<Claims, Scope>>();
    // @ts-expect-error a claim the schema does not have
    void rotated.authToken.claims.team;
  });

  it('verifyToken(t, "auth") is the typed auth token; "refresh" a plain one; no type, either', async () => {
    expectTypeOf(await auth.verifyToken("t", "auth")).toEqualTypeOf<JwtToken<Claims, Scope>>();
    expectTypeOf((await auth.verifyToken("t", "auth")).claims.roles).toEqualTypeOf<string[]>();
    expectTypeOf(await auth.verifyToken("t", "refresh")).toEqualTypeOf<JwtToken>();
    expectTypeOf(auth.verifyToken("t")).toEqualTypeOf<Promise<JwtToken<Claims, Scope> | JwtToken>>();
    const type = "auth" as TokenType;
    expectTypeOf(auth.verifyToken("t", type)).toEqualTypeOf<Promise<JwtToken<Claims, Scope> | JwtToken>>();
  });

  it("fromEnv takes the schemas and is typed by them", async () => {
    const fromEnv = AuthManager.fromEnv(process.env, {
      store: memoryStore(),
      claims: z.object({ org: z.object({ id: z.string() }), roles: z.array(z.string()), level: z.number().optional() }),
      scope: z.object({ admin: z.boolean().optional() }),
    });
    expectTypeOf(fromEnv).toEqualTypeOf<typeof auth>();
    expectTypeOf(await fromEnv.verifyToken("t", "auth")).toEqualTypeOf<JwtToken<Claims, Scope>>();
    expectTypeOf((await fromEnv.login("alice", undefined, { org: { id: "o1" }, roles: [] })).authToken.claims.org).toEqualTypeOf<{ id: string }>();
    // @ts-expect-error org is required by the schema
    void fromEnv.authToken("alice", undefined, { roles: [] });
    // Without schemas, as before.
    expectTypeOf(AuthManager.fromEnv()).toEqualTypeOf<AuthManager>();
    expectTypeOf(AuthManager.fromEnv(process.env, { store: memoryStore() })).toEqualTypeOf<AuthManager>();
  });

  it("login's and rotate's scope and claims are the schemas' input types too", () => {
    void auth.login("alice", { admin: true }, { org: { id: "o1" }, roles: ["dev"] });
    void auth.rotate("refresh-token", { scope: { admin: false } });
    void auth.rotate("refresh-token", { claims: { org: { id: "o2" }, roles: [] } });
    // @ts-expect-error admin is a boolean
    void auth.rotate("refresh-token", { scope: { admin: "yes" } });
    // @ts-expect-error org is required by the schema
    void auth.rotate("refresh-token", { claims: { roles: [] } });
    // Without schemas, any JSON as before.
    void new AuthManager({ issuer: "plain", authType: "HS256", secret }).rotate("refresh-token", { scope: "read write", claims: { anything: [1, "two"] } });
  });

  it("ctx.token.claims and ctx.token.scope are the schemas' output types in guarded procedures", () => {
    authedProcedure.query(({ ctx }) => {
      expectTypeOf(ctx.token).toEqualTypeOf<JwtToken<Claims, Scope>>();
      expectTypeOf(ctx.token.claims.org.id).toEqualTypeOf<string>();
      expectTypeOf(ctx.token.claims.roles).toEqualTypeOf<string[]>();
      expectTypeOf(ctx.token.scope).toEqualTypeOf<Scope>();
      // @ts-expect-error the scope may be missing: it must be checked first
      void ctx.token.scope.admin;
      expectTypeOf(ctx.token.claims.sub).toEqualTypeOf<string>();
      // @ts-expect-error a claim the schema does not have
      void ctx.token.claims.team;
    });
    t.procedure.use(requireToken({ scope: { admin: true } })).query(({ ctx }) => expectTypeOf(ctx.token.claims.org.id).toEqualTypeOf<string>());
  });

  it("optionalProcedure: JwtToken | null, typed likewise", () => {
    optionalProcedure.query(({ ctx }) => {
      expectTypeOf(ctx.token).toEqualTypeOf<JwtToken<Claims, Scope> | null>();
      if (ctx.token !== null) expectTypeOf(ctx.token.claims.roles).toEqualTypeOf<string[]>();
    });
  });

  it("refreshProcedure: refresh tokens carry neither, so a plain JwtToken", () => {
    refreshProcedure.query(({ ctx }) => expectTypeOf(ctx.token).toEqualTypeOf<JwtToken>());
  });

  it("the context carries the manager's token type", () => {
    expectTypeOf(createContext).returns.toEqualTypeOf<JwtContext<JwtToken<Claims, Scope>>>();
  });

  it("input rules: the claim must exist and fit the input path's type (an array claim: its element)", () => {
    const input = z.object({ orgId: z.string(), role: z.string(), count: z.number(), nested: z.object({ name: z.string() }) });
    authedProcedure.input(input).use(requireToken({ input: { roles: "role", sub: "nested.name", level: "count" } }));
    // @ts-expect-error "team" is not a claim of the schema
    authedProcedure.input(input).use(requireToken({ input: { team: "role" } }));
    // @ts-expect-error a string claim cannot equal a number input
    authedProcedure.input(input).use(requireToken({ input: { sub: "count" } }));
    // @ts-expect-error a number claim cannot equal a string input
    authedProcedure.input(input).use(requireToken({ input: { level: "role" } }));
  });

  it("the message when no input path fits a claim", () => {
    // @ts-expect-error no number in the input: the expected type names the claim
    authedProcedure.input(z.object({ name: z.string() })).use(requireToken({ input: { level: "name" } }));
    expectTypeOf<NoInputFitsClaim<"level">>().toExtend<'trpc-jwt: no input path has a type that claim "level" fits'>();
  });

  it("claims and scope literals are checked against the schemas", () => {
    t.procedure.use(requireToken({ claims: { roles: ["admin"], org: { id: "o1" } }, scope: { admin: true } }));
    // @ts-expect-error roles holds strings
    t.procedure.use(requireToken({ claims: { roles: [1] } }));
    // @ts-expect-error no such claim
    t.procedure.use(requireToken({ claims: { team: "x" } }));
    // @ts-expect-error admin is a boolean
    t.procedure.use(requireToken({ scope: { admin: "yes" } }));
  });

  it("allow receives the typed token", () => {
    authedProcedure.use(requireToken({ allow: ({ token }) => token.claims.roles.includes("admin") }));
  });
});

describe("without schemas, today's types exactly", () => {
  const plain = new AuthManager({ issuer: "plain", authType: "HS256", secret });
  const plainContext = createJwtContext(plain);
  const tp = initTRPC.context<typeof plainContext>().create();
  const procedures = createJwtProcedures(tp);

  it("authToken takes any JSON and returns JwtToken; verifyToken too", () => {
    expectTypeOf(plain.authToken).parameters.toEqualTypeOf<[sub: string, scope?: JsonValue | undefined, claims?: JsonObject | undefined]>();
    expectTypeOf(plain.authToken).returns.toEqualTypeOf<Promise<JwtToken>>();
    expectTypeOf(plain.verifyToken).returns.toEqualTypeOf<Promise<JwtToken>>();
    expectTypeOf(plain.verifyToken("t", "auth")).toEqualTypeOf<Promise<JwtToken>>();
    expectTypeOf(plain.login("alice")).toEqualTypeOf<Promise<TokenPair>>();
  });

  it("ctx.token is JwtToken with TokenClaims and JsonValue scope", () => {
    expectTypeOf(plainContext).returns.toEqualTypeOf<JwtContext>();
    procedures.authedProcedure.query(({ ctx }) => {
      expectTypeOf(ctx.token).toEqualTypeOf<JwtToken>();
      expectTypeOf(ctx.token.claims).toEqualTypeOf<TokenClaims>();
      expectTypeOf(ctx.token.scope).toEqualTypeOf<JsonValue | undefined>();
    });
    procedures.optionalProcedure.query(({ ctx }) => expectTypeOf(ctx.token).toEqualTypeOf<JwtToken | null>());
  });

  it("any claim name may be bound; paths checked as before", () => {
    procedures.authedProcedure.input(z.object({ n: z.number() })).use(procedures.requireToken({ input: { anything: "n" }, claims: { any: "thing" } }));
  });

  it("an AuthManager with schemas and a RemoteIssuer: the union of their tokens", () => {
    const idp = new RemoteIssuer({ issuer: "https://idp.example", audience: "api", jwksUri: "https://idp.example/jwks" });
    const mixed = createJwtContext([auth, idp]);
    expectTypeOf(mixed).returns.toEqualTypeOf<JwtContext<JwtToken<Claims, Scope> | JwtToken>>();
  });
});
