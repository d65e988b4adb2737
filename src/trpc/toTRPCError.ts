import { TRPCError } from "@trpc/server";
import { JWT_ERRORS, type JwtError } from "../errors.js";
import { asRefusal } from "./refused.js";

/**
 * The `TRPCError` for a refusal of the caller's credentials: `UNAUTHORIZED` (401), `FORBIDDEN`
 * (403) or `SERVICE_UNAVAILABLE` (503) with the code's fixed message, and the refusal (code and
 * fixed message only) as `cause`. Anything that is not a refusal becomes a `TOKEN_INVALID` one:
 * whatever went wrong, the request fails closed. Module-internal.
 *
 * @example
 * ```ts
 * throw toTRPCError(refused("SCOPE_MISMATCH", "scope")); // FORBIDDEN, "Token lacks the required scope"
 * ```
 */
export function toTRPCError(error: unknown): TRPCError {
  const cause: JwtError = asRefusal(error);
  const info = JWT_ERRORS[cause.code];
  return new TRPCError({ code: info.trpcCode, message: info.message, cause });
}
