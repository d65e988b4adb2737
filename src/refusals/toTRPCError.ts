import { TRPCError } from "@trpc/server";
import { isRefusal, JWT_ERRORS, type JwtError } from "../errors.js";
import { guardTelemetry } from "../telemetry/guardTelemetry.js";
import { asRefusal, reasonOf } from "./refused.js";

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

/**
 * What the manager's session methods (`login`, `rotate`, `revoke*`) reject with: a refusal
 * becomes its `TRPCError` (see {@link toTRPCError}), so that it reaches the client as its code
 * from any procedure, a plain `t.procedure` included, where tRPC would make a raw error a 500;
 * and it is told to OpenTelemetry (see `guardTelemetry.refused`).
 * Anything else (a `JwtConfigError`: misuse) is left as it is. Module-internal.
 *
 * @example
 * ```ts
 * return sessions.rotate(refresh).catch(rejectForCaller);
 * ```
 */
export function rejectForCaller(error: unknown): Promise<never> {
  if (!isRefusal(error)) return Promise.reject(error);
  const refusal = toTRPCError(error);
  // Told to OpenTelemetry here, where every session method's refusal passes, guarded or not: a
  // TOKEN_REUSED from a plain procedure's rotate is the signal of a stolen refresh token.
  guardTelemetry.refused(error.code, reasonOf(error), refusal);
  return Promise.reject(refusal);
}
