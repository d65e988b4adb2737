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
export { JWT_ERRORS, JWT_ERROR_CODES, type JwtErrorCode, type JwtErrorInfo } from "./errors.js";
