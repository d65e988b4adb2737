import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z } from "zod";
import { AuthManager, createJwtContext, createJwtProcedures, JWT_ERRORS, JwtError, jwtErrorFormatter, type TokenPair } from "trpc-jwt";

const pairOut = ({ authToken, refreshToken }: TokenPair) => ({ authToken: authToken.signed, refreshToken: refreshToken.signed });

// Public procedures have no guard to turn a refusal into its status: done here, as an app would.
async function refusalsAsErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof JwtError)) throw error;
    const info = JWT_ERRORS[error.code];
    throw new TRPCError({ code: info.trpcCode, message: info.message, cause: error });
  }
}

/**
 * A router that uses sessions as an app would: login, rotate (the refresh token in the input, so
 * that concurrent rotations reach `rotate` itself), logout (revokeSession), and guarded calls.
 */
export function createSessionApp(auth: AuthManager) {
  const createContext = createJwtContext(auth);
  const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
  const { authedProcedure } = createJwtProcedures(t);
  const router = t.router({
    hello: t.procedure.query(() => "hello"),
    me: authedProcedure.query(({ ctx }) => ctx.token.sub),
    login: t.procedure.input(z.object({ sub: z.string() })).mutation(({ input }) => refusalsAsErrors(async () => pairOut(await auth.login(input.sub)))),
    rotate: t.procedure.input(z.object({ refresh: z.string() })).mutation(({ input }) => refusalsAsErrors(async () => pairOut(await auth.rotate(input.refresh)))),
    logout: authedProcedure.mutation(({ ctx }) => refusalsAsErrors(() => auth.revokeSession(String(ctx.token.claims["sid"])))),
    revokeSubject: t.procedure.input(z.object({ sub: z.string() })).mutation(({ input }) => refusalsAsErrors(() => auth.revokeSubject(input.sub))),
  });
  return { router, createContext };
}

export type SessionRouter = ReturnType<typeof createSessionApp>["router"];
