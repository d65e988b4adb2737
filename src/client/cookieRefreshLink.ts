import type { TRPCClientError, TRPCLink } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import type { JwtErrorCode } from "../errors.js";
import { hintExpiry } from "../wire/cookies.js";
import { sessionCookie } from "./documentCookie.js";
import { jwtErrorAction, settleError, type JwtErrorAction } from "./jwtErrorAction.js";
import { jwtErrorCode } from "./jwtErrorCode.js";

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

type Outcome = "refreshed" | "logout" | "retry-later";

// The server ended the session itself: no refresh can help.
const ENDS_SESSION: ReadonlySet<JwtErrorCode> = new Set(["TOKEN_REVOKED", "TOKEN_REUSED"]);

interface LockManager {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

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
  const { refresh, onLogout, refreshBefore = 10, lockName = "trpc-jwt-refresh" } = options;
  const hint = sessionCookie("expires", options.expiryCookie);
  let inflight: Promise<Outcome> | undefined;
  // The session (by its hint) that onLogout was called for: every call failing on it after that
  // reports "login" without calling it again.
  let ended: { readonly hint: string | undefined } | undefined;
  function endSession(session: string | undefined): void {
    if (ended !== undefined && ended.hint === session) return;
    ended = { hint: session };
    onLogout?.();
  }

  // Refreshes unless the hint moved on since `seen` (this tab or another refreshed meanwhile).
  async function runRefresh(seen: string | undefined): Promise<Outcome> {
    try {
      await withLock(lockName, async () => {
        if (hint() === seen) await refresh();
      });
      return "refreshed";
    } catch (error) {
      if (hint() !== seen) return "refreshed";
      if (jwtErrorAction(error) === "retry-later") return "retry-later";
      endSession(seen);
      return "logout";
    }
  }

  function refreshOnce(seen: string | undefined): Promise<Outcome> {
    inflight ??= runRefresh(seen).finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  // Before a call: refresh first when the auth cookie is about to expire.
  function ready(): Promise<Outcome> | undefined {
    const current = hint();
    const exp = current === undefined ? NaN : hintExpiry(current);
    if (!Number.isFinite(exp) || exp - Date.now() / 1000 > refreshBefore) return inflight;
    return refreshOnce(current);
  }

  const shouldRefresh = (error: unknown): boolean => {
    const code = jwtErrorCode(error);
    return code === "TOKEN_EXPIRED" || (code === "TOKEN_MISSING" && hint() !== undefined);
  };

  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let subscription: Unsubscribable | undefined;
        let disposed = false;
        let sentWith: string | undefined;

        const fail = (error: TRPCClientError<TRouter>, action?: JwtErrorAction) => {
          if (!disposed) observer.error(action === undefined ? error : settleError(error, action));
        };

        function send(isRetry: boolean): void {
          sentWith = hint();
          subscription = next(op).subscribe({
            next: (value) => observer.next(value),
            complete: () => observer.complete(),
            error: (error) => disposed || onError(error, isRetry),
          });
        }

        function onError(error: TRPCClientError<TRouter>, isRetry: boolean): void {
          const code = jwtErrorCode(error);
          if (code !== undefined && ENDS_SESSION.has(code)) {
            if (hint() === sentWith) endSession(sentWith);
            return fail(error, "login");
          }
          if (isRetry || op.type === "subscription" || !shouldRefresh(error)) return fail(error);
          refreshOnce(sentWith).then(
            (outcome) => {
              if (disposed) return;
              if (outcome === "logout") return fail(error, "login");
              if (outcome === "retry-later") return fail(error, "retry-later");
              if (op.signal?.aborted) return fail(error);
              send(true);
            },
            () => fail(error, "login"),
          );
        }

        const waiting = op.type === "subscription" ? undefined : ready();
        if (waiting === undefined) send(false);
        else void waiting.then(() => disposed || send(false));
        return () => {
          disposed = true;
          subscription?.unsubscribe();
        };
      });
}

// Across tabs when the browser has Web Locks; within this page only (the shared `inflight`) otherwise.
function withLock(name: string, task: () => Promise<void>): Promise<void> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  return locks === undefined ? task() : locks.request(name, task);
}
