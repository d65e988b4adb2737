import { JwtConfigError } from "../../errors.js";
import { appendResponseHeader, type ResponseTarget } from "../appendResponseHeader.js";

/**
 * Adds `Set-Cookie` headers to the response of the current request (see `appendResponseHeader`).
 * Throws `JwtConfigError` where no response can carry them: a WebSocket, a context built from
 * `{ headers }` alone, or headers already sent (a streamed batch: see the docs' `splitLink`).
 * Module-internal.
 *
 * @example
 * ```ts
 * appendSetCookies(opts, ["a=1; Path=/"]);
 * ```
 */
export function appendSetCookies(target: ResponseTarget, values: readonly string[]): void {
  const outcome = appendResponseHeader(target, "set-cookie", values);
  if (outcome === "headers-sent") {
    throw new JwtConfigError("setTokens", "the response headers were already sent (httpBatchStreamLink): send login, refresh and logout through httpLink");
  }
  if (outcome === "no-response") {
    throw new JwtConfigError("setTokens", "this context has no HTTP response to set cookies on (a WebSocket, or a context built from { headers })");
  }
}
