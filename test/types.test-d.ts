// Type tests: run by vitest's typecheck mode (tsc). A wrong type or an unused @ts-expect-error fails.
import { initTRPC } from "@trpc/server";
import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { AuthManager, createJwtContext, createJwtProcedures, type JwtToken, type TokenType } from "trpc-jwt";
import type { InputPath } from "trpc-jwt/types";

const auth = new AuthManager({ issuer: "types", authType: "HS256", secret: "s".repeat(32) });
const createContext = createJwtContext(auth);
const t = initTRPC.context<typeof createContext>().create();
// No generics written anywhere below: everything is inferred from `t` and from `.use(...)`.
const { authedProcedure, refreshProcedure, requireToken } = createJwtProcedures(t);

describe("context narrowing", () => {
  it("ctx.token is a non-nullable JwtToken in authedProcedure and refreshProcedure", () => {
    authedProcedure.query(({ ctx }) => {
      expectTypeOf(ctx.token).toEqualTypeOf<JwtToken>();
      expectTypeOf(ctx.token.sub).toEqualTypeOf<string>();
      expectTypeOf(ctx.token.tokenType).toEqualTypeOf<TokenType>();
    });
    refreshProcedure.mutation(({ ctx }) => expectTypeOf(ctx.token).toEqualTypeOf<JwtToken>());
  });

  it("requireToken alone also provides ctx.token", () => {
    t.procedure.use(requireToken({ scope: "admin" })).query(({ ctx }) => expectTypeOf(ctx.token).toEqualTypeOf<JwtToken>());
  });

  it("public procedures have no token", () => {
    t.procedure.query(({ ctx }) => {
      // @ts-expect-error no token outside guarded procedures
      void ctx.token;
    });
  });

  it("the token is immutable", () => {
    authedProcedure.query(({ ctx }) => {
      // @ts-expect-error readonly
      ctx.token.sub = "mallory";
    });
  });
});

describe("input paths are checked by the compiler", () => {
  const withInput = authedProcedure.input(z.object({ username: z.string(), org: z.object({ id: z.string(), tags: z.array(z.string()) }).optional() }));

  it("accepts existing paths, nested ones included", () => {
    withInput.use(requireToken({ input: { sub: "username", org: "org.id" } })).query(({ input }) => expectTypeOf(input.username).toBeString());
  });

  it("rejects a path that is not in the input", () => {
    // @ts-expect-error "usernme" is not a path of the input
    withInput.use(requireToken({ input: { sub: "usernme" } }));
    // @ts-expect-error "org.name" is not a path of the input
    withInput.use(requireToken({ input: { sub: "org.name" } }));
    // @ts-expect-error arrays are not entered
    withInput.use(requireToken({ input: { tag: "org.tags.0" } }));
    // @ts-expect-error an object can never equal a claim
    withInput.use(requireToken({ input: { org: "org" } }));
  });

  it("a procedure without input accepts no path at all, not even the unset marker's string keys", () => {
    // @ts-expect-error no input: no paths
    authedProcedure.use(requireToken({ input: { sub: "username" } }));
    // @ts-expect-error tRPC's unset marker is a branded string, but "length" is no input path
    authedProcedure.use(requireToken({ input: { sub: "length" } }));
    t.procedure.use(requireToken({ claims: { role: "admin" } }));
  });

  it("middlewares before .input() see no input", () => {
    // @ts-expect-error the input is parsed after this middleware
    authedProcedure.use(requireToken({ input: { sub: "username" } })).input(z.object({ username: z.string() }));
  });

  it("InputPath lists exactly the dotted paths to scalars", () => {
    expectTypeOf<InputPath<{ a: string; b: { c: number; d?: { e: boolean } }; l: string[] }>>().toEqualTypeOf<"a" | "b.c" | "b.d.e">();
  });
});

describe("rules are typed", () => {
  it("rejects unknown rules and wrong value types", () => {
    // @ts-expect-error "scopes" is not a rule
    requireToken({ scopes: "admin" });
    // @ts-expect-error type is "auth" | "refresh"
    requireToken({ type: "access" });
    // @ts-expect-error claims are JSON
    requireToken({ claims: { when: new Date() } });
  });

  it("createJwtProcedures needs a context built by createJwtContext", () => {
    const plain = initTRPC.context<{ user: string }>().create();
    // @ts-expect-error the context has no jwt
    createJwtProcedures(plain);
  });

  it("authToken takes (sub, scope?, claims?) and resolves to a JwtToken", () => {
    expectTypeOf(auth.authToken).parameters.toEqualTypeOf<
      [string, (import("trpc-jwt").JsonValue | undefined)?, (import("trpc-jwt").JsonObject | undefined)?]
    >();
    expectTypeOf(auth.refreshToken("a")).resolves.toEqualTypeOf<JwtToken>();
  });
});
