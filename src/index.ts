// The server entry: what an app writes against, in one screen. The types needed only to name an
// inferred type (or to write a store adapter) are in "trpc-jwt/types"; the matching helpers for
// an app's own checks in "trpc-jwt/policy". docs/api.md lists every export (test/apiDocs.test.ts).
export { AuthManager } from "./AuthManager.js";
export type { AuthManagerOptions } from "./config/options.js";
export type { KeyInput, PreviousKey } from "./keys/KeyInput.js";
export { AUTH_TYPES, type AuthType } from "./jws/algorithms.js";
export type { JwkSet } from "./keys/JwkSet.js";
export { JWT_ERRORS, JWT_ERROR_CODES, JwtConfigError, JwtError, type JwtErrorCode } from "./errors.js";
export { RemoteIssuer } from "./issuers/RemoteIssuer.js";
export type { RemoteIssuerOptions } from "./issuers/remoteIssuerOptions.js";
export type { RequireTokenRules } from "./policy/compileRules.js";
export { memoryStore } from "./stores/memoryStore.js";
export type { TokenPair } from "./sessions/Sessions.js";
export type { TokenStore } from "./stores/TokenStore.js";
export type { JsonObject, JsonValue } from "./tokens/json.js";
export { JwtToken, type TokenClaims, type TokenType } from "./tokens/JwtToken.js";
export { RESERVED_CLAIMS } from "./tokens/reservedClaims.js";
export { createJwtContext, type JwtContext, type JwtContextConfig } from "./trpc/createJwtContext.js";
export { createJwtProcedures } from "./trpc/createJwtProcedures.js";
export { jwtErrorFormatter } from "./trpc/jwtErrorFormatter.js";
export type { JwtRequest } from "./trpc/JwtRequest.js";
export type { JwtContextOptions } from "./trpc/readCredential.js";
export type { RefusalEvent } from "./trpc/RefusalEvent.js";
export { unguardedProcedures, unpinnedProcedures } from "./trpc/unguardedProcedures.js";
// Loads the types entry with this one, so that a user's declaration emit can name the types it
// holds ("trpc-jwt/types") instead of failing with "the inferred type cannot be named".
export type {} from "./types.js";
