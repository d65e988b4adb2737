// Type tests for typed claims with any Standard Schema v1 validator (issue #27 item 3): the types
// of typedClaims.test-d.ts for zod 3 (`zod/v3`, zod 3.25's API), valibot 1 and arktype 2, inferred
// from each schema's output (and its input for what is issued); and requireToken's input binding
// with a valibot or arktype input validator.
import { initTRPC } from "@trpc/server";
import { type } from "arktype";
import * as v from "valibot";
import { describe, expectTypeOf, it } from "vitest";
import { z as z3 } from "zod/v3";
import { AuthManager, createJwtContext, createJwtProcedures, memoryStore, type JwtToken, type TokenPair } from "trpc-jwt";
import type { AuthTokenOf, RegisteredClaims } from "trpc-jwt/types";

const secret = "s".repeat(32);
type Claims = RegisteredClaims & { org: { id: string }; roles: string[]; tier: string };
type Scope = { admin?: boolean | undefined } | undefined;

const managers = {
  zod3: new AuthManager({
    issuer: "typed",
    authType: "HS256",
    secret,
    claims: z3.object({ org: z3.object({ id: z3.string() }), roles: z3.array(z3.string()), tier: z3.string().default("free") }),
    scope: z3.object({ admin: z3.boolean().optional() }),
  }),
  valibot: new AuthManager({
    issuer: "typed",
    authType: "HS256",
    secret,
    claims: v.object({ org: v.object({ id: v.string() }), roles: v.array(v.string()), tier: v.optional(v.string(), "free") }),
    scope: v.object({ admin: v.optional(v.boolean()) }),
  }),
  arktype: AuthManager.fromEnv(process.env, {
    store: memoryStore(),
    claims: type({ org: { id: "string" }, roles: "string[]", tier: "string = 'free'" }),
    scope: type({ "admin?": "boolean" }),
  }),
};

// Each library on its own (the cases below run on the union of the three managers, where a
// refused call could be refused by one library only).
type Managers = typeof managers;
type ClaimsArg<K extends keyof Managers> = NonNullable<Parameters<Managers[K]["authToken"]>[2]>;
type ScopeArg<K extends keyof Managers> = NonNullable<Parameters<Managers[K]["authToken"]>[1]>;
type Fits<T, U> = [T] extends [U] ? true : false;
type InputChecks<K extends keyof Managers> = [
  Fits<{ org: { id: string }; roles: string[] }, ClaimsArg<K>>,
  Fits<{ org: { id: string }; roles: string[]; tier: string }, ClaimsArg<K>>,
  Fits<{ org: { id: string }; roles: string }, ClaimsArg<K>>,
  Fits<{ roles: string[] }, ClaimsArg<K>>,
  Fits<{ admin: boolean }, ScopeArg<K>>,
  Fits<{ admin: string }, ScopeArg<K>>,
];
type Outputs<K extends keyof Managers> = AuthTokenOf<Managers[K]>;

it("each library alone: issuing takes its input type, tokens carry its output type", () => {
  expectTypeOf<{ [K in keyof Managers]: InputChecks<K> }>().toEqualTypeOf<{
    zod3: [true, true, false, false, true, false];
    valibot: [true, true, false, false, true, false];
    arktype: [true, true, false, false, true, false];
  }>();
  expectTypeOf<Outputs<"zod3">>().toEqualTypeOf<JwtToken<Claims, Scope>>();
  expectTypeOf<Outputs<"valibot">["claims"]>().toExtend<Claims>();
  expectTypeOf<Outputs<"valibot">["claims"]["tier"]>().toEqualTypeOf<string>();
  expectTypeOf<Outputs<"arktype">["claims"]>().toExtend<Claims>();
  expectTypeOf<Outputs<"arktype">["claims"]["tier"]>().toEqualTypeOf<string>();
  expectTypeOf<NonNullable<Outputs<"arktype">["scope"]>>().toEqualTypeOf<{ admin?: boolean }>();
});

describe.each(["zod3", "valibot", "arktype"] as const)("schemas written with %s", (library) => {
  const auth = managers[library];

  it('issuing takes the schemas\' input; login, rotate and verifyToken(t, "auth") return their output', async () => {
    // The default makes tier optional to issue, and always there once issued.
    const token = await auth.authToken("alice", { admin: true }, { org: { id: "o1" }, roles: ["dev"] });
    expectTypeOf(token.claims.tier).toEqualTypeOf<string>();
    expectTypeOf(token.claims.org.id).toEqualTypeOf<string>();
    void auth.authToken("alice", undefined, { org: { id: "o1" }, roles: [] });
    // @ts-expect-error roles must be an array of strings
    void auth.authToken("alice", undefined, { org: { id: "o1" }, roles: "dev" });
    // @ts-expect-error admin is a boolean
    void auth.authToken("alice", { admin: "yes" }, { org: { id: "o1" }, roles: [] });
    // @ts-expect-error org is required by the schema
    void auth.login("alice", undefined, { roles: [] });
    const pair = await auth.login("alice", undefined, { org: { id: "o1" }, roles: [] });
    expectTypeOf(pair.authToken.claims.roles).toEqualTypeOf<string[]>();
    expectTypeOf(pair.authToken.scope).toEqualTypeOf<{ admin?: boolean } | undefined>();
    expectTypeOf(await auth.rotate(pair.refreshToken, { scope: { admin: false } })).toExtend<TokenPair<Claims, Scope>>();
    // @ts-expect-error admin is a boolean
    void auth.rotate(pair.refreshToken, { scope: { admin: "yes" } });
    expectTypeOf((await auth.verifyToken("t", "auth")).claims.org).toEqualTypeOf<{ id: string }>();
    expectTypeOf(await auth.verifyToken("t", "refresh")).toEqualTypeOf<JwtToken>();
  });

  it("ctx.token in guarded procedures, and rules checked against the schemas", () => {
    const createContext = createJwtContext(auth);
    const t = initTRPC.context<typeof createContext>().create();
    const { authedProcedure, requireToken } = createJwtProcedures(t);
    authedProcedure.query(({ ctx }) => {
      expectTypeOf(ctx.token.claims.org.id).toEqualTypeOf<string>();
      expectTypeOf(ctx.token.claims.tier).toEqualTypeOf<string>();
      expectTypeOf(ctx.token.scope?.admin).toEqualTypeOf<boolean | undefined>();
      // @ts-expect-error a claim the schema does not have
      void ctx.token.claims.team;
      // @ts-expect-error the scope may be missing
      void ctx.token.scope.admin;
    });
    t.procedure.use(requireToken({ claims: { roles: ["admin"] }, scope: { admin: true } }));
    // @ts-expect-error roles holds strings
    t.procedure.use(requireToken({ claims: { roles: [1] } }));
    authedProcedure.input(v.object({ role: v.string(), count: v.number() })).use(requireToken({ input: { roles: "role" } }));
    // @ts-expect-error a string[] claim cannot equal a number input
    authedProcedure.input(v.object({ role: v.string(), count: v.number() })).use(requireToken({ input: { roles: "count" } }));
  });
});

describe("requireToken's input binding with valibot and arktype input validators (no claims schema)", () => {
  const auth = new AuthManager({ issuer: "plain", authType: "HS256", secret });
  const createContext = createJwtContext(auth);
  const t = initTRPC.context<typeof createContext>().create();
  const { authedProcedure, requireToken } = createJwtProcedures(t);

  it("paths come from the validator's output", () => {
    authedProcedure
      .input(v.object({ username: v.string(), nested: v.object({ id: v.number() }) }))
      .use(requireToken({ input: { sub: "username", uid: "nested.id" } }));
    authedProcedure.input(type({ username: "string", nested: { id: "number" } })).use(requireToken({ input: { sub: "username", uid: "nested.id" } }));
    // @ts-expect-error no such input path
    authedProcedure.input(v.object({ username: v.string() })).use(requireToken({ input: { sub: "user" } }));
    // @ts-expect-error no such input path
    authedProcedure.input(type({ username: "string" })).use(requireToken({ input: { sub: "user" } }));
  });
});
