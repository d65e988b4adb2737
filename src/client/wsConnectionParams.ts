import type { TokenStore } from "./createTokenStore.js";

/**
 * `connectionParams` for tRPC's `createWSClient`: sends the current auth token under `key`
 * (default `"token"`, as `createJwtContext` reads it) each time the socket connects, or no
 * params without a token. A WebSocket is authenticated once, when it connects: pass the same
 * client to `refreshLink({ webSocket })` so it reconnects when the token changes.
 *
 * @example
 * ```ts
 * const wsClient = createWSClient({ url: "ws://localhost:3000", connectionParams: wsConnectionParams(store) });
 * ```
 */
export function wsConnectionParams(store: Pick<TokenStore, "getAuthToken">, key = "token"): () => Record<string, string> | null {
  return () => {
    const token = store.getAuthToken();
    return token === undefined ? null : { [key]: token };
  };
}
