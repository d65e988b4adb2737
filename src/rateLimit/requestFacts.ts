// What the rate limiter needs of a request, registered by `createJwtContext`'s `ctx.jwt` (a layer
// above, which the limiter must not import): the client's address and the response's headers.

/** The facts of one request (or WebSocket connection) the limiter reads and writes. */
export interface RequestFacts {
  /** The client's address: the socket's, or behind `trustedProxies` the forwarded one; `undefined` where none is known. */
  readonly ip: string | undefined;
  /** Sets a header on the HTTP response, where there is one (not on a WebSocket). */
  setHeader(name: string, value: string): void;
}

let reader: ((request: unknown) => RequestFacts | undefined) | undefined;

/**
 * Registers how to read the facts of a `ctx.jwt` (done once by the module that defines it).
 * Module-internal.
 *
 * @example
 * ```ts
 * readRequestFactsWith((request) => (request instanceof JwtRequest ? factsOfRequest(request) : undefined));
 * ```
 */
export function readRequestFactsWith(read: (request: unknown) => RequestFacts | undefined): void {
  reader = read;
}

/**
 * The facts of `request` (a `ctx.jwt`), or `undefined` (a context not built by `createJwtContext`). Module-internal.
 *
 * @example
 * ```ts
 * factsOf(ctx.jwt)?.ip;
 * ```
 */
export function factsOf(request: unknown): RequestFacts | undefined {
  return reader?.(request);
}
