// Type tests for the guard layer: the allow predicate typed from the procedure's input, and the
// compile errors that name their fix (their printed text is asserted in typeTests.test.ts).
import { initTRPC } from "@trpc/server";
import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { AuthManager, createJwtContext, createJwtProcedures, type JwtContext, type JwtToken, type RefusalEvent } from "trpc-jwt";
import type { ContextFromCreateJwtContext, InputNeedsInputFirst } from "trpc-jwt/types";

const auth = new AuthManager({ issuer: "types", authType: "HS256", secret: "s".repeat(32) });
const createContext = createJwtContext(auth);
const t = initTRPC.context<typeof createContext>().create();
const { authedProcedure, optionalProcedure, requireToken } = createJwtProcedures(t);

describe("allow is typed from the procedure's parsed input", () => {
  it("receives the verified token and the parsed input, with no generics written", () => {
    authedProcedure
      .input(z.object({ ownerId: z.string(), page: z.string().transform(Number) }))
      .use(
        requireToken({
          allow: ({ token, input }) => {
            expectTypeOf(token).toEqualTypeOf<JwtToken>();
            expectTypeOf(input).toEqualTypeOf<{ ownerId: string; page: number }>();
            return token.sub === input.ownerId;
          },
        }),
      )
      .query(({ ctx }) => expectTypeOf(ctx.token).toEqualTypeOf<JwtToken>());
  });

  it("sees undefined where there is no input yet", () => {
    authedProcedure.use(requireToken({ allow: ({ input }) => (expectTypeOf(input).toEqualTypeOf<undefined>(), true) }));
  });

  it("refuses what the input does not have, a non-boolean result and an async predicate", () => {
    const withInput = authedProcedure.input(z.object({ ownerId: z.string() }));
    // @ts-expect-error "owner" is not in the input
    withInput.use(requireToken({ allow: ({ token, input }) => token.sub === input.owner }));
    // @ts-expect-error the predicate returns a boolean, not a string
    withInput.use(requireToken({ allow: ({ input }) => input.ownerId }));
    // @ts-expect-error a promise is not a verdict
    withInput.use(requireToken({ allow: async ({ token }) => token.sub === "alice" }));
  });

  it("combines with the string rules", () => {
    authedProcedure
      .input(z.object({ orgId: z.string() }))
      .use(requireToken({ input: { org: "orgId" }, scope: "write", override: { admin: true }, allow: ({ input }) => input.orgId !== "locked" }));
  });
});

describe("compile errors that name the fix", () => {
  it("requireToken({ input }) before .input(): the expected path type is the instruction", () => {
    // @ts-expect-error no input at this point
    authedProcedure.use(requireToken({ input: { sub: "username" } })).input(z.object({ username: z.string() }));
    expectTypeOf<InputNeedsInputFirst>().toExtend<"trpc-jwt: no input here; call .input(schema) before .use(requireToken({ input }))">();
    // No string literal can satisfy it, not even the message itself.
    expectTypeOf<"trpc-jwt: no input here; call .input(schema) before .use(requireToken({ input }))">().not.toExtend<InputNeedsInputFirst>();
  });

  it("createJwtProcedures(t) without createJwtContext: the missing member is the instruction", () => {
    const plain = initTRPC.context<{ user: string }>().create();
    // @ts-expect-error the context has no jwt
    createJwtProcedures(plain);
    expectTypeOf<
      keyof ContextFromCreateJwtContext<{ user: string }>
    >().toEqualTypeOf<"trpc-jwt: the context has no jwt; use initTRPC.context<typeof createContext>() with createContext = createJwtContext(auth)">();
    expectTypeOf<ContextFromCreateJwtContext<JwtContext & { db: string }>>().toEqualTypeOf<unknown>();
  });

  it("a context extended with the app's own fields still works", () => {
    const extended = (opts: Parameters<typeof createContext>[0]) => ({ ...createContext(opts), db: "db" as const });
    const t2 = initTRPC.context<typeof extended>().create();
    createJwtProcedures(t2).authedProcedure.query(({ ctx }) => expectTypeOf(ctx.db).toEqualTypeOf<"db">());
  });
});

describe("onRefused", () => {
  it("is told code, reason and path only", () => {
    expectTypeOf<keyof RefusalEvent>().toEqualTypeOf<"code" | "reason" | "path">();
    createJwtContext(auth, { onRefused: ({ code, reason, path }) => void [code, reason, path] });
  });
});

describe("optionalProcedure", () => {
  it("ctx.token is JwtToken | null, and a rule added to it makes it non-null again", () => {
    optionalProcedure.query(({ ctx }) => {
      expectTypeOf(ctx.token).toEqualTypeOf<JwtToken | null>();
      // @ts-expect-error may be null
      void ctx.token.sub;
    });
    optionalProcedure.use(requireToken({ scope: "admin" })).query(({ ctx }) => expectTypeOf(ctx.token).toEqualTypeOf<JwtToken>());
  });
});

describe("maxAuthAge", () => {
  it("takes seconds", () => {
    authedProcedure.use(requireToken({ maxAuthAge: 300 }));
    // @ts-expect-error seconds as a number
    authedProcedure.use(requireToken({ maxAuthAge: "5m" }));
  });
});
