import { JwtError } from "../errors.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import type { Verifier } from "../tokens/Verifier.js";
import { LOGOUT_TOKEN_MAX_AGE } from "./readLogoutClaims.js";
import type { LogoutRequest } from "./RemoteRevocation.js";

/**
 * The back-channel logout endpoint of `idp.backchannelLogout({ clientId })`: a fetch handler
 * (`Request` -> `Response`: Next.js route handlers, Hono, Workers, Bun, Deno), and `node` for
 * Node's `http` and Express (`app.post(path, handler.node)`, with or without a urlencoded body parser).
 */
export type BackchannelLogoutHandler = ((request: Request) => Promise<Response>) & {
  /** The same endpoint for Node's `http` server and Express: writes the response, never rejects. */
  readonly node: (req: NodeLogoutRequest, res: NodeLogoutResponse) => Promise<void>;
};

/** The part of Node's `IncomingMessage` (or Express's request) the Node handler reads. */
export interface NodeLogoutRequest extends AsyncIterable<unknown> {
  readonly method?: string | undefined;
  readonly headers: { readonly [name: string]: string | readonly string[] | undefined };
  /** Express's parsed body, when a body parser ran before the handler. */
  readonly body?: unknown;
  /** Node's: whether the body stream has been read to its end (by a body parser). */
  readonly readableEnded?: boolean | undefined;
}

/** The part of Node's `ServerResponse` the Node handler writes. */
export interface NodeLogoutResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(): unknown;
}

// A logout token is a few hundred bytes; the form around it is refused beyond this, unread.
const MAX_BODY_BYTES = 64 * 1024;
const FORM = "application/x-www-form-urlencoded";
// Section 2.8: the response must not be cached.
const HEADERS = { "cache-control": "no-store" };

/**
 * Makes the endpoint: reads the form POST (`logout_token=`, exactly once), verifies the token
 * with `verify` (the issuer's pipeline with the logout-token claim check), and hands its claims
 * to `logout`. Answers 200 when the logout was done; 400, with no body, for anything wrong with
 * the request or the token (a replay included: `logout` resolved `false`), so nothing tells a
 * caller why; 405 for another method; 503 when the provider's keys or the store cannot be had
 * (the provider may retry). Module-internal: `RemoteIssuer.backchannelLogout` is the public way.
 *
 * @example
 * ```ts
 * const handler = createBackchannelLogout(verifyLogoutToken, (request) => revocation.logout(request));
 * ```
 */
export function createBackchannelLogout(verify: Verifier, logout: (request: LogoutRequest) => Promise<boolean>): BackchannelLogoutHandler {
  const answer = async (form: URLSearchParams | undefined): Promise<number> => {
    const tokens = form?.getAll("logout_token") ?? [];
    if (tokens.length !== 1 || tokens[0] === "") return 400;
    try {
      const token = await verify(tokens[0] as string);
      return (await logout(logoutRequest(token))) ? 200 : 400;
    } catch (error) {
      return error instanceof JwtError && (error.code === "KEYS_UNAVAILABLE" || error.code === "STORE_UNAVAILABLE") ? 503 : 400;
    }
  };
  const fetchHandler = async (request: Request): Promise<Response> => {
    if (request.method !== "POST") return new Response(null, { status: 405, headers: { ...HEADERS, allow: "POST" } });
    const body = isForm(request.headers.get("content-type")) ? request.body : undefined;
    const form = body === undefined ? undefined : body === null ? new URLSearchParams() : await readForm(body);
    return new Response(null, { status: await answer(form), headers: HEADERS });
  };
  const node = async (req: NodeLogoutRequest, res: NodeLogoutResponse): Promise<void> => {
    let status = 405;
    if (req.method === "POST") {
      const type = req.headers["content-type"];
      const form = !isForm(typeof type === "string" ? type : null) ? undefined : (parsedBody(req) ?? (await readForm(req)));
      status = await answer(form);
    }
    try {
      res.writeHead(status, status === 405 ? { ...HEADERS, allow: "POST" } : HEADERS);
      res.end();
    } catch {
      // The provider hung up; there is no one left to answer.
    }
  };
  return Object.assign(fetchHandler, { node });
}

// The claims the logout acts on; a logout token stays replayable until it is too old to be accepted.
function logoutRequest(token: JwtToken): LogoutRequest {
  const { jti, sid, sub, iat, exp } = token.claims as Readonly<Record<string, unknown>>;
  const lastAcceptedS = Math.max((iat as number) + LOGOUT_TOKEN_MAX_AGE, typeof exp === "number" ? exp : 0);
  return {
    jti: jti as string,
    sid: typeof sid === "string" ? sid : undefined,
    sub: typeof sub === "string" ? sub : undefined,
    // Plus an hour: clocks of other processes may be behind by up to their tolerance.
    replayableUntilMs: (lastAcceptedS + 3600) * 1000,
  };
}

function isForm(contentType: string | null): boolean {
  return contentType !== null && contentType.split(";", 1)[0]?.trim().toLowerCase() === FORM;
}

// Express's urlencoded parser leaves an object, and the raw stream is then read. A parser of
// another type leaves one too (Express 4's json() sets `{}` for a form it skips) without reading
// the stream: that object is taken only when it holds a logout_token or the stream is used up.
function parsedBody({ body, readableEnded }: NodeLogoutRequest): URLSearchParams | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  if (!("logout_token" in body) && readableEnded !== true) return undefined;
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(body)) {
    for (const item of Array.isArray(value) ? value : [value]) if (typeof item === "string") form.append(name, item);
  }
  return form;
}

// The body as a form, or `undefined` past MAX_BODY_BYTES, on a read error, or for text that is not UTF-8.
async function readForm(body: AsyncIterable<unknown> | ReadableStream<Uint8Array>): Promise<URLSearchParams | undefined> {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let size = 0;
  try {
    for await (const chunk of chunksOf(body)) {
      const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : (chunk as Uint8Array<ArrayBuffer>);
      size += bytes.byteLength;
      if (size > MAX_BODY_BYTES) return undefined;
      chunks.push(bytes);
    }
    return new URLSearchParams(new TextDecoder("utf-8", { fatal: true }).decode(await new Blob(chunks).arrayBuffer()));
  } catch {
    return undefined;
  }
}

// A web stream through its reader (not every runtime makes it async-iterable); Node's request as is.
async function* chunksOf(body: AsyncIterable<unknown> | ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  if (!("getReader" in body)) return yield* body;
  const reader = body.getReader();
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) yield read.value;
  } finally {
    reader.releaseLock();
  }
}
