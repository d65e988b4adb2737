// The "trpc-jwt/types" entry: types only, no code. What an app needs only to name a type the
// compiler infers (what createJwtProcedures and createJwtContext return, typed tokens), the parts
// of the option types, and the records a TokenStore adapter reads and writes. The server entry
// loads this one, so declaration emit in an app names these from here.
export type { AnyAuthManager, AuthTokenOf } from "./AuthManager.js";
export type { ApiKeyInfo, ApiKeyOptions, ApiKeys, CreatedApiKey } from "./apiKeys/ApiKeys.js";
export type { ApiKeyRecord, ApiKeyStore } from "./stores/ApiKeyStore.js";
export type { JwkObject, KeyObjectLike } from "./keys/KeyInput.js";
export type { Env } from "./config/optionsFromEnv.js";
export type { JwtErrorInfo } from "./errors.js";
export type { DiscoveryOptions, RemoteAlgorithm, RemoteIssuerSettings, RemoteJwkSet } from "./issuers/remoteIssuerOptions.js";
export type { IssuedToken, JwtIssuer } from "./issuers/JwtIssuer.js";
export type { BackchannelLogoutHandler, NodeLogoutRequest, NodeLogoutResponse } from "./issuers/backchannelLogout.js";
export type { BackchannelLogoutOptions } from "./issuers/RemoteIssuer.js";
export type { PublicJwk } from "./keys/JwkSet.js";
export type { AllowRule } from "./policy/compileRules.js";
export type { InputPath } from "./policy/InputPath.js";
export type { InputNeedsInputFirst, NoInputFitsClaim, RulesFor } from "./policy/TypedRules.js";
export type { SessionClaims, SessionUpdate } from "./sessions/Sessions.js";
export type { LoginOptions } from "./sessions/loginOptions.js";
export type { StepUpChallenge } from "./wire/StepUpChallenge.js";
export type { SessionInfo } from "./sessions/SessionDevices.js";
export type { RateLimitKeyInput, RateLimitMiddleware, RateLimitOptions } from "./rateLimit/createRateLimit.js";
export type { RateLimitHit, RateLimitStore } from "./stores/RateLimitStore.js";
export type { KeptSession, ListedSession, SessionDevice, SessionInventory, SessionListing } from "./stores/SessionInventory.js";
export type { MemoryStoreOptions } from "./stores/memoryStore.js";
export type { RevocationEvent, RevocationListener, RevocationState, SessionData, StoredSession, TokenRef } from "./stores/TokenStore.js";
export type { ClaimsArgument, ClaimsSchema, SchemaOptions, ScopeArgument, ScopeSchema, TypedClaims, TypedScope } from "./tokens/claimSchemas.js";
export type { RegisteredClaims } from "./tokens/JwtToken.js";
export type { AuditEvent, AuditEventName } from "./telemetry/AuditEvent.js";
export type { JsonPrimitive } from "./tokens/json.js";
export type { JwtCookieNames, JwtCookieOptions } from "./trpc/cookies/cookieSettings.js";
export type { ContextFromCreateJwtContext } from "./trpc/createJwtProcedures.js";
export type { JwtTelemetryOptions } from "./trpc/createJwtContext.js";
export type { TokenRequirement } from "./trpc/JwtRequest.js";
export type { NodeRequestLike, ServerCallOptions } from "./trpc/readCredential.js";
export type { UnguardedOptions } from "./trpc/unguardedProcedures.js";
export type { OptionalToken, OptionalTokenContext, RequireToken, TokenContext, TokenOfContext } from "./trpc/requireToken.js";
