import type { TRPCClientError, TRPCLink } from "@trpc/client";
import type { AnyTRPCRouter } from "@trpc/server";
import { JwtConfigError } from "../errors.js";
import { functionOf, objectOf, optionNames } from "../options/validate.js";
import type { TokenStore, Tokens } from "./createTokenStore.js";
import { settleError } from "./jwtErrorAction.js";
import { jwtErrorCode } from "./jwtErrorCode.js";
import { refreshCallOf, refreshCoordinator } from "./refreshCoordinator.js";
import { sameSubject } from "./sameSubject.js";

/** Options for {@link refreshLink}. */
export interface RefreshLinkOptions {
  /** Where the tokens live; the same store the `headers` function reads. */
  readonly store: TokenStore;
  /**
   * Exchanges the refresh token for a new auth token (and, with rotating refresh tokens, a new
   * refresh token: both are stored). Call your refresh procedure through a client that does not
   * use this link, with the refresh token as its bearer; otherwise a failing refresh would wait
   * on itself.
   */
  readonly refresh: (refreshToken: string) => Promise<Tokens & { readonly authToken: string }>;
  /** Called once when the link ends the session (refresh refused, token revoked), after the store is cleared. */
  readonly onLogout?: (() => void) | undefined;
  /** Which errors warrant a refresh. Default: a 401 `TOKEN_EXPIRED`. */
  readonly shouldRefresh?: ((error: unknown) => boolean) | undefined;
  /**
   * The WebSocket client `wsLink` sends on, when calls go over a WebSocket. A socket is
   * authenticated once, when it connects (see `wsConnectionParams`), so the link closes it
   * whenever the tokens change (its own refresh; with `createTokenStore`, also a logout or
   * another login by the app) and holds calls until it has closed: the next call connects
   * with the new token, and nothing is sent as the previous user. Subscriptions open on it
   * complete; subscribe again. Without it over `wsLink`, the first refresh is the last: calls
   * refused as expired with the refreshed token fail with a message naming this option.
   */
  readonly webSocket?: { close(): Promise<void> } | undefined;
}

/**
 * A link that keeps calls working across auth-token expiry, and never across users.
 *
 * - A query or mutation that fails with a 401 `TOKEN_EXPIRED` triggers one refresh (shared by
 *   every call that fails meanwhile); each such call is then sent once more with the new token.
 *   A subscription the server ends when its token expires is refreshed the same way and
 *   subscribed again (from its input: a `tracked()` position is not carried over); once it
 *   receives data again, its next expiry is handled likewise.
 *   A 500 that merely carries that code is passed through, never sent again.
 * - The refresh is refused: the store is cleared, `onLogout` runs once, and the calls fail with
 *   their error, which `jwtErrorAction` now reports as `"login"`. The server could not check the
 *   refresh token (503): the session is kept and the calls fail as `"retry-later"`.
 * - The store changed while the refresh ran (the app logged out, or another user logged in):
 *   the refresh result is dropped, and the waiting calls fail (`"login"`) instead of being sent
 *   with someone else's token. A call is only sent again with a token of the same user.
 * - A 401 `TOKEN_REVOKED` or `TOKEN_REUSED` ends the session (store cleared, `onLogout` once).
 *   `TOKEN_NOT_FRESH` does not: the session still works for everything else, so the app decides
 *   (`jwtErrorAction` says `"login"`: a fresh login replaces the tokens).
 *
 * Every other error passes through untouched. It uses no timers; unsubscribing or aborting the
 * call's signal cancels its retry.
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
  objectOf(options, "options", { names: OPTION_NAMES, kind: "a refreshLink option" });
  const store = tokenStoreOf(options.store);
  const exchange = refreshCallOf(options.refresh);
  const onLogout = functionOf(options.onLogout, "onLogout");
  const shouldRefresh = functionOf(options.shouldRefresh, "shouldRefresh") ?? ((error: unknown) => jwtErrorCode(error) === "TOKEN_EXPIRED");
  const webSocket = options.webSocket;
  if (webSocket !== undefined && typeof webSocket?.close !== "function")
    throw new JwtConfigError("webSocket", "must be the WebSocket client wsLink sends on (createWSClient), which has close()");
  // The link's own last refresh: a call sent with `from` may be sent again with `to`.
  let lastRefresh: { readonly from: string | undefined; readonly to: string } | undefined;
  // A token the link stored that the transport was seen not to send (see insteadOfRefresh).
  let notSent: string | undefined;
  let closing: Promise<void> | undefined;

  function closeSocket(): void {
    if (webSocket === undefined) return;
    const closed: Promise<void> = webSocket
      .close()
      .catch(() => undefined)
      .finally(() => {
        if (closing === closed) closing = undefined;
      });
    closing = closed;
  }
  // With a store that reports changes, every change closes the socket; else only the link's own.
  const watched = webSocket !== undefined && typeof store.subscribe === "function";
  if (watched) store.subscribe?.(closeSocket);

  return refreshCoordinator<TRouter>({
    current: () => store.getAuthToken(),
    async refresh(seen) {
      const refreshToken = store.getRefreshToken();
      const changed = () => store.getAuthToken() !== seen || store.getRefreshToken() !== refreshToken;
      let tokens: Tokens & { readonly authToken: string };
      try {
        if (refreshToken === undefined) throw new Error("no refresh token");
        tokens = await exchange(refreshToken);
        if (typeof tokens?.authToken !== "string" || tokens.authToken === "") throw new Error("no auth token");
      } catch (error) {
        if (changed()) return; // that session is no longer the store's to end
        throw error;
      }
      // Writing this pair now would bring back the session the app just ended or replaced.
      if (changed()) return;
      store.setTokens(tokens);
      lastRefresh = { from: seen, to: tokens.authToken };
      if (!watched) closeSocket();
    },
    endSession() {
      try {
        store.clear();
      } finally {
        if (!watched) closeSocket();
        onLogout?.();
      }
    },
    shouldRefresh,
    // Only with a token of the same user: the link's own refresh of the token the call was sent
    // with, or a token of the same `iss` and `sub` someone else stored (another tab refreshed).
    mayResend(sent, now) {
      const ours = lastRefresh !== undefined && lastRefresh.from === sent && lastRefresh.to === now;
      return ours || (now !== undefined && now !== sent && sameSubject(sent, now));
    },
    // The server ends a subscription when its token expires; with a fresh token it carries on.
    subscriptions: "resubscribe",
    // A socket bound to a replaced token is closing: nothing may go out on it.
    hold: () => closing,
    // The retry right after the link's refresh, with the token it just stored, refused as
    // expired: the transport still sends the old token (a wsLink socket, bound when it
    // connected, without the webSocket option). Refreshing again cannot help, so later calls
    // with that token fail the same way instead of refreshing each time. Only this evidence
    // counts: once the stored token expires in its turn, a call with it is refreshed as usual.
    insteadOfRefresh(error, sent, isRetry) {
      const stale = webSocket === undefined && sent !== undefined && (sent === notSent || (isRetry && sent === lastRefresh?.to));
      if (!stale) return undefined;
      notSent = sent;
      return staleTransportError(error);
    },
  });
}

const OPTION_NAMES = optionNames<RefreshLinkOptions>({ store: true, refresh: true, onLogout: true, shouldRefresh: true, webSocket: true });
const STORE_METHODS = ["getAuthToken", "getRefreshToken", "setTokens", "clear"] as const;

// A token store: its four methods, and `subscribe` a function when there is one.
function tokenStoreOf(store: TokenStore): TokenStore {
  if (typeof store !== "object" || store === null || STORE_METHODS.some((name) => typeof store[name] !== "function")) {
    throw new JwtConfigError("store", "must be a token store with getAuthToken, getRefreshToken, setTokens and clear (createTokenStore() makes one)");
  }
  functionOf(store.subscribe, "store.subscribe");
  return store;
}

const STALE_TRANSPORT =
  "trpc-jwt: refreshLink refreshed the token, but the call still went out with the old one. Over wsLink, a socket keeps the token it connected with: pass the WebSocket client as refreshLink({ webSocket }). Over HTTP, the headers must read the token store.";

// The refusal, with its code and data kept, under a message that names the missing option.
// Without jwtErrorFormatter the code was known only from the original message: it goes into
// `data.jwtCode`, so `jwtErrorCode` reads the same code from this error as from the original.
// Made by the error's own class: the client entry imports nothing of @trpc/client at run time.
function staleTransportError<TRouter extends AnyTRPCRouter>(error: TRPCClientError<TRouter>): TRPCClientError<TRouter> {
  const ClientError = error.constructor as typeof TRPCClientError<TRouter>;
  const code = jwtErrorCode(error);
  const shape = error.shape == null ? undefined : { ...error.shape, data: { ...error.shape.data, ...(code === undefined ? {} : { jwtCode: code }) } };
  const stale = new ClientError(STALE_TRANSPORT, {
    cause: error,
    ...(shape === undefined ? {} : { result: { error: shape } }),
    ...(error.meta === undefined ? {} : { meta: error.meta }),
  });
  return settleError(stale, "login");
}
