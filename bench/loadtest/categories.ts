import { AuthManager } from "trpc-jwt";
import { signAccessToken, type SigningKey } from "../../test/helpers/jwksServer.js";
import { anyOf, isDecision, OK, refused, type Decision } from "./decisions.js";

/** One request of a category; `expect` overrides the category's decision for this one. */
export interface NextRequest {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly method?: "GET" | "POST";
  readonly body?: string;
  readonly expect?: Decision;
  /**
   * Judges this request's answer instead of `expect` (which then only names the 503 a fault may
   * bring), for a decision that depends on what the server saw before: called once per answer, in
   * the order answers arrive; `true` when right, else what was wrong.
   */
  readonly judge?: (status: number, body: string) => true | string;
}

/** One kind of traffic: how to build its next request, and the decision every response must get. */
export interface Category {
  readonly name: string;
  /** Called for every request, so a category can cycle through a pool of tokens. */
  readonly next: () => NextRequest;
  readonly expect: Decision | readonly Decision[];
  /**
   * Sent with node:http instead of autocannon: Node answers an oversized header with 431 and
   * closes the connection, which stalls an autocannon connection for good.
   */
  readonly closesConnection?: boolean;
  /** How many distinct valid tokens it has sent so far (what the memory bound is stated against). */
  readonly distinctTokens?: () => number;
}

/** The settings the example server is started with; the driver mints its tokens with the same. */
export interface ServerAuth {
  readonly issuer: string;
  readonly secret: string;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const query = (path: string) => `/${path}`;
// A tRPC batch of a public and a protected query (GET, no input).
const BATCH = "/health,protectedRoute?batch=1";
// Over maxTokenLength (8192) but within Node's 16 KiB header limit: refused by trpc-jwt unread.
const LONG_TOKEN = `${"a".repeat(4000)}.${"b".repeat(4000)}.${"c".repeat(1000)}`;
// Over Node's 16 KiB header limit: the HTTP server answers 431 before tRPC runs.
const HUGE_HEADER = "x".repeat(20_000);

function cycle<T>(items: readonly T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length] as T;
}

// One byte of the signature changed, kept canonical base64url.
function tamper(token: string): string {
  const at = token.length - 10;
  return token.slice(0, at) + (token[at] === "A" ? "B" : "A") + token.slice(at + 1);
}

/**
 * The traffic mixes of `npm run loadtest` that need only the issuer's key: valid tokens (one
 * repeated, and a pool of first-seen ones larger than the server's cache), and every way a token
 * can be wrong.
 */
export async function tokenCategories(server: ServerAuth, firstSeenPool: number): Promise<Category[]> {
  const auth = new AuthManager({ issuer: server.issuer, authType: "HS256", secret: server.secret });
  const past = new AuthManager({ issuer: server.issuer, authType: "HS256", secret: server.secret, clock: () => Date.now() - 7_200_000 });
  const stranger = new AuthManager({ issuer: "someone-else", authType: "HS256", secret: server.secret });
  const repeated = (await auth.authToken("alice", { admin: false })).signed;
  const pool: string[] = [];
  for (let i = 0; i < firstSeenPool; i++) pool.push((await auth.authToken(`user-${i}`, { admin: false })).signed);
  // The first-seen mix cycles through the pool on its own, so it counts the distinct tokens it sent.
  let firstSeenSent = 0;
  const fresh = () => pool[firstSeenSent++ % pool.length] as string;
  const toTamper = cycle(pool);
  const refresh = (await auth.refreshToken("alice")).signed;
  const expired = (await past.authToken("alice")).signed;
  const foreign = (await stranger.authToken("alice")).signed;
  const malformed = cycle(["Bearer", "Bearer a.b.c extra", "Basic YWxpY2U6d29uZGVybGFuZA==", `Bearer ${repeated}.x`, "Bearer not-a-jwt"]);

  return [
    { name: "public call", next: () => ({ path: query("health"), headers: {} }), expect: OK },
    { name: "valid, repeated token", next: () => ({ path: query("protectedRoute"), headers: bearer(repeated) }), expect: OK },
    {
      name: "valid, first-seen tokens",
      next: () => ({ path: query("protectedRoute"), headers: bearer(fresh()) }),
      expect: OK,
      distinctTokens: () => Math.min(firstSeenSent, pool.length),
    },
    { name: "scope refused (403)", next: () => ({ path: query("admin"), headers: bearer(repeated) }), expect: refused("SCOPE_MISMATCH") },
    { name: "expired", next: () => ({ path: query("protectedRoute"), headers: bearer(expired) }), expect: refused("TOKEN_EXPIRED") },
    { name: "tampered (one byte)", next: () => ({ path: query("protectedRoute"), headers: bearer(tamper(toTamper())) }), expect: refused("TOKEN_INVALID") },
    { name: "wrong type (refresh)", next: () => ({ path: query("protectedRoute"), headers: bearer(refresh) }), expect: refused("TOKEN_WRONG_TYPE") },
    { name: "wrong issuer", next: () => ({ path: query("protectedRoute"), headers: bearer(foreign) }), expect: refused("TOKEN_INVALID") },
    { name: "missing", next: () => ({ path: query("protectedRoute"), headers: {} }), expect: refused("TOKEN_MISSING") },
    { name: "malformed header", next: () => ({ path: query("protectedRoute"), headers: { authorization: malformed() } }), expect: refused("TOKEN_INVALID") },
    { name: "oversized token", next: () => ({ path: query("protectedRoute"), headers: bearer(LONG_TOKEN) }), expect: refused("TOKEN_INVALID") },
    {
      name: "oversized header (431)",
      next: () => ({ path: query("protectedRoute"), headers: { authorization: `Bearer ${HUGE_HEADER}` } }),
      expect: { status: 431 },
      closesConnection: true,
    },
    { name: "batch: public + protected, token", next: () => ({ path: BATCH, headers: bearer(repeated) }), expect: [OK, OK] },
    { name: "batch: public + protected, none", next: () => ({ path: BATCH, headers: {} }), expect: [OK, refused("TOKEN_MISSING")] },
  ];
}

const post = (path: string, headers: Record<string, string>, json: unknown): NextRequest => ({
  path,
  headers: { ...headers, "content-type": "application/json" },
  method: "POST",
  body: JSON.stringify({ json }),
});

interface SignedPair {
  readonly authToken: string;
  readonly refreshToken: string;
}

async function call(url: string, request: NextRequest): Promise<SignedPair> {
  const response = await fetch(new URL(request.path, url), { method: request.method ?? "GET", headers: request.headers, body: request.body ?? null });
  const body = (await response.json()) as { result?: { data?: { json?: SignedPair } } };
  const pair = body.result?.data?.json;
  if (!response.ok || pair === undefined) throw new Error(`${request.path} answered ${response.status}`);
  return pair;
}

const login = (url: string) => call(url, post("/login", {}, { username: "alice", password: "wonderland" }));

/**
 * Sessions over HTTP, as the example server runs them: the tokens of a logged-out session
 * (revoked), and refresh tokens presented again after they were rotated (reused). The server
 * refuses the first presentation of a reused token that it processes with TOKEN_REUSED and ends
 * its session, so every later one is TOKEN_REVOKED. Which one it processes first is only known
 * when presentations of a token do not overlap: one still in flight when a run ends may or may not
 * have been processed. So each answer is judged by what is known: a token is found reused at most
 * once over the whole test, and a first presentation that nothing overlapped must be the one.
 */
export async function sessionCategories(url: string, reusedPool: number): Promise<Category[]> {
  const loggedOut = await login(url);
  await call(url, post("/logout", bearer(loggedOut.authToken), null)).catch(() => undefined);
  const rotatedAway: string[] = [];
  for (let i = 0; i < reusedPool; i++) {
    const first = await login(url);
    await call(url, post("/refresh", bearer(first.refreshToken), null));
    rotatedAway.push(first.refreshToken);
  }
  const REUSED = refused("TOKEN_REUSED");
  const REVOKED = refused("TOKEN_REVOKED");
  const presentations = new Map(rotatedAway.map((token) => [token, { sent: 0, answered: 0, reused: 0, overlapped: false }]));
  const nextReused = cycle(rotatedAway);
  return [
    { name: "revoked (logged-out session)", next: () => ({ path: query("protectedRoute"), headers: bearer(loggedOut.authToken) }), expect: REVOKED },
    {
      name: "reused refresh token",
      next: () => {
        const token = nextReused();
        const seen = presentations.get(token) as { sent: number; answered: number; reused: number; overlapped: boolean };
        if (seen.sent > seen.answered) seen.overlapped = true;
        const first = ++seen.sent === 1;
        const judge = (status: number, body: string): true | string => {
          seen.answered++;
          if (isDecision(REUSED, status, body)) return ++seen.reused === 1 || "TOKEN_REUSED a second time for one token";
          if (!isDecision(REVOKED, status, body)) return "TOKEN_REUSED or TOKEN_REVOKED";
          return !(first && !seen.overlapped) || "TOKEN_REUSED (a first presentation nothing overlapped)";
        };
        return { ...post("/refresh", bearer(token), null), judge };
      },
      expect: anyOf(REUSED, REVOKED),
    },
  ];
}

/** An identity provider's access tokens: one repeated, and one signed by a key it never published. */
export async function identityProviderCategories(idp: { issuer: string; audience: string; key: SigningKey; unpublished: SigningKey }): Promise<Category[]> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: idp.issuer, aud: idp.audience, sub: "idp-user", iat: now, exp: now + 3600, scope: "read" };
  const valid = await signAccessToken(idp.key, claims);
  const unknownKid = await signAccessToken(idp.unpublished, claims);
  return [
    { name: "identity provider, valid token", next: () => ({ path: query("protectedRoute"), headers: bearer(valid) }), expect: OK },
    { name: "identity provider, unknown kid", next: () => ({ path: query("protectedRoute"), headers: bearer(unknownKid) }), expect: refused("TOKEN_INVALID") },
  ];
}
