// The "trpc-jwt/client" entry: browser-safe, no server or signing code.
export { bearerHeaders } from "./client/bearerHeaders.js";
export { cookieRefreshLink, type CookieRefreshLinkOptions } from "./client/cookieRefreshLink.js";
export { csrfHeader } from "./client/csrfHeader.js";
export { createTokenStore, type TokenStorage, type Tokens, type TokenStore, type TokenStoreOptions } from "./client/createTokenStore.js";
export { JWT_ERROR_ACTIONS, jwtErrorAction, type JwtErrorAction } from "./client/jwtErrorAction.js";
export { jwtErrorCode } from "./client/jwtErrorCode.js";
export { refreshLink, type RefreshLinkOptions } from "./client/refreshLink.js";
export { stepUpLink, type StepUpLinkOptions } from "./client/stepUpLink.js";
export { wsConnectionParams } from "./client/wsConnectionParams.js";
// JwtConfigError: what the links throw when made with a bad option; the same class as
// the server entry's (one errors module), so `instanceof` holds whichever entry it came from.
export { JwtConfigError, JWT_ERRORS, JWT_ERROR_CODES, type JwtErrorCode, type JwtErrorInfo } from "./errors.js";
