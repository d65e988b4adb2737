import { JwtConfigError } from "../errors.js";
import type { TokenStore } from "./TokenStore.js";

// The methods every TokenStore has (`subscribe` is optional).
const STORE_METHODS = [
  "createSession",
  "updateSession",
  "loadSession",
  "consumeRotation",
  "consumeRefreshToken",
  "revokeToken",
  "revokeSession",
  "revokeSubject",
  "revocationState",
] as const;

/**
 * A `store` option (`AuthManager`, `RemoteIssuer`): `undefined` when unset, else an object with
 * every `TokenStore` method, or `JwtConfigError("store")`.
 *
 * @example
 * ```ts
 * const store = tokenStoreOf(options.store);
 * ```
 */
export function tokenStoreOf(store: unknown): TokenStore | undefined {
  if (store === undefined) return undefined;
  if (typeof store !== "object" || store === null || STORE_METHODS.some((name) => typeof (store as Record<string, unknown>)[name] !== "function")) {
    throw new JwtConfigError("store", "must be a TokenStore (memoryStore() or redisStore(client))");
  }
  return store as TokenStore;
}
