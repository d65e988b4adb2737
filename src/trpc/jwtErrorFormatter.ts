import type { TRPCError } from "@trpc/server";
import { isRefusal, type JwtErrorCode } from "../errors.js";
import { retryAfterOf } from "../refusals/rateLimitRefusal.js";
import { challengeOf } from "../refusals/stepUpRefusal.js";
import type { StepUpChallenge } from "../wire/StepUpChallenge.js";

/**
 * An `errorFormatter` that adds `data.jwtCode` to errors that refuse the caller's credentials
 * (made by the guards, or by `auth.rotate` inside a guarded procedure), so clients read the code
 * directly (`jwtErrorCode(error)` on the client also works without it). A step-up refusal
 * (`STEP_UP_REQUIRED`, `TOKEN_NOT_FRESH`) also gets its challenge, `acrValues`, `amrValues` and
 * `maxAge`, as the guard's rules give them (`stepUpLink` hands them to your `stepUp`); a throttled
 * call (`RATE_LIMITED`, `auth.rateLimit`) gets `retryAfter`, the seconds to wait. A `JwtError`
 * the app raises itself, say from `auth.verifyToken` of an invite link, is the app's error: no `jwtCode`.
 *
 * @example
 * ```ts
 * const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
 * // composing with your own:
 * errorFormatter: (opts) => ({ ...jwtErrorFormatter(opts), extra: 1 }),
 * ```
 */
export function jwtErrorFormatter<TShape extends { data: object }>(opts: {
  shape: TShape;
  error: TRPCError;
}): TShape & { data: { jwtCode?: JwtErrorCode; retryAfter?: number } & StepUpChallenge } {
  const { shape, error } = opts;
  if (!isRefusal(error.cause)) return shape;
  return { ...shape, data: { ...shape.data, jwtCode: error.cause.code, ...challengeOf(error.cause), ...retryAfterOf(error.cause) } };
}
