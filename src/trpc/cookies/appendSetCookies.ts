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

// Fastify's reply: its adapter sends the tRPC response through the reply, which keeps the
// headers set on it (Set-Cookie accumulates); written on `raw` they would be dropped.
interface FastifyReply {
  readonly raw: NodeResponse;
  header(name: string, value: string): unknown;
}

/**
 * Adds `Set-Cookie` headers to the response of the current request: the fetch adapter's
 * `resHeaders` (Next.js route handlers, Workers, Bun, Deno), else Node's response
 * (standalone, Express) or Fastify's reply. Throws `JwtConfigError` where no response can carry them: a
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
  if (isFastifyReply(res)) {
    if (res.raw.headersSent) throw headersSent();
    for (const value of values) res.header("set-cookie", value);
    return;
  }
  if (isNodeResponse(res)) {
    if (res.headersSent) throw headersSent();
    res.appendHeader("set-cookie", values);
    return;
  }
  throw new JwtConfigError("setTokens", "this context has no HTTP response to set cookies on (a WebSocket, or a context built from { headers })");
}

function headersSent(): JwtConfigError {
  return new JwtConfigError("setTokens", "the response headers were already sent (httpBatchStreamLink): send login, refresh and logout through httpLink");
}

function isFastifyReply(res: unknown): res is FastifyReply {
  return (
    typeof res === "object" && res !== null && typeof (res as { header?: unknown }).header === "function" && isNodeResponse((res as { raw?: unknown }).raw)
  );
}

function isNodeResponse(res: unknown): res is NodeResponse {
  if (typeof res !== "object" || res === null) return false;
  const candidate = res as Partial<Record<keyof NodeResponse, unknown>>;
  return typeof candidate.appendHeader === "function" && typeof candidate.headersSent === "boolean";
}
