import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import { z } from "zod";
import { AuthManager, createJwtContext, createJwtProcedures, jwtErrorFormatter, type TokenPair } from "trpc-jwt";
import { idle } from "./endingSubscription.js";

const pairOut = ({ authToken, refreshToken }: TokenPair) => ({ authToken: authToken.signed, refreshToken: refreshToken.signed });

/**
 * A router that uses sessions as an app would: login, rotate (the refresh token in the input, so
 * that concurrent rotations reach `rotate` itself), logout (`auth.revoke(ctx.token)`), and guarded calls.
 * login, rotate and revokeSubject are plain procedures with no guard and no error handling of
 * their own: the manager's refusals must reach the client as their codes by themselves. `idle` is
 * a guarded subscription that sends nothing until it ends; `keyMe` and `keyIdle` accept API keys.
 */
export function createSessionApp(auth: AuthManager) {
  const createContext = createJwtContext(auth);
  const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
  const { authedProcedure, requireToken } = createJwtProcedures(t);
  const router = t.router({
    hello: t.procedure.query(() => "hello"),
    me: authedProcedure.query(({ ctx }) => ctx.token.sub),
    login: t.procedure.input(z.object({ sub: z.string() })).mutation(async ({ input }) => pairOut(await auth.login(input.sub))),
    rotate: t.procedure.input(z.object({ refresh: z.string() })).mutation(async ({ input }) => pairOut(await auth.rotate(input.refresh))),
    logout: authedProcedure.mutation(({ ctx }) => auth.revoke(ctx.token)),
    revokeOthers: authedProcedure.mutation(({ ctx }) => auth.revokeOtherSessions(ctx.token)),
    // 37 calls per bucket a minute, counted in the store every process shares.
    limited: t.procedure
      .input(z.object({ bucket: z.string() }))
      .use(auth.rateLimit({ key: ({ input }) => input.bucket, limit: 37, window: 60 }))
      .query(() => "ok"),
    revokeSubject: t.procedure.input(z.object({ sub: z.string() })).mutation(({ input }) => auth.revokeSubject(input.sub)),
    idle: authedProcedure.subscription(idle),
    // API keys: made and revoked by plain procedures, accepted where requireToken says apiKey.
    createKey: t.procedure.input(z.object({ sub: z.string() })).mutation(({ input }) => auth.apiKeys.create(input.sub, { name: "multi-process" })),
    revokeKey: t.procedure.input(z.object({ id: z.string() })).mutation(({ input }) => auth.apiKeys.revoke(input.id)),
    keyMe: t.procedure.use(requireToken({ apiKey: true })).query(({ ctx }) => ctx.token.sub),
    keyIdle: t.procedure.use(requireToken({ apiKey: true })).subscription(idle),
  });
  return { router, createContext };
}

export type SessionRouter = ReturnType<typeof createSessionApp>["router"];
