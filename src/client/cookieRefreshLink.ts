import type { TRPCLink } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { JwtConfigError } from "../errors.js";
import { LIMITS } from "../options/limits.js";
import { functionOf, nonEmptyString, numberWithin, objectOf, optionNames } from "../options/validate.js";
import { hintExpiry } from "../wire/cookies.js";
import { isCookieName } from "../wire/isCookieName.js";
import { sessionCookie } from "./documentCookie.js";
import { jwtErrorCode } from "./jwtErrorCode.js";
import { refreshCallOf, refreshCoordinator } from "./refreshCoordinator.js";

/** Options for {@link cookieRefreshLink}. */
export interface CookieRefreshLinkOptions {
  /**
   * Calls your refresh procedure, which reads the refresh cookie and sets new cookies
   * (`ctx.jwt.setTokens(await auth.rotate(ctx.token))`). Send it through a client without this
   * link, over `httpLink` (a streamed batch cannot carry `Set-Cookie`), with `csrfHeader()`.
   */
  readonly refresh: () => Promise<unknown>;
  /** Called once per session when it is over (refresh refused, session revoked or reused). */
  readonly onLogout?: (() => void) | undefined;
  /** The readable expiry hint cookie. Default: `__Host-auth-exp`, then `auth-exp`. */
  readonly expiryCookie?: string | undefined;
  /** Refresh this many seconds before the auth cookie expires. Default 10. */
  readonly refreshBefore?: number | undefined;
  /** The Web Lock that lets one tab refresh at a time. Default `"trpc-jwt-refresh"`. */
  readonly lockName?: string | undefined;
}

const OPTION_NAMES = optionNames<CookieRefreshLinkOptions>({ refresh: true, onLogout: true, expiryCookie: true, refreshBefore: true, lockName: true });

/**
 * The refresh link for cookie sessions (`createJwtContext(auth, { cookies })`): the cookies are
 * the token store, so scripts never hold a token. It reads the server's expiry hint cookie and
 * refreshes shortly before the auth cookie expires, and also when a call fails because it
 * expired (401 `TOKEN_EXPIRED`, or `TOKEN_MISSING` while the hint says a session exists: the
 * browser dropped the expired cookie). Every call waiting meanwhile shares one refresh.
 *
 * Tabs share cookies, and a refresh token is single-use: the refresh runs under a Web Lock,
 * and a tab that gets the lock after another tab refreshed sees the new hint and only resends
 * its call, instead of presenting the used refresh token (which the server treats as theft).
 *
 * A refused refresh, or a 401 `TOKEN_REVOKED` / `TOKEN_REUSED`, ends the session: `onLogout`
 * runs once and the calls fail with `jwtErrorAction(error) === "login"`. A 503 keeps it
 * (`"retry-later"`).
 *
 * Unlike `refreshLink`, it sends a call again in whatever session the cookies then hold (it
 * cannot read the HttpOnly token to compare users), and it leaves subscriptions alone: one that
 * ends with `TOKEN_EXPIRED` fails with it.
 *
 * @example
 * ```ts
 * const plain = createTRPCClient<AppRouter>({ links: [httpLink({ url: "/trpc", headers: csrfHeader() })] });
 * const client = createTRPCClient<AppRouter>({
 *   links: [
 *     cookieRefreshLink({ refresh: () => plain.auth.refresh.mutate(), onLogout: () => location.assign("/login") }),
 *     httpBatchLink({ url: "/trpc", headers: csrfHeader() }),
 *   ],
 * });
 * ```
 */
export function cookieRefreshLink<TRouter extends AnyTRPCRouter>(options: CookieRefreshLinkOptions): TRPCLink<TRouter> {
  objectOf(options, "options", { names: OPTION_NAMES, kind: "a cookieRefreshLink option" });
  const refresh = refreshCallOf(options.refresh);
  const onLogout = functionOf(options.onLogout, "onLogout");
  // Seconds with a fraction allowed: a token living 6 s is refreshed 1.5 s before it ends.
  const refreshBefore = numberWithin(options.refreshBefore, LIMITS.refreshBefore, "refreshBefore");
  const lockName = options.lockName === undefined ? "trpc-jwt-refresh" : nonEmptyString(options.lockName, "lockName");
  if (options.expiryCookie !== undefined && !isCookieName(options.expiryCookie)) throw new JwtConfigError("expiryCookie", "must be a valid cookie name");
  const hint = sessionCookie("expires", options.expiryCookie);
  // The HttpOnly auth cookie may be there without its hint, so the link never knows that a call
  // went out without a credential: no hint is a credential of its own for the coordinator.
  const current = () => hint() ?? NO_HINT;
  // The session (by its hint) that onLogout was called for: every call failing on it after that
  // reports "login" without calling it again.
  let ended: string | undefined;

  return refreshCoordinator<TRouter>({
    current,
    // Under the Web Lock, and only unless the hint moved on since `seen` (this tab or another
    // refreshed meanwhile): a second tab must not present the refresh token the first just used.
    refresh: (seen) =>
      withLock(lockName, async () => {
        if (current() === seen) await refresh();
      }).catch((error: unknown) => {
        if (current() === seen) throw error;
      }),
    endSession(seen) {
      if (seen === ended) return;
      ended = seen;
      onLogout?.();
    },
    // TOKEN_MISSING while the hint says a session exists: the browser dropped the expired cookie.
    shouldRefresh(error) {
      const code = jwtErrorCode(error);
      return code === "TOKEN_EXPIRED" || (code === "TOKEN_MISSING" && current() !== NO_HINT);
    },
    // Any session the cookies now hold: the link cannot read the HttpOnly token to compare users,
    // and the browser sends the cookies with every call anyway, so a new call would go out in that
    // session just the same.
    mayResend: () => true,
    // Over wsLink a socket keeps the cookies it connected with, and this link has no socket to
    // close (refreshLink has its webSocket option): a subscription subscribed again there would
    // carry the expired session again. The link cannot tell the transports apart, so every
    // subscription fails with its own error; the app subscribes again.
    subscriptions: "pass",
    expiresSoon(seen) {
      const exp = seen === NO_HINT ? NaN : hintExpiry(seen);
      return Number.isFinite(exp) && exp - Date.now() / 1000 <= refreshBefore;
    },
  });
}

// What the link compares when there is no expiry hint cookie (never a cookie's value: those are not empty).
const NO_HINT = "";

// Across tabs when the browser has Web Locks; within this page only (the coordinator's single refresh) otherwise.
function withLock(name: string, task: () => Promise<void>): Promise<void> {
  const locks = (globalThis as { navigator?: { locks?: { request(name: string, task: () => Promise<void>): Promise<void> } } }).navigator?.locks;
  return locks === undefined ? task() : locks.request(name, task);
}
