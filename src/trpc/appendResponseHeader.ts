/** Where an adapter lets `createContext` add response headers. */
export interface ResponseTarget {
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

/** What became of a header: added, or why not (no HTTP response, or its headers are gone). */
export type HeaderOutcome = "appended" | "no-response" | "headers-sent";

/**
 * Adds a header to the response of the current request: the fetch adapter's `resHeaders`
 * (Next.js route handlers, Workers, Bun, Deno), else Node's response (standalone, Express) or
 * Fastify's reply. The one route by which trpc-jwt writes response headers (`Set-Cookie`,
 * `WWW-Authenticate`); the caller decides what a header that cannot be written means.
 * Module-internal.
 *
 * @example
 * ```ts
 * appendResponseHeader(opts, "set-cookie", ["a=1; Path=/"]); // "appended"
 * ```
 */
export function appendResponseHeader(target: ResponseTarget, name: string, values: readonly string[]): HeaderOutcome {
  const { resHeaders, res } = target;
  if (resHeaders instanceof Headers) {
    for (const value of values) resHeaders.append(name, value);
    return "appended";
  }
  if (isFastifyReply(res)) {
    if (res.raw.headersSent) return "headers-sent";
    for (const value of values) res.header(name, value);
    return "appended";
  }
  if (isNodeResponse(res)) {
    if (res.headersSent) return "headers-sent";
    res.appendHeader(name, values);
    return "appended";
  }
  return "no-response";
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
