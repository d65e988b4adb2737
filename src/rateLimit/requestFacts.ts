// What the rate limiter needs of a request, registered by `createJwtContext`'s `ctx.jwt` (a layer
// above, which the limiter must not import): the client's address and the response's headers.

/** The facts of one request (or WebSocket connection) the limiter reads and writes. */
export interface RequestFacts {
  /** The client's address: the socket's, or behind `trustedProxies` the forwarded one; `undefined` where none is known. */
  readonly ip: string | undefined;
  /** Sets a header on the HTTP response, where there is one (not on a WebSocket). */
  setHeader(name: string, value: string): void;
}

const FACTS = new WeakMap<object, RequestFacts>();

/**
 * Registers the facts of `request` (a `ctx.jwt`). Module-internal.
 *
 * @example
 * ```ts
 * describeRequest(this, { ip: "192.0.2.1", setHeader: () => undefined });
 * ```
 */
export function describeRequest(request: object, facts: RequestFacts): void {
  FACTS.set(request, facts);
}

/**
 * The facts registered for `request`, or `undefined` (a context not built by `createJwtContext`). Module-internal.
 *
 * @example
 * ```ts
 * factsOf(ctx.jwt)?.ip;
 * ```
 */
export function factsOf(request: unknown): RequestFacts | undefined {
  return typeof request === "object" && request !== null ? FACTS.get(request) : undefined;
}
