import type { TokenStore } from "trpc-jwt";
import type { RateLimitStore } from "trpc-jwt/types";

/**
 * A store whose every call fails, as an unreachable database does: the counter of `auth.rateLimit`
 * included, so an app with a limited procedure can be built on it (its limiter then answers by its
 * `onStoreDown`, as against a real store that went down).
 */
export function failingStore(): TokenStore & RateLimitStore {
  const fail = () => Promise.reject(new Error("connection refused"));
  return {
    createSession: fail,
    updateSession: fail,
    loadSession: fail,
    consumeRotation: fail,
    consumeRefreshToken: fail,
    revokeToken: fail,
    revokeSession: fail,
    revokeSubject: fail,
    revocationState: fail,
    hitRateLimit: fail,
  };
}
