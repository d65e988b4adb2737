/**
 * What a request carries for one token location: nothing, exactly one raw value, or something
 * that cannot be a single credential (a duplicated header or cookie, a malformed header).
 */
export type Credential = { readonly kind: "none" } | { readonly kind: "one"; readonly value: string } | { readonly kind: "bad" };

/** The part of Node's `IncomingMessage` that trpc-jwt reads (standalone, Express, WebSocket upgrade). */
export interface NodeRequestLike {
  readonly headers: object;
  /** Every header as sent, name then value: the only view that shows duplicated headers. */
  readonly rawHeaders: readonly string[];
}

/** The parts of the adapters' `createContext` options that trpc-jwt reads. */
export interface JwtContextOptions {
  /** The fetch `Request`, or Node's `IncomingMessage`. */
  readonly req: Request | NodeRequestLike;
  /** The response; for the WebSocket adapter, the socket. */
  readonly res?: unknown;
  /** tRPC's request info; only its `connectionParams` are read, and only on WebSockets. */
  readonly info?: { readonly connectionParams?: Readonly<Record<string, string | undefined>> | null | undefined } | undefined;
}

const NONE: Credential = { kind: "none" };
const BAD: Credential = { kind: "bad" };
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
 * connection params in the URL, where tokens end up in logs, so there they are ignored.
 */
export function readConnectionParam(opts: JwtContextOptions, key: string): Credential {
  if (!isWebSocket(opts)) return NONE;
  const value = opts.info?.connectionParams?.[key];
  if (value === undefined || value === null || value === "") return NONE;
  return typeof value === "string" ? { kind: "one", value } : BAD;
}

/** Exactly one of two credentials, or bad when both are present. */
export function eitherCredential(a: Credential, b: Credential): Credential {
  if (a.kind === "none") return b;
  if (b.kind === "none") return a;
  return BAD;
}

// The WebSocket adapter passes the socket as `res`: it can send but has no HTTP headers.
function isWebSocket(opts: JwtContextOptions): boolean {
  const res = opts.res as { send?: unknown; setHeader?: unknown } | undefined;
  return typeof res === "object" && res !== null && typeof res.send === "function" && typeof res.setHeader !== "function";
}

function headerValues(req: JwtContextOptions["req"], name: string): string[] {
  if (isFetchRequest(req)) {
    const value = req.headers.get(name);
    return value === null ? [] : [value];
  }
  // Node keeps only the first of duplicated Authorization headers in `headers`; rawHeaders has all.
  const values: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() === name) values.push(raw[i + 1] as string);
  }
  return values;
}

function isFetchRequest(req: JwtContextOptions["req"]): req is Request {
  return typeof (req.headers as { get?: unknown }).get === "function";
}
