import type { TRPCError } from "@trpc/server";
import type { TokenSource } from "../issuers/tokenSourceOf.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import type { TokenWatch } from "./endWithToken.js";
import { asRefusal, refused } from "../refusals/refused.js";
import { expiryOf, freshnessOf, watchDeadline } from "./watchExpiry.js";

/** What one guard watches of a subscription's token. Module-internal. */
export interface WatchedParts {
  /** Its expiry and, with a token store, its revocation (once per call: see `callWatches`). */
  readonly lifetime: boolean;
  /** The guard's `maxAuthAge`: the login must stay that recent. */
  readonly maxAuthAge: number | undefined;
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
    if (maxAuthAge !== undefined)
      stops.push(watchDeadline(freshnessOf(source, token, maxAuthAge), () => endOnce(refuse(refused("TOKEN_NOT_FRESH", "auth_time")))));
    if (ended) stopAll(); // past a deadline already: the watches armed after that go at once
    return stopAll;
  };
}
