import { TRPCError } from "@trpc/server";
import { JWT_ERRORS, JwtError } from "../errors.js";

/**
 * The `TRPCError` for a refused token: `UNAUTHORIZED` or `FORBIDDEN` with the code's fixed
 * message, and the `JwtError` (code and fixed message only) as `cause`. Anything that is not a
 * `JwtError` becomes `TOKEN_INVALID`: whatever went wrong, the request fails closed.
 */
export function toTRPCError(error: unknown): TRPCError {
  const cause = error instanceof JwtError ? error : new JwtError("TOKEN_INVALID");
  const info = JWT_ERRORS[cause.code];
  return new TRPCError({ code: info.trpcCode, message: info.message, cause });
}
