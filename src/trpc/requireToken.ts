import { TRPCError, type TRPCMiddlewareFunction } from "@trpc/server";
import { JwtError } from "../errors.js";
import { checkRules } from "../policy/checkRules.js";
import { compileRules, type RequireTokenRules } from "../policy/compileRules.js";
import type { InputPath } from "../policy/InputPath.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import type { JwtContext } from "./createJwtContext.js";
import { JwtRequest, requestedToken } from "./JwtRequest.js";
import { toTRPCError } from "./toTRPCError.js";

/** What a guarded procedure adds to its context. */
export interface TokenContext {
  /** The verified token: never null inside a guarded procedure. */
  readonly token: JwtToken;
}

/**
 * `requireToken(rules)` as returned by `createJwtProcedures(t)`: a middleware for `.use(...)`.
 * The procedure's input type is inferred from where it is used, so `input` paths are checked by
 * the compiler with no generics written by hand.
 */
export type RequireToken<TContext, TMeta> = <TContextOverrides, TInput>(
  rules?: RequireTokenRules<InputPath<TInput>>,
) => TRPCMiddlewareFunction<TContext, TMeta, TContextOverrides, TokenContext, TInput>;

interface MiddlewareOptions {
  readonly ctx: Partial<JwtContext>;
  readonly input: unknown;
  readonly next: (opts: { ctx: TokenContext }) => Promise<unknown>;
}

/**
 * The untyped core of `requireToken`: validates the rules now, then per call finds and verifies
 * the token (once per request), checks its type and the rules, and passes it on as `ctx.token`.
 */
export function createTokenMiddleware(rules: RequireTokenRules = {}): (opts: MiddlewareOptions) => Promise<unknown> {
  const compiled = compileRules(rules);
  // Not async on purpose: when the token is already known (a cache hit), the call goes on to
  // `next` without a promise hop of its own. tRPC turns a thrown error into the call's failure.
  return ({ ctx, input, next }) => {
    const request = ctx.jwt;
    if (!(request instanceof JwtRequest)) {
      throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "trpc-jwt: ctx.jwt is missing; build the context with createJwtContext(auth)" });
    }
    const proceed = (token: JwtToken) => {
      const failure = checkRules(compiled, token, input);
      if (failure !== undefined) throw toTRPCError(new JwtError(failure));
      return next({ ctx: { token } });
    };
    let found: JwtToken | Promise<JwtToken>;
    try {
      found = requestedToken(request, compiled);
    } catch (error) {
      throw toTRPCError(error);
    }
    return found instanceof Promise ? found.then(proceed, (error: unknown) => Promise.reject(toTRPCError(error))) : proceed(found);
  };
}
