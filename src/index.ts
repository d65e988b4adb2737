// The whole public surface of the server entry, in one screen.
export { AuthManager, type AnyAuthManager, type AuthTokenOf } from "./AuthManager.js";
export type { AuthManagerOptions, JwkObject, KeyInput, KeyObjectLike, PreviousKey } from "./config/options.js";
export { AUTH_TYPES, type AuthType } from "./jws/algorithms.js";
export type { Env } from "./config/optionsFromEnv.js";
export type { JwkSet, PublicJwk } from "./keys/JwkSet.js";
export { JWT_ERRORS, JWT_ERROR_CODES, JwtConfigError, JwtError, type JwtErrorCode, type JwtErrorInfo } from "./errors.js";
export { RemoteIssuer } from "./issuers/RemoteIssuer.js";
export type { DiscoveryOptions, RemoteAlgorithm, RemoteIssuerOptions, RemoteIssuerSettings, RemoteJwkSet } from "./issuers/remoteIssuerOptions.js";
export type { IssuedToken, JwtIssuer } from "./issuers/JwtIssuer.js";
export { checkRules } from "./policy/checkRules.js";
export { compileRules, type AllowRule, type CompiledRules, type RequireTokenRules } from "./policy/compileRules.js";
export { findRuleFailure, type RuleFailure } from "./policy/findRuleFailure.js";
export type { InputPath } from "./policy/InputPath.js";
export { matchClaims, matchValue } from "./policy/matchClaims.js";
export { matchInput, type InputBinding } from "./policy/matchInput.js";
export { matchScope, type ScopeRequirement } from "./policy/matchScope.js";
export { memoryStore, type MemoryStoreOptions } from "./stores/memoryStore.js";
export type { SessionClaims, SessionUpdate, TokenPair } from "./sessions/Sessions.js";
export type { RevocationEvent, RevocationListener, RevocationState, SessionData, StoredSession, TokenRef, TokenStore } from "./stores/TokenStore.js";
export type { JsonObject, JsonPrimitive, JsonValue } from "./tokens/json.js";
export { JwtToken, type TokenClaims, type TokenType } from "./tokens/JwtToken.js";
export { RESERVED_CLAIMS } from "./tokens/reservedClaims.js";
export type {
  ClaimsArgument,
  ClaimsSchema,
  RegisteredClaims,
  SchemaOptions,
  ScopeArgument,
  ScopeSchema,
  TypedClaims,
  TypedScope,
} from "./tokens/claimSchemas.js";
export type { JwtCookieNames, JwtCookieOptions } from "./trpc/cookies/cookieSettings.js";
export type { CookieTokens } from "./trpc/cookies/sessionCookies.js";
export { createJwtContext, type JwtContext, type JwtContextConfig } from "./trpc/createJwtContext.js";
export type { RefusalEvent } from "./trpc/RefusalEvent.js";
export { createJwtProcedures, type ContextFromCreateJwtContext } from "./trpc/createJwtProcedures.js";
export { jwtErrorFormatter } from "./trpc/jwtErrorFormatter.js";
export { JwtRequest, type TokenRequirement } from "./trpc/JwtRequest.js";
export type { JwtContextOptions, NodeRequestLike, ServerCallOptions } from "./trpc/readCredential.js";
export type { OptionalToken, OptionalTokenContext, RequireToken, TokenContext, TokenOfContext } from "./trpc/requireToken.js";
export type { InputNeedsInputFirst, NoInputFitsClaim, RulesFor } from "./policy/TypedRules.js";
export { unguardedProcedures, unpinnedProcedures } from "./trpc/unguardedProcedures.js";
