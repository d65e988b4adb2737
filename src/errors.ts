/**
 * Every failure trpc-jwt reports about an untrusted token, and how it maps onto tRPC.
 * This module is pure data plus two error classes: the client entry imports it too, so it must
 * never import server or signing code.
 */

/** What each code means on the wire: the tRPC error code, its HTTP status and the fixed message. */
export interface JwtErrorInfo {
  readonly trpcCode: "UNAUTHORIZED" | "FORBIDDEN" | "TOO_MANY_REQUESTS" | "SERVICE_UNAVAILABLE";
  readonly httpStatus: 401 | 403 | 429 | 503;
  readonly message: string;
}

/**
 * The code table. Messages are fixed strings: they never contain the token, a claim value, a key
 * or a library's own error text, so they are safe to show and to log.
 *
 * @example
 * ```ts
 * JWT_ERRORS.TOKEN_EXPIRED.httpStatus; // 401
 * ```
 */
export const JWT_ERRORS = {
  TOKEN_MISSING: { trpcCode: "UNAUTHORIZED", httpStatus: 401, message: "Authentication token is missing" },
  TOKEN_INVALID: { trpcCode: "UNAUTHORIZED", httpStatus: 401, message: "Authentication token is invalid" },
  TOKEN_EXPIRED: { trpcCode: "UNAUTHORIZED", httpStatus: 401, message: "Authentication token has expired" },
  TOKEN_WRONG_TYPE: { trpcCode: "UNAUTHORIZED", httpStatus: 401, message: "Token is of the wrong type" },
  CLAIMS_MISMATCH: { trpcCode: "FORBIDDEN", httpStatus: 403, message: "Token lacks the required claims" },
  SCOPE_MISMATCH: { trpcCode: "FORBIDDEN", httpStatus: 403, message: "Token lacks the required scope" },
  TOKEN_REVOKED: { trpcCode: "UNAUTHORIZED", httpStatus: 401, message: "Authentication token has been revoked" },
  TOKEN_REUSED: { trpcCode: "UNAUTHORIZED", httpStatus: 401, message: "Refresh token has already been used" },
  TOKEN_NOT_FRESH: { trpcCode: "UNAUTHORIZED", httpStatus: 401, message: "A more recent login is required" },
  // RFC 9470: the token is fine, but this procedure needs a stronger (acr, amr) or more recent login.
  STEP_UP_REQUIRED: { trpcCode: "UNAUTHORIZED", httpStatus: 401, message: "A stronger or more recent login is required" },
  CSRF_MISMATCH: { trpcCode: "FORBIDDEN", httpStatus: 403, message: "CSRF token is missing or does not match" },
  // 503, never 401: the token may be fine, and a 401 would make the client log its user out.
  // 429, never 401: the credentials are fine; the client waits `retryAfter` seconds (auth.rateLimit).
  RATE_LIMITED: { trpcCode: "TOO_MANY_REQUESTS", httpStatus: 429, message: "Too many requests" },
  STORE_UNAVAILABLE: { trpcCode: "SERVICE_UNAVAILABLE", httpStatus: 503, message: "Token store is unavailable" },
  KEYS_UNAVAILABLE: { trpcCode: "SERVICE_UNAVAILABLE", httpStatus: 503, message: "Signing keys are unavailable" },
} as const satisfies Record<string, JwtErrorInfo>;

/** The closed set of machine-readable codes a client can act on: the keys of the code table. */
export type JwtErrorCode = keyof typeof JWT_ERRORS;

/**
 * All codes, in table order.
 *
 * @example
 * ```ts
 * JWT_ERROR_CODES.includes("TOKEN_EXPIRED"); // true
 * ```
 */
export const JWT_ERROR_CODES = Object.freeze(Object.keys(JWT_ERRORS) as JwtErrorCode[]);

/**
 * A token was refused. Thrown by `AuthManager.verifyToken` and carried as the `cause` of the
 * `TRPCError` that guarded procedures throw. Its message is the fixed message of its code.
 *
 * @example
 * ```ts
 * try { await auth.verifyToken(raw, "auth"); }
 * catch (e) { if (e instanceof JwtError && e.code === "TOKEN_EXPIRED") refresh(); }
 * ```
 */
export class JwtError extends Error {
  override readonly name = "JwtError";
  readonly code: JwtErrorCode;

  constructor(code: JwtErrorCode) {
    super(JWT_ERRORS[code].message);
    this.code = code;
  }
}

/**
 * Misuse of the API: bad `AuthManager` options, bad `requireToken` rules, a reserved claim in
 * `authToken`. Thrown at construction (or at the call that was misused), never per request. The
 * message names the option and never contains a secret.
 *
 * @example
 * ```ts
 * new AuthManager({ issuer: "", authType: "HS256", secret }); // JwtConfigError: issuer: must be a non-empty string
 * ```
 */
export class JwtConfigError extends TypeError {
  override readonly name = "JwtConfigError";
  /** The option (or argument) that is wrong, e.g. `"secret"` or `"requireToken.scope"`. */
  readonly option: string;
  /** What is wrong with it, without the option's name. */
  readonly problem: string;

  constructor(option: string, problem: string) {
    super(`${option}: ${problem}`);
    this.option = option;
    this.problem = problem;
  }
}

// Refusals of the caller's own credentials, as opposed to a JwtError from the app's own
// verifyToken of some other token (an invite link, say), which must stay the app's error.
const REFUSALS = new WeakSet<JwtError>();

/**
 * A `JwtError` that refuses the caller's own credentials: made by a guard, or by a session method
 * (`rotate`) acting on the token the caller presented. Only these become the caller's
 * 401/403/503 and carry `data.jwtCode`. Module-internal (not exported from the package).
 */
export function refusal(code: JwtErrorCode): JwtError {
  const error = new JwtError(code);
  REFUSALS.add(error);
  return error;
}

/** Whether `error` was made by {@link refusal}. Module-internal. */
export function isRefusal(error: unknown): error is JwtError {
  return error instanceof JwtError && REFUSALS.has(error);
}
