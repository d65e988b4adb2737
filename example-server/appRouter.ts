import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z } from "zod";
import { createJwtContext, createJwtProcedures, jwtErrorFormatter, type AuthManager } from "trpc-jwt";
import { checkPassword, findUser } from "./users.js";

/** The Flask_PyJWT README example, as a tRPC router. */
export function createAppRouter(auth: AuthManager) {
  const createContext = createJwtContext(auth);
  const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
  const { authedProcedure, refreshProcedure, requireToken } = createJwtProcedures(t);

  const appRouter = t.router({
    health: t.procedure.query(() => "ok"),
    login: t.procedure.input(z.object({ username: z.string(), password: z.string() })).mutation(async ({ input }) => {
      const user = checkPassword(input.username, input.password);
      if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Invalid username or password" });
      return {
        authToken: (await auth.authToken(user.username, user.scope, user.claims)).signed,
        refreshToken: (await auth.refreshToken(user.username)).signed,
      };
    }),
    // A refresh re-reads the account, so scope and claims reflect its current rights.
    refresh: refreshProcedure.mutation(async ({ ctx }) => {
      const user = findUser(ctx.token.sub);
      if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Unknown user" });
      return { authToken: (await auth.authToken(user.username, user.scope, user.claims)).signed };
    }),
    protectedRoute: authedProcedure.query(() => "You are logged in"),
    user: authedProcedure
      .input(z.object({ username: z.string() }))
      .use(requireToken({ input: { sub: "username" } }))
      .query(({ input }) => `Hello, ${input.username}!`),
    custom: authedProcedure
      .use(requireToken({ claims: { custom_claim: "Arbitrary Required Value" } }))
      .query(() => "You have the custom claim"),
    admin: authedProcedure.use(requireToken({ scope: { admin: true } })).query(() => "Welcome, admin"),
    info: authedProcedure.query(({ ctx }) => ({
      tokenType: ctx.token.tokenType,
      sub: ctx.token.sub,
      scope: ctx.token.scope,
      claims: ctx.token.claims,
      isSigned: ctx.token.isSigned(),
      signed: ctx.token.signed,
    })),
    overridable: authedProcedure
      .input(z.object({ username: z.string() }))
      .use(requireToken({ input: { sub: "username" }, override: { admin: true } }))
      .query(({ input }) => `Hello, ${input.username}! (override allowed)`),
  });
  return { appRouter, createContext };
}

/** The router's type, for `createTRPCClient<AppRouter>`. */
export type AppRouter = ReturnType<typeof createAppRouter>["appRouter"];
