import type { JwtToken } from "../tokens/JwtToken.js";

// Module-private: an app can put any token in `ctx.token` (the optional-auth pattern does), but
// only a guard of this call can say it watches one. Carried down the call's own ctx (tRPC copies
// own symbol keys into the next middleware's ctx), so it is per call even where one context
// serves a whole WebSocket connection.
const WATCHED = Symbol("trpc-jwt: tokens a guard of this call watches");

/** What a guard adds to the ctx it passes on when it starts watching a token. Module-internal. */
export interface CallWatches {
  readonly [WATCHED]: readonly JwtToken[];
}

/**
 * Whether a guard earlier in this call already watches `token`'s expiry and revocation (a token
 * the app put in `ctx.token` itself is not watched by anyone). Module-internal.
 *
 * @example
 * ```ts
 * if (!isWatchedInCall(ctx, token)) next({ ctx: { token, ...watchingIn(ctx, token) } });
 * ```
 */
export function isWatchedInCall(ctx: object, token: JwtToken): boolean {
  return watchedIn(ctx).includes(token);
}

/** The record to pass on in ctx: the call's watched tokens and `token`. Module-internal. */
export function watchingIn(ctx: object, token: JwtToken): CallWatches {
  return { [WATCHED]: [...watchedIn(ctx), token] };
}

// Only watchingIn sets WATCHED (a module-private symbol): when present, it is its list.
function watchedIn(ctx: object): readonly JwtToken[] {
  return (ctx as Partial<CallWatches>)[WATCHED] ?? [];
}
