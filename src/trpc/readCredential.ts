/**
 * What a request carries for one token location: nothing, exactly one raw value, or something
 * that cannot be a single credential (a duplicated header or cookie, a malformed header).
 */
export type Credential = { readonly kind: "none" } | { readonly kind: "one"; readonly value: string } | { readonly kind: "bad" };

/** The part of Node's `IncomingMessage` that trpc-jwt reads (standalone, Express, WebSocket upgrade). */
export interface NodeRequestLike {
  /** The headers as the application sees them (after any middleware changed them): these are read. */
  readonly headers: object;
  /** Every header as sent, name then value: the only view that shows duplicated headers. */
  readonly rawHeaders: readonly string[];
}

/** The parts of the adapters' `createContext` options that trpc-jwt reads. */
export interface JwtContextOptions {
  /**
   * The fetch `Request`, Node's `IncomingMessage` (standalone, Express, WebSocket upgrade), or
   * Fastify's request, which wraps the Node one as `raw`.
   */
  readonly req: Request | NodeRequestLike | { readonly headers: object; readonly raw: NodeRequestLike };
  /** The response; for the WebSocket adapters, the socket. `ctx.jwt.setTokens` writes cookies on a Node response. */
  readonly res?: unknown;
  /** The fetch adapter's response headers, where `ctx.jwt.setTokens` writes cookies. */
  readonly resHeaders?: Headers | undefined;
  /**
   * tRPC's request info: its `connectionParams` are read on WebSockets only, its `type` tells an
   * SSE subscription (checked against `cookies.allowedOrigins`).
   */
  readonly info?:
    { readonly connectionParams?: Readonly<Record<string, string | undefined>> | null | undefined; readonly type?: string | undefined } | undefined;
}

/**
 * What a server-side call (a React Server Component, a Server Action, `createCaller`) builds its
 * context from: the incoming request's headers alone (Next.js `headers()`). There is no method,
 * so no CSRF check, and no response, so no cookies can be set.
 */
export interface ServerCallOptions {
  readonly headers: { get(name: string): string | null };
}

const NONE: Credential = { kind: "none" };
const BAD: Credential = { kind: "bad" };
// The WebSocket constants, by value (CONNECTING is 0).
const READY_STATES = ["CONNECTING", "OPEN", "CLOSING", "CLOSED"];
// Case-insensitive scheme, exactly one space, one run of non-space characters.
const BEARER = /^bearer (\S+)$/i;

/**
 * The bearer token from the one `Authorization` header.
 *
 * @example
 * ```ts
 * readAuthorization(new Request("http://x", { headers: { authorization: "Bearer a.b.c" } })); // { kind: "one", value: "a.b.c" }
 * ```
 */
export function readAuthorization(req: JwtContextOptions["req"]): Credential {
  const values = headerValues(req, "authorization");
  if (values.length === 0) return NONE;
  if (values.length > 1) return BAD;
  const match = BEARER.exec(values[0] as string);
  return match ? { kind: "one", value: match[1] as string } : BAD;
}

/** The value of the one cookie called `name`; empty counts as missing, a duplicate as bad. */
export function readCookie(req: JwtContextOptions["req"], name: string): Credential {
  let found: Credential = NONE;
  for (const header of headerValues(req, "cookie")) {
    for (const pair of header.split(";")) {
      const eq = pair.indexOf("=");
      if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
      const value = pair.slice(eq + 1).trim();
      if (value === "") continue;
      if (found.kind !== "none") return BAD;
      found = { kind: "one", value };
    }
  }
  return found;
}

/**
 * The token in `connectionParams[key]`, on WebSocket connections only: over HTTP tRPC carries
 * connection params in the URL, where tokens end up in logs, so there they are ignored, on
 * every adapter.
 */
export function readConnectionParam(opts: JwtContextOptions, key: string): Credential {
  if (!isWebSocket(opts)) return NONE;
  const params = opts.info?.connectionParams ?? {};
  const value = Object.hasOwn(params, key) ? params[key] : undefined;
  if (value === undefined || value === null || value === "") return NONE;
  return typeof value === "string" ? { kind: "one", value } : BAD;
}

/** Exactly one of two credentials, or bad when both are present. */
export function eitherCredential(a: Credential, b: Credential): Credential {
  if (a.kind === "none") return b;
  if (b.kind === "none") return a;
  return BAD;
}

/**
 * Recognised positively, never by what `res` lacks (a Fastify reply can send and has no
 * `setHeader`, as a socket): tRPC's WebSocket adapters (`applyWSSHandler`, Fastify's `useWSS`)
 * pass the `ws` socket as `res`, with the WebSocket constants and a numeric `readyState`, and the
 * HTTP upgrade request as `req`.
 */
export function isWebSocket({ req, res }: JwtContextOptions): boolean {
  if (typeof res !== "object" || res === null) return false;
  const socket = res as Readonly<Record<string, unknown>>;
  const isSocket = READY_STATES.every((name, value) => socket[name] === value) && typeof socket["readyState"] === "number";
  if (!isSocket || typeof socket["send"] !== "function" || isFetchRequest(req)) return false;
  const upgrade = headerValues(req, "upgrade");
  return upgrade.length === 1 && (upgrade[0] as string).toLowerCase() === "websocket";
}

/**
 * A header's values as the application sees them: an Express or Fastify middleware that strips
 * or sets `Authorization` is honoured. Node keeps only the first of duplicated headers such as
 * `Authorization` in `headers`, so `rawHeaders` is counted too: when the request carried the
 * header more than once and the application left Node's pick in place, the header is refused.
 */
export function headerValues(req: JwtContextOptions["req"], name: string): string[] {
  if (isFetchRequest(req)) {
    const value = req.headers.get(name);
    return value === null ? [] : [value];
  }
  const headers = req.headers as Record<string, unknown>;
  const seen = Object.hasOwn(headers, name) ? headers[name] : undefined;
  const values = seen === undefined ? [] : Array.isArray(seen) ? seen.map(String) : [String(seen)];
  const sent = sentValues("raw" in req ? req.raw : req, name);
  return values.length === 1 && sent.length > 1 && sent.includes(values[0] as string) ? sent : values;
}

// Every value of `name` as sent; [] when the request has no rawHeaders (a hand-made request).
function sentValues(req: NodeRequestLike, name: string): string[] {
  const values: string[] = [];
  const raw: unknown = req.rawHeaders;
  if (!Array.isArray(raw)) return values;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const sent: unknown = raw[i];
    // The length first: most names differ in it, and lower-casing one makes a new string.
    if (typeof sent === "string" && sent.length === name.length && sent.toLowerCase() === name) values.push(String(raw[i + 1]));
  }
  return values;
}

function isFetchRequest(req: JwtContextOptions["req"]): req is Request {
  return typeof (req.headers as { get?: unknown }).get === "function";
}
