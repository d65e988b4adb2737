import { JWT_ERROR_CODES, JWT_ERRORS, type JwtErrorCode } from "../errors.js";

const CODE_BY_MESSAGE = new Map<string, JwtErrorCode>(JWT_ERROR_CODES.map((code) => [JWT_ERRORS[code].message, code]));

/**
 * The trpc-jwt code of a client error, or `undefined` when the error is not a token refusal.
 * Reads `data.jwtCode` (set by `jwtErrorFormatter`); without the formatter, it recognises the
 * fixed messages exactly, together with the matching tRPC code.
 *
 * @example
 * ```ts
 * try { await client.admin.query(); }
 * catch (e) { if (jwtErrorCode(e) === "SCOPE_MISMATCH") showForbidden(); }
 * ```
 */
export function jwtErrorCode(error: unknown): JwtErrorCode | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { data, message } = error as { data?: { jwtCode?: unknown; code?: unknown } | null; message?: unknown };
  const declared = data?.jwtCode;
  if (typeof declared === "string" && (JWT_ERROR_CODES as readonly string[]).includes(declared)) return declared as JwtErrorCode;
  const code = typeof message === "string" ? CODE_BY_MESSAGE.get(message) : undefined;
  return code !== undefined && data?.code === JWT_ERRORS[code].trpcCode ? code : undefined;
}
