import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z } from "zod";
import { createJwtContext, createJwtProcedures, jwtErrorFormatter, type AuthManager, type RemoteIssuer, type TokenPair } from "trpc-jwt";
import { checkPassword, findUser } from "./users.js";

const signedPair = ({ authToken, refreshToken }: TokenPair) => ({ authToken: authToken.signed, refreshToken: refreshToken.signed });

/**
 * The Flask_PyJWT README example, as a tRPC router, with sessions: login, rotate, logout. With an
 * identity provider, its access tokens pass the same guards as the API's own tokens.
 */
export function createAppRouter(auth: AuthManager, identityProvider?: RemoteIssuer) {
  const createContext = createJwtContext(identityProvider ? [auth, identityProvider] : auth);
  const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
  const { authedProcedure, refreshProcedure, requireToken } = createJwtProcedures(t);

  const appRouter = t.router({
    health: t.procedure.query(() => "ok"),
    login: t.procedure.input(z.object({ username: z.string(), password: z.string() })).mutation(async ({ input }) => {
      const user = checkPassword(input.username, input.password);
      if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Invalid username or password" });
      return signedPair(await auth.login(user.username, user.scope, user.claims));
    }),
    // The refresh token is single-use: rotate gives a new pair in the same session, and a refresh
    // token presented twice ends the session (401 TOKEN_REUSED). The account is re-read, so scope
    // and claims reflect its current rights.
    refresh: refreshProcedure.mutation(async ({ ctx }) => {
      const user = findUser(ctx.token.sub);
      if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Unknown user" });
      return signedPair(await auth.rotate(ctx.token, { scope: user.scope, claims: user.claims }));
    }),
    // Ends the session everywhere: its auth and refresh tokens get 401 TOKEN_REVOKED from now on.
    logout: authedProcedure.mutation(async ({ ctx }) => {
      await auth.revoke(ctx.token);
      return "logged out";
    }),
    protectedRoute: authedProcedure.query(() => "You are logged in"),
    user: authedProcedure
      .input(z.object({ username: z.string() }))
      .use(requireToken({ input: { sub: "username" } }))
      .query(({ input }) => `Hello, ${input.username}!`),
    custom: authedProcedure.use(requireToken({ claims: { custom_claim: "Arbitrary Required Value" } })).query(() => "You have the custom claim"),
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
