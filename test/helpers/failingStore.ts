import type { TokenStore } from "trpc-jwt";

/** A store whose every call fails, as an unreachable database does. */
export function failingStore(): TokenStore {
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
  };
}
