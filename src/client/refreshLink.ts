import type { TRPCLink } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import type { TokenStore, Tokens } from "./createTokenStore.js";
import { jwtErrorCode } from "./jwtErrorCode.js";

/** Options for {@link refreshLink}. */
export interface RefreshLinkOptions {
  /** Where the tokens live; the same store the `headers` function reads. */
  readonly store: TokenStore;
  /**
   * Exchanges the refresh token for a new auth token (and optionally a new refresh token).
   * Call your refresh procedure through a client that does not use this link, with the refresh
   * token as its bearer; otherwise a failing refresh would wait on itself.
   */
  readonly refresh: (refreshToken: string) => Promise<Tokens & { readonly authToken: string }>;
  /** Called once per failed refresh, after the store is cleared: the user is logged out. */
  readonly onLogout?: (() => void) | undefined;
  /** Which errors warrant a refresh. Default: the auth token expired (`TOKEN_EXPIRED`). */
  readonly shouldRefresh?: ((error: unknown) => boolean) | undefined;
}

/**
 * A link that keeps calls working across auth-token expiry. When a query or mutation fails with
 * `TOKEN_EXPIRED`, it refreshes once (one refresh shared by every call that failed meanwhile),
 * stores the new tokens and retries each failed call once. If the refresh fails, it clears the
 * store, calls `onLogout` once and fails those calls with their original error. Every other error
 * passes through untouched. It uses no timers; unsubscribing or aborting the call's signal
 * cancels its retry.
 *
 * @example
 * ```ts
 * const client = createTRPCClient<AppRouter>({
 *   links: [
 *     refreshLink({ store, refresh: () => refreshClient.refresh.mutate(), onLogout }),
 *     httpBatchLink({ url, transformer: superjson, headers: bearerHeaders(store.getAuthToken) }),
 *   ],
 * });
 * ```
 */
export function refreshLink<TRouter extends AnyTRPCRouter>(options: RefreshLinkOptions): TRPCLink<TRouter> {
  const { store, refresh, onLogout } = options;
  const shouldRefresh = options.shouldRefresh ?? ((error: unknown) => jwtErrorCode(error) === "TOKEN_EXPIRED");
  let inflight: Promise<boolean> | undefined;

  async function runRefresh(): Promise<boolean> {
    try {
      const refreshToken = store.getRefreshToken();
      if (refreshToken === undefined) throw new Error("no refresh token");
      const tokens = await refresh(refreshToken);
      if (typeof tokens?.authToken !== "string" || tokens.authToken === "") throw new Error("no auth token");
      store.setTokens(tokens);
      return true;
    } catch {
      // Should the store or the callback throw, the rejection still settles every waiting call
      // (see the rejection handler below).
      try {
        store.clear();
      } finally {
        onLogout?.();
      }
      return false;
    }
  }

  // One refresh at a time: every call that fails while it runs waits for the same result.
  function refreshOnce(): Promise<boolean> {
    inflight ??= runRefresh().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  return () =>
    ({ op, next }) =>
      observable((observer) => {
        let subscription: Unsubscribable | undefined;
        let disposed = false;
        const sentWith = store.getAuthToken();

        function attempt(isRetry: boolean): void {
          subscription = next(op).subscribe({
            next: (value) => observer.next(value),
            complete: () => observer.complete(),
            error: (error) => {
              if (disposed) return;
              if (isRetry || op.type === "subscription" || !shouldRefresh(error)) {
                observer.error(error);
                return;
              }
              // Sent with a token that has since been replaced: retry with the new one, no refresh.
              const current = store.getAuthToken();
              const ready = current !== undefined && current !== sentWith ? Promise.resolve(true) : refreshOnce();
              ready.then(
                (refreshed) => {
                  if (disposed) return;
                  // A call cancelled (op.signal) while the refresh ran is not sent again.
                  if (refreshed && !op.signal?.aborted) attempt(true);
                  else observer.error(error);
                },
                () => disposed || observer.error(error),
              );
            },
          });
        }

        attempt(false);
        return () => {
          disposed = true;
          subscription?.unsubscribe();
        };
      });
}
