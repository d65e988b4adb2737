import type { TRPCProcedureBuilder, TRPCUnsetMarker } from "@trpc/server";
import type { JwtContext } from "./createJwtContext.js";
import { createTokenMiddleware, type RequireToken } from "./requireToken.js";

type BaseProcedure<TContext, TMeta, TErrorShape> = TRPCProcedureBuilder<
  TContext, TMeta, object, TRPCUnsetMarker, TRPCUnsetMarker, TRPCUnsetMarker, TRPCUnsetMarker, false, TErrorShape
>;

/**
 * The guarded building blocks for a tRPC instance whose context comes from `createJwtContext`.
 *
 * - `authedProcedure`: requires a valid auth token; `ctx.token` is a `JwtToken`.
 * - `refreshProcedure`: the same for refresh tokens.
 * - `requireToken(rules)`: a middleware for `.use(...)` with `type`, `cookie`, `input`,
 *   `claims`, `scope` and `override`; works with or without `authedProcedure`.
 *
 * @example
 * ```ts
 * const t = initTRPC.context<typeof createContext>().create({ transformer: superjson });
 * const { authedProcedure, refreshProcedure, requireToken } = createJwtProcedures(t);
 * const user = authedProcedure
 *   .input(z.object({ username: z.string() }))
 *   .use(requireToken({ input: { sub: "username" } }))
 *   .query(({ input }) => `Hello, ${input.username}!`);
 * ```
 */
export function createJwtProcedures<TContext extends JwtContext, TMeta, TErrorShape>(t: {
  procedure: BaseProcedure<TContext, TMeta, TErrorShape>;
}) {
  const requireToken = ((rules) => createTokenMiddleware(rules)) as RequireToken<TContext, TMeta>;
  return {
    authedProcedure: t.procedure.use(requireToken({ type: "auth" })),
    refreshProcedure: t.procedure.use(requireToken({ type: "refresh" })),
    requireToken,
  };
}
