import { JWT_ERROR_CODES, JWT_ERRORS, type JwtErrorCode } from "../errors.js";

const CODE_BY_MESSAGE = new Map<string, JwtErrorCode>(JWT_ERROR_CODES.map((code) => [JWT_ERRORS[code].message, code]));

const isCode = (value: unknown): value is JwtErrorCode => typeof value === "string" && (JWT_ERROR_CODES as readonly string[]).includes(value);

/**
 * The trpc-jwt code of an error, or `undefined` when the error is not a token refusal.
 *
 * - A client error (`TRPCClientError`, over HTTP or WebSocket): reads `data.jwtCode` (set by
 *   `jwtErrorFormatter`); without the formatter, it recognises the fixed messages exactly.
 * - A server-side `TRPCError` (from `createCaller`, e.g. in a React Server Component): reads the
 *   `JwtError` that is its `cause`.
 *
 * Either way the code counts only when the error's tRPC code (and HTTP status, when present)
 * is the one the code table gives it: a 500 that merely carries a `JwtError` (the app's own
 * `verifyToken` of some other token failed) is not a refusal of the caller's token.
 *
 * @example
 * ```ts
 * try { await client.admin.query(); }
 * catch (e) { if (jwtErrorCode(e) === "SCOPE_MISMATCH") console.warn("not an admin"); }
 * ```
 */
export function jwtErrorCode(error: unknown): JwtErrorCode | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { data, message, name, code: trpcCode, cause } = error as Record<string, unknown>;
  if (name === "TRPCError") {
    // Structural, not `instanceof`: bundlers may load the server and client entries as two copies.
    const jwt = cause as { name?: unknown; code?: unknown } | null | undefined;
    if (jwt?.name !== "JwtError" || !isCode(jwt.code)) return undefined;
    return trpcCode === JWT_ERRORS[jwt.code].trpcCode ? jwt.code : undefined;
  }
  if (typeof data !== "object" || data === null) return undefined;
  const { jwtCode, code: dataCode, httpStatus } = data as Record<string, unknown>;
  const code = isCode(jwtCode) ? jwtCode : typeof message === "string" ? CODE_BY_MESSAGE.get(message) : undefined;
  if (code === undefined) return undefined;
  const info = JWT_ERRORS[code];
  if (dataCode !== info.trpcCode) return undefined;
  return httpStatus === undefined || httpStatus === info.httpStatus ? code : undefined;
}
