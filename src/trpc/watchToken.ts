import type { TRPCError } from "@trpc/server";
import type { JwtError } from "../errors.js";
import type { TokenSource } from "../issuers/tokenSourceOf.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import type { TokenWatch } from "./endWithToken.js";
import { findStepUpFailure, type StepUpRules } from "../policy/findStepUpFailure.js";
import { asRefusal, refused } from "../refusals/refused.js";
import { stepUpRefusal } from "../refusals/stepUpRefusal.js";
import { expiryOf, freshnessOf, watchDeadline } from "./watchExpiry.js";

/**
 * What one guard watches of a subscription's token: with `maxAuthAge`, the login must stay that
 * recent (`acr`/`amr` tell which code ends it, as the guard would refuse). Module-internal.
 */
export interface WatchedParts extends StepUpRules {
  /** Its expiry and, with a token store, its revocation (once per call: see `callWatches`). */
  readonly lifetime: boolean;
}

/**
 * The watch of a subscription's token: it ends the subscription when the token expires, or,
 * with a token store, when it is revoked, or, with `maxAuthAge`, when its login grows too old;
 * whichever comes first, once, and then nothing stays armed. Module-internal.
 *
 * @example
 * ```ts
 * const data = endWithToken(result.data, watchToken(source, token, refuse, { lifetime: true, maxAuthAge: undefined }));
 * ```
 */
export function watchToken(source: TokenSource, token: JwtToken, refuse: (error: unknown) => TRPCError, parts: WatchedParts): TokenWatch {
  return (end) => {
    let ended = false;
    const stops: (() => void)[] = [];
    const stopAll = () => {
      for (const stop of stops.splice(0)) stop();
    };
    const endOnce = (error: TRPCError) => {
      if (ended) return;
      ended = true;
      stopAll();
      end(error);
    };
    if (parts.lifetime) {
      stops.push(watchDeadline(expiryOf(source, token), () => endOnce(refuse(refused("TOKEN_EXPIRED", "expired")))));
      if (source.watchRevocation !== undefined) stops.push(source.watchRevocation(token, (error) => endOnce(refuse(asRefusal(error)))));
    }
    const { maxAuthAge } = parts;
    if (maxAuthAge !== undefined) stops.push(watchDeadline(freshnessOf(source, token, maxAuthAge), () => endOnce(refuse(staleLogin(parts, token, source)))));
    if (ended) stopAll(); // past a deadline already: the watches armed after that go at once
    return stopAll;
  };
}

// The guard's own refusal of a login grown too old: TOKEN_NOT_FRESH, or STEP_UP_REQUIRED beside acr/amr.
function staleLogin(parts: WatchedParts, token: JwtToken, source: TokenSource): JwtError {
  const failure = findStepUpFailure(parts, token, Math.floor(source.now(token) / 1000));
  return failure === undefined ? refused("TOKEN_NOT_FRESH", "auth_time") : stepUpRefusal(failure.code, failure.reason, failure.challenge);
}
