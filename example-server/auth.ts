import { randomBytes } from "node:crypto";
import { AuthManager, memoryStore, type TokenStore } from "trpc-jwt";
import type { Env } from "trpc-jwt/types";

/**
 * The demo's AuthManager: Flask_PyJWT's JWT_* variables when set, else zero-configuration
 * defaults with a freshly generated development secret and a 2-second auth lifetime, so that
 * the demo client can watch its token expire and be refreshed. Sessions (login, single-use
 * refresh tokens, logout) live in `store`.
 */
export function createAuth(env: Env = process.env, log: (line: string) => void = console.log, store: TokenStore = memoryStore()): AuthManager {
  let secret = env["JWT_SECRET"];
  if (secret === undefined || secret === "") {
    secret = randomBytes(32).toString("base64url");
    log("No JWT_SECRET set: using a random development secret (tokens die with this process).");
  }
  return AuthManager.fromEnv(
    {
      JWT_ISSUER: "trpc-jwt-example",
      JWT_AUTHTYPE: "HS256",
      JWT_AUTHMAXAGE: "2",
      JWT_REFRESHMAXAGE: "3600",
      ...env,
      JWT_SECRET: secret,
    },
    { store },
  );
}
