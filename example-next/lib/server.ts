// The API: one AuthManager with a session store, the cookie context, and the router that both
// the route handler (app/trpc/[trpc]/route.ts) and the server-side caller (Server Components,
// Server Actions) use. Server-only: it holds the signing secret.
import { randomBytes } from "node:crypto";
import { initTRPC, TRPCError } from "@trpc/server";
import { headers } from "next/headers";
import { AuthManager, createJwtContext, createJwtProcedures, jwtErrorFormatter, memoryStore } from "trpc-jwt";
import { z } from "zod";

// Demo users; a real app checks a password hash in its database.
const USERS = new Map([["alice", { password: "wonderland", scope: "notes" }]]);

// JWT_SECRET (32+ bytes) in production; a random one otherwise (sessions end with the process).
// JWT_AUTHMAXAGE sets the auth token's lifetime in seconds (the test makes it short).
const env: Record<string, string | undefined> & { JWT_AUTHMAXAGE: string } = {
  JWT_ISSUER: "trpc-jwt-example-next",
  JWT_AUTHTYPE: "HS256",
  JWT_AUTHMAXAGE: "300",
  ...process.env,
};

/** The auth token's lifetime in seconds, for the client's refresh timing. */
export const authLifetime = Number(env.JWT_AUTHMAXAGE);

// Cookie sessions: HttpOnly cookies, the CSRF header on every POST. `secure` (the default:
// __Host- cookies) needs https; COOKIE_SECURE=false serves plain http (`next start` locally).
const secure = env["COOKIE_SECURE"] !== "false";
/** The readable expiry hint cookie (default names): present while the session can be refreshed. */
export const EXPIRY_HINT_COOKIE = secure ? "__Host-auth-exp" : "auth-exp";

function createApi() {
  const auth = AuthManager.fromEnv({ ...env, JWT_SECRET: env["JWT_SECRET"] || randomBytes(32).toString("base64url") }, { store: memoryStore() });
  const notes = new Map<string, string[]>();
  const createContext = createJwtContext(auth, {
    cookies: { secure },
    onRefused: ({ code, path }) => console.log(`refused ${path ?? "?"}: ${code}`),
  });

  const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
  const { authedProcedure, optionalProcedure, refreshProcedure } = createJwtProcedures(t);

  const appRouter = t.router({
    auth: t.router({
      // Set-Cookie through the fetch adapter's response headers; the body carries no token.
      login: t.procedure.input(z.object({ username: z.string(), password: z.string() })).mutation(async ({ ctx, input }) => {
        const user = USERS.get(input.username);
        if (user?.password !== input.password) throw new TRPCError({ code: "UNAUTHORIZED", message: "Invalid username or password" });
        ctx.jwt.setTokens(await auth.login(input.username, user.scope));
        return { username: input.username };
      }),
      refresh: refreshProcedure.mutation(async ({ ctx }) => {
        ctx.jwt.setTokens(await auth.rotate(ctx.token));
        return { refreshed: true };
      }),
      logout: authedProcedure.mutation(async ({ ctx }) => {
        await auth.revokeSession(String(ctx.token.claims["sid"]));
        ctx.jwt.clearTokens();
        return { loggedOut: true };
      }),
    }),
    // Who is signed in, or null: what the page renders from.
    session: optionalProcedure.query(({ ctx }) => (ctx.token ? { username: ctx.token.sub } : null)),
    me: authedProcedure.query(({ ctx }) => ctx.token.sub),
    notes: t.router({
      list: authedProcedure.query(({ ctx }) => notes.get(ctx.token.sub) ?? []),
      add: authedProcedure.input(z.object({ text: z.string().min(1).max(200) })).mutation(({ ctx, input }) => {
        notes.set(ctx.token.sub, [...(notes.get(ctx.token.sub) ?? []), input.text]);
        return notes.get(ctx.token.sub);
      }),
    }),
  });
  return { appRouter, createContext };
}

/**
 * One API per server process. Next.js may load this module once per route bundle (the route
 * handler's, each page's), each with its own copy of trpc-jwt; the session store must be one,
 * and an AuthManager of one copy is not one of another's. So the first copy's API is kept on
 * `globalThis` and every bundle uses it.
 */
const api: ReturnType<typeof createApi> = ((globalThis as { trpcJwtExampleApi?: ReturnType<typeof createApi> }).trpcJwtExampleApi ??= createApi());
export const { appRouter, createContext } = api;
export type AppRouter = typeof appRouter;

/**
 * The router called in-process from a Server Component or Server Action, authenticated by the
 * incoming request's cookies (`headers()`), with the same guards as over HTTP.
 */
export async function serverCaller() {
  return appRouter.createCaller(createContext({ headers: await headers() }));
}
