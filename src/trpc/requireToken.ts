import { TRPCError, type TRPCMiddlewareFunction } from "@trpc/server";
import { isRefusal } from "../errors.js";
import { compileRules, type CompiledRules, type RequireTokenRules } from "../policy/compileRules.js";
import { findRuleFailure } from "../policy/findRuleFailure.js";
import type { RulesFor } from "../policy/TypedRules.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import { isWatchedInCall, watchingIn } from "./callWatches.js";
import type { JwtContext } from "./createJwtContext.js";
import { endWithToken } from "./endWithToken.js";
import type { CredentialResolver } from "./CredentialResolver.js";
import { CREDENTIALS, JwtRequest } from "./JwtRequest.js";
import { refused } from "../refusals/refused.js";
import { toTRPCError } from "../refusals/toTRPCError.js";
import { watchToken, type WatchedParts } from "./watchToken.js";

/** What a guarded procedure adds to its context: `TToken` is typed by the manager's schemas. */
export interface TokenContext<TToken = JwtToken> {
  /** The verified token: never null inside a guarded procedure. */
  readonly token: TToken;
}

/** What `optionalProcedure` adds to its context. */
export interface OptionalTokenContext<TToken = JwtToken> {
  /** The verified token, or `null` when the request carries no token at all. */
  readonly token: TToken | null;
}

/**
 * `requireToken(rules)` as returned by `createJwtProcedures(t)`: a middleware for `.use(...)`.
 * The procedure's input type is inferred from where it is used, so `input` paths are checked by
 * the compiler and `allow` receives the parsed input, with no generics written by hand. With the
 * manager's claims schema, claim names and types are checked too (see `RulesFor`).
 */
export type RequireToken<TContext, TMeta, TToken = TokenOfContext<TContext>> = <TContextOverrides, TInput>(
  rules?: RulesFor<TToken, TInput>,
) => TRPCMiddlewareFunction<TContext, TMeta, TContextOverrides, TokenContext<TToken>, TInput>;

/** The auth token type a context from `createJwtContext` carries. */
export type TokenOfContext<TContext> = TContext extends { readonly jwt: JwtRequest<infer TToken> } ? TToken : JwtToken;

/** The middleware of `optionalProcedure`, typed like `requireToken`'s. */
export type OptionalToken<TContext, TMeta, TToken = TokenOfContext<TContext>> = <TContextOverrides, TInput>() => TRPCMiddlewareFunction<
  TContext,
  TMeta,
  TContextOverrides,
  OptionalTokenContext<TToken>,
  TInput
>;

interface MiddlewareOptions {
  readonly ctx: Partial<JwtContext> & { readonly token?: unknown };
  readonly input: unknown;
  readonly path: string;
  readonly type: "query" | "mutation" | "subscription";
  readonly next: (opts?: { ctx: OptionalTokenContext }) => Promise<unknown>;
}

/** What tRPC's `next()` resolves to: enough of it to see a failure. */
interface NextResult {
  readonly data?: unknown;
  readonly ok: boolean;
  readonly error?: TRPCError;
}

// Every middleware made here, so `unguardedProcedures` can tell which procedures a guard protects.
const GUARDS = new WeakMap<object, { readonly compiled: CompiledRules; readonly optional: boolean }>();

/**
 * Whether `middleware` is a trpc-jwt guard that requires a token (`authedProcedure`,
 * `refreshProcedure`, `requireToken`); `optionalProcedure`'s is not. Module-internal.
 */
export function isRequiringGuard(middleware: unknown): boolean {
  return GUARDS.get(middleware as object)?.optional === false;
}

/** The rules of a trpc-jwt guard (for the audits), or `undefined`. Module-internal. */
export function guardRulesOf(middleware: unknown): CompiledRules | undefined {
  return GUARDS.get(middleware as object)?.compiled;
}

/**
 * The untyped core of `requireToken`: validates the rules now, then per call finds and verifies
 * the token (once per request; a token an earlier guard of the same type found is reused),
 * checks its type and the rules, and passes it on as `ctx.token`. A refusal thrown raw inside
 * the procedure (by `auth.rotate`, say) becomes the caller's 401/403/503 on the way back.
 * `optional`: no token at all passes `ctx.token = null` on instead of `TOKEN_MISSING`; a token
 * that is present is checked exactly as without it.
 */
export function createTokenMiddleware(rules: RequireTokenRules = {}, optional = false): (opts: MiddlewareOptions) => Promise<unknown> {
  const compiled = compileRules(rules);
  // Not async on purpose: when the token is already known (a cache hit), the call goes on to
  // `next` without a promise hop of its own. tRPC turns a thrown error into the call's failure.
  const middleware = (opts: MiddlewareOptions): Promise<unknown> => {
    const call: GuardCall = { opts, credentials: credentialsOf(opts.ctx), compiled, optional };
    let found: JwtToken | Promise<JwtToken>;
    try {
      found = call.credentials.requested(compiled, opts.ctx.token);
    } catch (error) {
      return failed(call, error);
    }
    return found instanceof Promise
      ? found.then(
          (token) => checked(call, token),
          (error: unknown) => failed(call, error),
        )
      : checked(call, found);
  };
  GUARDS.set(middleware, { compiled, optional });
  return middleware;
}

/** One guarded call: what the steps below share. */
interface GuardCall {
  readonly opts: MiddlewareOptions;
  readonly credentials: CredentialResolver;
  readonly compiled: CompiledRules;
  readonly optional: boolean;
}

function credentialsOf(ctx: MiddlewareOptions["ctx"]): CredentialResolver {
  const request = ctx.jwt;
  if (!(request instanceof JwtRequest)) {
    throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "trpc-jwt: ctx.jwt is missing; build the context with createJwtContext(auth)" });
  }
  return request[CREDENTIALS];
}

// The token passed the checks of its own (expiry, type, freshness, CSRF, revocation); now the
// guard's rules on its claims, scope and the input.
function checked(call: GuardCall, token: JwtToken): Promise<unknown> {
  const failure = findRuleFailure(call.compiled, token, call.opts.input);
  if (failure !== undefined) throw refuse(call, refused(failure.code, failure.reason));
  return pass(call, token);
}

// Only a request with no token at all is anonymous: a bad or expired one is refused, so a stale
// client learns to refresh instead of silently losing its user.
function failed(call: GuardCall, error: unknown): Promise<unknown> {
  return call.optional && isRefusal(error) && error.code === "TOKEN_MISSING" ? pass(call, null) : Promise.reject(refuse(call, error));
}

// A subscription outlives the check: it ends when its token expires (or is revoked, or, with
// maxAuthAge, its login grows too old). A token a guard of this very call watches is not watched
// twice; one the app put in ctx.token itself is no guard's and is watched here.
function pass(call: GuardCall, token: JwtToken | null): Promise<unknown> {
  const { ctx, type, next } = call.opts;
  if (token !== null) call.credentials.passed(token);
  const parts = type === "subscription" && token !== null ? partsToWatch(ctx, token, call.compiled) : undefined;
  // A token an earlier guard already put in ctx goes on without a new ctx: tRPC then reuses the
  // ctx object instead of copying it (its copies are most of what a middleware costs).
  const passed = parts?.lifetime === true ? { token, ...watchingIn(ctx, token as JwtToken) } : token === ctx.token ? undefined : { token };
  return next(passed === undefined ? undefined : { ctx: passed }).then((result) => {
    const dressed = dressRefusal(call, result as NextResult);
    return parts === undefined ? dressed : endedWithToken(call, dressed, token as JwtToken, parts);
  });
}

// A refusal as the caller's TRPCError, told to onRefused.
function refuse(call: GuardCall, error: unknown): TRPCError {
  const trpcError = toTRPCError(error);
  call.credentials.report(trpcError, call.opts.path);
  return trpcError;
}

// The procedure's async iterable (or observable), ending with UNAUTHORIZED TOKEN_EXPIRED when
// the token expires, TOKEN_REVOKED when it is revoked (with a token store), or TOKEN_NOT_FRESH
// when its login grows older than the guard's maxAuthAge.
function endedWithToken(call: GuardCall, result: NextResult, token: JwtToken, parts: WatchedParts): unknown {
  if (!result.ok) return result;
  const watch = watchToken(call.credentials.source, token, (error) => refuse(call, error), parts);
  return { ...result, data: endWithToken(result.data, watch) };
}

// What this guard watches of a subscription's token; `undefined` when a guard of this call
// already watches all of it.
function partsToWatch(ctx: object, token: JwtToken, { maxAuthAge, acr, amr }: CompiledRules): WatchedParts | undefined {
  const lifetime = !isWatchedInCall(ctx, token);
  return lifetime || maxAuthAge !== undefined ? { lifetime, maxAuthAge, acr, amr } : undefined;
}

// tRPC wraps whatever a procedure throws raw in an INTERNAL_SERVER_ERROR; when that was a
// refusal of the caller's credentials it becomes their proper error. One the procedure already
// threw as its TRPCError (the manager's session methods do) is reported and kept. A TRPCError
// the app chose itself, or a JwtError the app made of some other token (not a refusal), is left
// as it is.
function dressRefusal(call: GuardCall, result: NextResult): NextResult {
  const { error } = result;
  if (result.ok || error === undefined || !isRefusal(error.cause)) return result;
  if (error.code !== "INTERNAL_SERVER_ERROR") {
    call.credentials.report(error, call.opts.path);
    return result;
  }
  return { ...result, error: refuse(call, error.cause) };
}
