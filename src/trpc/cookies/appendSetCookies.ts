import { JwtConfigError } from "../../errors.js";

/** Where an adapter lets `createContext` add response headers. */
interface ResponseTarget {
  readonly resHeaders?: unknown;
  readonly res?: unknown;
}

interface NodeResponse {
  readonly headersSent: boolean;
  appendHeader(name: string, value: string | readonly string[]): unknown;
}

/**
 * Adds `Set-Cookie` headers to the response of the current request: the fetch adapter's
 * `resHeaders` (Next.js route handlers, Workers, Bun, Deno), else Node's response
 * (standalone, Express). Throws `JwtConfigError` where no response can carry them: a
 * WebSocket, a context built from `{ headers }` alone, or headers already sent (a streamed
 * batch: see the docs' `splitLink`). Module-internal.
 *
 * @example
 * ```ts
 * appendSetCookies(opts, ["a=1; Path=/"]);
 * ```
 */
export function appendSetCookies(target: ResponseTarget, values: readonly string[]): void {
  const { resHeaders, res } = target;
  if (resHeaders instanceof Headers) {
    for (const value of values) resHeaders.append("set-cookie", value);
    return;
  }
  if (isNodeResponse(res)) {
    if (res.headersSent) throw new JwtConfigError("setTokens", "the response headers were already sent (httpBatchStreamLink): send login, refresh and logout through httpLink");
    res.appendHeader("set-cookie", values);
    return;
  }
  throw new JwtConfigError("setTokens", "this context has no HTTP response to set cookies on (a WebSocket, or a context built from { headers })");
}

function isNodeResponse(res: unknown): res is NodeResponse {
  if (typeof res !== "object" || res === null) return false;
  const candidate = res as Partial<Record<keyof NodeResponse, unknown>>;
  return typeof candidate.appendHeader === "function" && typeof candidate.headersSent === "boolean";
}
