import type { TRPCProcedureBuilder, TRPCUnsetMarker } from "@trpc/server";
import type { JwtContext } from "./createJwtContext.js";
import type { RequireTokenRules } from "../policy/compileRules.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import { createTokenMiddleware, type OptionalToken, type RequireToken } from "./requireToken.js";

type BaseProcedure<TContext, TMeta, TErrorShape> = TRPCProcedureBuilder<
  TContext,
  TMeta,
  object,
  TRPCUnsetMarker,
  TRPCUnsetMarker,
  TRPCUnsetMarker,
  TRPCUnsetMarker,
  false,
  TErrorShape
>;

/**
 * What `t` must also be when its context does not come from `createJwtContext`: a requirement no
 * `t` meets, whose name and message the compile error shows, so it names the fix.
 */
export type ContextFromCreateJwtContext<TContext> =
  TContext extends JwtContext<unknown>
    ? unknown
    : { readonly "trpc-jwt: the context has no jwt; use initTRPC.context<typeof createContext>() with createContext = createJwtContext(auth)": never };

/**
 * The guarded building blocks for a tRPC instance whose context comes from `createJwtContext`.
 *
 * - `authedProcedure`: requires a valid auth token; `ctx.token` is a `JwtToken`, typed by the
 *   manager's `claims` and `scope` schemas when it has them.
 * - `refreshProcedure`: the same for refresh tokens.
 * - `optionalProcedure`: for public procedures that personalise when a user is logged in:
 *   `ctx.token` is a `JwtToken`, or `null` when the request carries no token at all. A token
 *   that is present but invalid, expired or of the wrong type gets the same 401 as
 *   `authedProcedure` (the client refreshes instead of silently becoming anonymous).
 * - `requireToken(rules)`: a middleware for `.use(...)` with `type`, `cookie`, `input`,
 *   `claims`, `scope`, `override`, `allow` and `maxAuthAge`; works with or without `authedProcedure`.
 *
 * @example
 * ```ts
 * const t = initTRPC.context<typeof createContext>().create({ transformer: superjson });
 * const { authedProcedure, refreshProcedure, requireToken } = createJwtProcedures(t);
 * const user = authedProcedure
 *   .input(z.object({ username: z.string() }))
 *   .use(requireToken({ input: { sub: "username" } }))
 *   .query(({ input }) => `Hello, ${input.username}!`);
 * const feed = optionalProcedure.query(({ ctx }) => (ctx.token ? personalFeed(ctx.token.sub) : publicFeed()));
 * ```
 */
export function createJwtProcedures<TContext, TMeta, TErrorShape>(
  t: { procedure: BaseProcedure<TContext, TMeta, TErrorShape> } & ContextFromCreateJwtContext<TContext>,
) {
  const requireToken = ((rules?: RequireTokenRules) => createTokenMiddleware(rules)) as RequireToken<TContext, TMeta>;
  // Refresh tokens carry neither claims nor scope of the manager's schemas: plain `JwtToken`.
  const requireRefresh = requireToken as unknown as RequireToken<TContext, TMeta, JwtToken>;
  const optionalToken = (() => createTokenMiddleware({}, true)) as OptionalToken<TContext, TMeta>;
  return {
    authedProcedure: t.procedure.use(requireToken({ type: "auth" })),
    refreshProcedure: t.procedure.use(requireRefresh({ type: "refresh" })),
    optionalProcedure: t.procedure.use(optionalToken()),
    requireToken,
  };
}
