import type { TRPCError } from "@trpc/server";
import type { TokenSource } from "../issuers/tokenSourceOf.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import type { TokenWatch } from "./endWithToken.js";
import { asRefusal, refused } from "../refusals/refused.js";
import { watchExpiry } from "./watchExpiry.js";

/**
 * The watch of a subscription's token: it ends the subscription when the token expires, or,
 * with a token store, when it is revoked; whichever comes first, once, and then nothing stays
 * armed. Module-internal.
 *
 * @example
 * ```ts
 * const data = endWithToken(result.data, watchToken(source, token, refuse));
 * ```
 */
export function watchToken(source: TokenSource, token: JwtToken, refuse: (error: unknown) => TRPCError): TokenWatch {
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
    stops.push(watchExpiry(source, token, () => endOnce(refuse(refused("TOKEN_EXPIRED", "expired")))));
    if (source.watchRevocation !== undefined) stops.push(source.watchRevocation(token, (error) => endOnce(refuse(asRefusal(error)))));
    if (ended) stopAll(); // expired already: the watches armed after that go at once
    return stopAll;
  };
}
