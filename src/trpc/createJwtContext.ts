import type { AuthManager } from "../AuthManager.js";
import { JwtConfigError } from "../errors.js";
import { JwtRequest } from "./JwtRequest.js";
import type { JwtContextOptions } from "./readCredential.js";

/** The context `createJwtContext` builds; guarded procedures add `token` to it. */
export interface JwtContext {
  /** The caller's credentials, verified on demand. */
  readonly jwt: JwtRequest;
}

/** Options for {@link createJwtContext}. */
export interface JwtContextConfig {
  /** On WebSocket connections, the `connectionParams` key that holds the auth token. Default `"token"`. */
  readonly connectionParam?: string | undefined;
}

/**
 * Makes a tRPC `createContext` for the fetch, standalone/Node `http`, Express and WebSocket
 * adapters. It reads nothing up front; tokens are verified when a guarded procedure runs.
 *
 * @example
 * ```ts
 * export const createContext = createJwtContext(auth);
 * const t = initTRPC.context<typeof createContext>().create();
 * // extend it with your own context:
 * const createAppContext = (opts: CreateHTTPContextOptions) => ({ ...createContext(opts), db });
 * ```
 */
export function createJwtContext(auth: AuthManager, config: JwtContextConfig = {}): (opts: JwtContextOptions) => JwtContext {
  const { connectionParam = "token" } = config;
  if (typeof connectionParam !== "string" || connectionParam === "") {
    throw new JwtConfigError("connectionParam", "must be a non-empty string");
  }
  return (opts) => ({ jwt: new JwtRequest(auth, opts, connectionParam) });
}
