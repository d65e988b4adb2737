import { JWT_ERRORS, type JwtErrorCode } from "../errors.js";
import { quietly } from "./callHook.js";
import { instruments } from "./instruments.js";
import { openTelemetry } from "./openTelemetry.js";

// SpanStatusCode.ERROR of @opentelemetry/api (a stable number of the API).
const STATUS_ERROR = 2;
// Refusals told already (each a TRPCError of its own; a JwtError may be shared by many).
const TOLD = new WeakSet<object>();

/**
 * What a guard tells OpenTelemetry, when `@opentelemetry/api` is installed: the caller's
 * identity on the active span when a token passes, an event and a count when a call is refused.
 * Without the API each is one check of a variable. Nothing here can throw into a guard (see
 * `quietly`).
 *
 * @example
 * ```ts
 * guardTelemetry.passed(token.sub, token.tokenType);
 * guardTelemetry.refused("TOKEN_EXPIRED", "expired", trpcError);
 * ```
 */
export const guardTelemetry = {
  /**
   * `enduser.id` (the token's `sub`; `undefined` when the app turned it off with
   * `telemetry: { subject: false }`) and `trpc_jwt.token_type` (what the caller presented:
   * `auth`, `refresh` or `apikey`) on the active span.
   */
  passed(sub: string | undefined, tokenType: string): void {
    const api = openTelemetry();
    if (api === undefined) return;
    quietly(() => {
      const span = api.trace.getActiveSpan();
      if (span === undefined) return;
      if (sub !== undefined) span.setAttribute("enduser.id", sub);
      span.setAttribute("trpc_jwt.token_type", tokenType);
    });
  },

  /**
   * A `trpc_jwt.refused` event with the code and the fixed reason (those of `onRefused`) on the
   * active span, and `trpc_jwt.refusals` counted by code, once per `refusal` (the `TRPCError` the
   * caller gets): a session method's refusal is told where it is made, and not again by the guard
   * it passes on its way out. A 401 or 403 is the caller's failure, not the server's: the span's
   * status is left alone. A 503 (a store or key outage) sets it to error, with the code as its
   * message.
   */
  refused(code: JwtErrorCode, reason: string, refusal: object): void {
    const api = openTelemetry();
    if (api === undefined || TOLD.has(refusal)) return;
    TOLD.add(refusal);
    quietly(() => {
      instruments()?.refusals.add(1, { code });
      const span = api.trace.getActiveSpan();
      if (span === undefined) return;
      span.addEvent("trpc_jwt.refused", { code, reason });
      if (JWT_ERRORS[code].httpStatus >= 500) span.setStatus({ code: STATUS_ERROR, message: code });
    });
  },
};
