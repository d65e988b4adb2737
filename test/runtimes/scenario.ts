// The runtime smoke scenario (issue #18): the same steps on Node, Bun, Deno and workerd. It uses
// only what every one of them has (fetch's Request and Response, Web Crypto), so whatever fails on
// one runtime is trpc-jwt's, not the scenario's. test/runtimes/run.ts bundles it with esbuild.
import { initTRPC } from "@trpc/server";
import { createLocalJWKSet, jwtVerify } from "jose";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { z } from "zod";
import {
  AUTH_TYPES,
  AuthManager,
  createJwtContext,
  createJwtProcedures,
  JwtConfigError,
  jwtErrorFormatter,
  memoryStore,
  RemoteIssuer,
  type AuthType,
} from "../../src/index.js";
import { nodeCrypto } from "../../src/keys/nodeCrypto.js";

/** What the harness sets up outside the runtime: an identity provider's JWKS on 127.0.0.1 and a token it signed. */
export interface RemoteSetup {
  readonly issuer: string;
  readonly jwksUri: string;
  readonly audience: string;
  readonly accessToken: string;
}

/** One algorithm per family; a family the build does not support yet is reported, not hidden. */
const FAMILIES = ["HS256", "RS256", "PS256", "ES256", "EdDSA"] as const;

/** Runs every step; resolves to the names of the checks that passed, throws at the first that did not. */
export async function runScenario(remote: RemoteSetup): Promise<string[]> {
  const passed = [
    nodeCrypto === undefined ? "node:crypto: absent (keys and signatures through Web Crypto and jose)" : "node:crypto: present (the native paths use it)",
  ];
  for (const alg of FAMILIES) {
    if (!(AUTH_TYPES as readonly string[]).includes(alg)) {
      passed.push(`${alg}: not an authType of this build`);
      continue;
    }
    await managerScenario(alg as AuthType, await secretFor(alg), passed);
  }
  await badKeyScenario(passed);
  await auditScenario(passed);
  await remoteScenario(remote, passed);
  return passed;
}

async function managerScenario(alg: AuthType, secret: string | Uint8Array, passed: string[]): Promise<void> {
  // Without node:crypto there is no thumbprint kid: a key is published under its keyId.
  const auth = new AuthManager({ issuer: "runtime-smoke", authType: alg, secret, ...(nodeCrypto === undefined ? { keyId: "edge-1" } : {}) });
  await auth.ready();
  const call = apiFor(auth);
  const login = await call("POST", "login", "", { username: "alice" });
  expect(login.status === 200, `${alg} login: HTTP ${login.status}`);
  const { authToken, refreshToken } = login.data as { authToken: string; refreshToken: string };
  const hello = await call("GET", "user", authToken, { username: "alice" });
  expect(hello.status === 200 && hello.data === "Hello, alice!", `${alg} guarded call: HTTP ${hello.status}`);
  await refused(call("GET", "user", authToken, { username: "bob" }), 403, "CLAIMS_MISMATCH", `${alg} other user`);
  await refused(call("GET", "user", refreshToken, { username: "alice" }), 401, "TOKEN_WRONG_TYPE", `${alg} refresh token as auth`);
  await refused(call("GET", "user", tampered(authToken), { username: "alice" }), 401, "TOKEN_INVALID", `${alg} tampered token`);
  await refused(call("GET", "user", "", { username: "alice" }), 401, "TOKEN_MISSING", `${alg} no token`);
  const refreshed = await call("POST", "refresh", refreshToken, {});
  expect(refreshed.status === 200, `${alg} refresh: HTTP ${refreshed.status}`);
  const again = await call("GET", "user", (refreshed.data as { authToken: string }).authToken, { username: "alice" });
  expect(again.status === 200, `${alg} call with the refreshed token: HTTP ${again.status}`);
  passed.push(`${alg}: login, guarded call, 4 refusals, refresh, ${await publishedKeys(auth, authToken)}`);
}

/**
 * jwks() after ready(): an asymmetric manager's published key set verifies its tokens (with jose),
 * under the kid they carry, on every runtime. HMAC has none: JwtConfigError("jwks").
 */
async function publishedKeys(auth: AuthManager, authToken: string): Promise<string> {
  if (auth.authType.startsWith("HS")) {
    expect(configErrorOf(() => auth.jwks())?.option === "jwks", `${auth.authType} jwks(): expected JwtConfigError("jwks")`);
    return "jwks() refused for HMAC";
  }
  const { payload, protectedHeader } = await jwtVerify(authToken, createLocalJWKSet({ keys: [...auth.jwks().keys] }), { algorithms: [auth.authType] });
  expect(payload.sub === "alice", `${auth.authType} jwks(): the published key does not verify the token`);
  expect(protectedHeader.kid === auth.jwks().keys[0]?.kid, `${auth.authType} jwks(): the published kid is not the token's`);
  return `jwks() after ready() verifies the token (kid ${auth.keyId === "edge-1" ? "keyId" : "thumbprint"})`;
}

/**
 * A 1024-bit RSA key is refused on every runtime, naming "secret": on Node, Bun and Deno the
 * constructor throws; without node:crypto, ready() rejects. One of the two must happen.
 */
async function badKeyScenario(passed: string[]): Promise<void> {
  const secret = await pkcs8Pem({ name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: { name: "SHA-256" } });
  let auth: AuthManager | undefined;
  const thrown = configErrorOf(() => (auth = new AuthManager({ issuer: "runtime-smoke", authType: "RS256", secret, keyId: "weak" })));
  if (auth === undefined) {
    expect(thrown?.option === "secret", `1024-bit RSA: the constructor threw ${String(thrown)}, expected JwtConfigError("secret")`);
    passed.push("1024-bit RSA key: the constructor throws JwtConfigError(secret)");
    return;
  }
  const rejected = await auth.ready().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(
    rejected instanceof JwtConfigError && rejected.option === "secret",
    `1024-bit RSA: ready() gave ${String(rejected)}, expected JwtConfigError("secret")`,
  );
  passed.push("1024-bit RSA key: ready() rejects with JwtConfigError(secret)");
}

/**
 * The audit hook runs in a task of its own: not before login's caller has its result (nor before
 * the fetch adapter's response is built from it), then exactly once. On workerd, which drops a
 * request's timers once its response is returned, it has run by then (else it would be lost).
 */
async function auditScenario(passed: string[]): Promise<void> {
  const told: string[] = [];
  const auth = new AuthManager({
    issuer: "runtime-smoke",
    authType: "HS256",
    secret: await secretFor("HS256"),
    store: memoryStore(),
    audit: (event) => void told.push(event.event),
  });
  const early = globalThis.navigator?.userAgent === "Cloudflare-Workers" ? 1 : 0;
  await auth.login("alice");
  expect(told.length === early, `audit: ${told.length} events when login's caller had its result, expected ${early}`);
  await new Promise((resolve) => setTimeout(resolve, 0));
  expect(told.join() === "login", `audit: told ${JSON.stringify(told)} after login, expected one login`);
  const t = initTRPC.create();
  const router = t.router({ login: t.procedure.mutation(async () => (await auth.login("bob")).authToken.signed) });
  const response = await fetchRequestHandler({
    endpoint: "/trpc",
    req: new Request("http://127.0.0.1/trpc/login", { method: "POST", headers: { "content-type": "application/json" } }),
    router,
  });
  expect(response.status === 200 && told.length === 1 + early, `audit: ${told.length} events when the login response was ready (HTTP ${response.status})`);
  await new Promise((resolve) => setTimeout(resolve, 0));
  expect(told.join() === "login,login", `audit: told ${JSON.stringify(told)}, expected two logins`);
  passed.push(
    `audit: the hook runs ${early === 1 ? "before login's result (never dropped with the request)" : "after login's result and response"}, once each`,
  );
}

/** The JwtConfigError `run` throws; undefined when it throws nothing, or something else. */
function configErrorOf(run: () => unknown): JwtConfigError | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof JwtConfigError ? error : undefined;
  }
  return undefined;
}

async function remoteScenario(remote: RemoteSetup, passed: string[]): Promise<void> {
  const idp = new RemoteIssuer({ issuer: remote.issuer, jwksUri: remote.jwksUri, audience: remote.audience, algorithms: ["RS256"] });
  const auth = new AuthManager({ issuer: "runtime-smoke", authType: "HS256", secret: await secretFor("HS256") });
  const call = apiFor(auth, idp);
  const me = await call("GET", "me", remote.accessToken, undefined);
  expect(me.status === 200 && me.data === "idp-user", `remote issuer: HTTP ${me.status}`);
  await refused(call("GET", "me", tampered(remote.accessToken), undefined), 401, "TOKEN_INVALID", "remote issuer tampered token");
  passed.push("remote issuer: JWKS fetched from 127.0.0.1, token verified, tampered token refused");
}

type Call = (method: "GET" | "POST", path: string, bearer: string, input: unknown) => Promise<{ status: number; data: unknown; jwtCode: unknown }>;

/** The README's router behind tRPC's fetch adapter: requests in, responses out, no server. */
function apiFor(auth: AuthManager, idp?: RemoteIssuer): Call {
  const createContext = createJwtContext(idp === undefined ? auth : [auth, idp]);
  const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
  const { authedProcedure, refreshProcedure, requireToken } = createJwtProcedures(t);
  const router = t.router({
    login: t.procedure.input(z.object({ username: z.string() })).mutation(async ({ input }) => ({
      authToken: (await auth.authToken(input.username, { admin: false })).signed,
      refreshToken: (await auth.refreshToken(input.username)).signed,
    })),
    refresh: refreshProcedure.mutation(async ({ ctx }) => ({ authToken: (await auth.authToken(ctx.token.sub)).signed })),
    user: authedProcedure
      .input(z.object({ username: z.string() }))
      .use(requireToken({ input: { sub: "username" } }))
      .query(({ input }) => `Hello, ${input.username}!`),
    me: authedProcedure.query(({ ctx }) => ctx.token.sub),
  });
  return async (method, path, bearer, input) => {
    const query = method === "GET" && input !== undefined ? `?input=${encodeURIComponent(JSON.stringify(input))}` : "";
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (bearer !== "") headers["authorization"] = `Bearer ${bearer}`;
    const body = method === "POST" ? JSON.stringify(input) : null;
    const request = new Request(`http://127.0.0.1/trpc/${path}${query}`, { method, headers, body });
    const response = await fetchRequestHandler({ endpoint: "/trpc", req: request, router, createContext });
    const json = (await response.json()) as { result?: { data: unknown }; error?: { data?: { jwtCode?: unknown } } };
    return { status: response.status, data: json.result?.data, jwtCode: json.error?.data?.jwtCode };
  };
}

async function refused(response: ReturnType<Call>, status: number, code: string, what: string): Promise<void> {
  const { status: got, jwtCode } = await response;
  expect(got === status && jwtCode === code, `${what}: expected ${status} ${code}, got ${got} ${String(jwtCode)}`);
}

function expect(ok: boolean, failure: string): void {
  if (!ok) throw new Error(failure);
}

/** The token with one bit of its signature's first character flipped. */
function tampered(token: string): string {
  const at = token.lastIndexOf(".") + 1;
  return token.slice(0, at) + (token[at] === "A" ? "B" : "A") + token.slice(at + 1);
}

/** A fresh key for `alg`, made with Web Crypto (the one key generator every runtime has), as PEM. */
async function secretFor(alg: (typeof FAMILIES)[number]): Promise<string | Uint8Array> {
  if (alg === "HS256") return crypto.getRandomValues(new Uint8Array(32));
  const hash = { name: "SHA-256" };
  const rsa = { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash };
  return pkcs8Pem(
    {
      RS256: { name: "RSASSA-PKCS1-v1_5", ...rsa },
      PS256: { name: "RSA-PSS", ...rsa },
      ES256: { name: "ECDSA", namedCurve: "P-256" },
      EdDSA: { name: "Ed25519" },
    }[alg],
  );
}

/** A fresh private key made with Web Crypto (the one key generator every runtime has), as PKCS#8 PEM. */
async function pkcs8Pem(params: RsaHashedKeyGenParams | EcKeyGenParams | Algorithm): Promise<string> {
  const pair = (await crypto.subtle.generateKey(params, true, ["sign", "verify"])) as CryptoKeyPair;
  const der = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  // Lines of 64 characters and no empty line (OpenSSL refuses one: an Ed25519 key is exactly 64).
  const lines = btoa(String.fromCharCode(...der)).match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join("\n")}\n-----END PRIVATE KEY-----\n`;
}
