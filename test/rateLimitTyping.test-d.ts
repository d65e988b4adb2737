// auth.rateLimit's key function is typed where the middleware is used: `input` by `.input()`,
// `ctx` with what earlier middlewares added (ctx.token after a guard), with no generics written.
import { initTRPC } from "@trpc/server";
import { expectTypeOf, test } from "vitest";
import { z } from "zod";
import { AuthManager, createJwtContext, createJwtProcedures, memoryStore } from "trpc-jwt";

const auth = new AuthManager({ issuer: "x", authType: "HS256", secret: "s".repeat(32), store: memoryStore() });
const createContext = createJwtContext(auth);
const t = initTRPC.context<typeof createContext>().create();
const { authedProcedure } = createJwtProcedures(t);

test("input and ctx are typed from the procedure", () => {
  t.procedure
    .input(z.object({ username: z.string() }))
    .use(
      auth.rateLimit({
        key: ({ input, ip, path }) => {
          expectTypeOf(input.username).toEqualTypeOf<string>();
          expectTypeOf(ip).toEqualTypeOf<string | undefined>();
          expectTypeOf(path).toEqualTypeOf<string>();
          // @ts-expect-error: no such input field
          return input.password;
        },
        limit: 5,
        window: 60,
      }),
    )
    .mutation(() => "ok");
  authedProcedure.use(auth.rateLimit({ key: ({ ctx }) => ctx.token.sub, limit: 10, window: 60 })).mutation(() => "ok");
});
