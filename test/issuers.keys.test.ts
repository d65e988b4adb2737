// RemoteIssuer({ keys }): an identity provider's keys given once, verified with no network
// request ever (counted by fetch and by a server at the issuer's own address that fails the test
// when called), and the `keys` option checked at construction.
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AuthManager, JwtConfigError, JwtToken, RemoteIssuer } from "trpc-jwt";
import { listenOnLoopback, startServer } from "./helpers/httpServer.js";
import { rsaSigningKey, signAccessToken } from "./helpers/jwksServer.js";
import { fakeClock } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";
import { createRemoteApp, failure, remoteClient } from "./helpers/remoteApp.js";

const AUDIENCE = "https://api.example.test";
const key = rsaSigningKey("static-1");
const stranger = rsaSigningKey("static-2");
let provider: Awaited<ReturnType<typeof listenOnLoopback>>;
let calls = 0;
let unexpected: string[] = [];

beforeAll(async () => {
  // The provider's address: anything reaching it is a network request RemoteIssuer must not make.
  provider = await listenOnLoopback(
    createServer((req, res) => {
      calls++;
      unexpected.push(req.url ?? "");
      res.writeHead(500).end();
    }),
  );
});
afterAll(() => provider.close());
afterEach(() => {
  vi.restoreAllMocks();
  unexpected = [];
});

function claims(extra: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: `${provider.url}/`, sub: "user-1", aud: AUDIENCE, iat: now, exp: now + 86_400, jti: randomUUID(), scope: "read", ...extra };
}

describe("RemoteIssuer({ keys })", () => {
  it("verifies with 0 network requests: first use, unknown kids, after cacheMaxAge, over HTTP", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const clock = fakeClock(Date.now());
    const idp = new RemoteIssuer({
      issuer: `${provider.url}/`,
      audience: AUDIENCE,
      keys: { keys: [key.publicJwk] },
      cooldownDuration: 0,
      cacheMaxAge: 1_000,
      clock: clock.now,
    });
    expect(idp.jwksUri).toBeUndefined();
    const signed = await signAccessToken(key, claims());
    await expect(idp.verifyToken(signed)).resolves.toBeInstanceOf(JwtToken);
    // A kid the set lacks would make a fetched set refetch; a given one has nothing to ask.
    expect(await codeOf(idp.verifyToken(await signAccessToken(stranger, claims())))).toBe("TOKEN_INVALID");
    clock.advance(3_600);
    await expect(idp.verifyToken(await signAccessToken(key, claims({ exp: Math.floor(clock.now() / 1000) + 60 })))).resolves.toMatchObject({ sub: "user-1" });
    const fetched = fetchSpy.mock.calls.length; // before the tRPC client below makes its own
    const server = await startServer(createRemoteApp(idp));
    try {
      await expect(remoteClient(server.url, signed).reports.query()).resolves.toBe("reports");
      expect(await failure(remoteClient(server.url, await signAccessToken(stranger, claims())).reports.query())).toMatchObject({
        status: 401,
        jwtCode: "TOKEN_INVALID",
      });
    } finally {
      await server.close();
    }
    expect(fetched).toBe(0);
    expect(calls).toBe(0);
    expect(unexpected).toEqual([]);
  });

  it("takes a verify-only service's own jwks() and refuses what the set does not hold", async () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const auth = new AuthManager({ issuer: "https://auth.example.test", authType: "ES256", secret: privateKey, keyId: "es-1", audience: AUDIENCE });
    const idp = new RemoteIssuer({ issuer: auth.issuer, audience: AUDIENCE, algorithms: ["ES256"], keys: auth.jwks() });
    const token = await auth.authToken("alice", "read");
    await expect(idp.verifyToken(token.signed)).resolves.toMatchObject({ sub: "alice", scope: "read" });
    expect(await codeOf(idp.verifyToken((await auth.refreshToken("alice")).signed))).toBe("TOKEN_INVALID");
  });

  it("refuses, naming keys: private or symmetric keys, an empty set, not a set, beside jwksUri", () => {
    const base = { issuer: "https://idp.example.test/", audience: AUDIENCE };
    const bad: unknown[] = [
      { keys: [key.privateJwk] },
      { keys: [key.publicJwk, { kty: "oct", k: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0" }] },
      { keys: [] },
      { keys: [{ kid: "no-kty" }] },
      [key.publicJwk],
      "https://idp.example.test/jwks",
      null,
    ];
    for (const keys of bad) {
      const error = catchConfig(() => new RemoteIssuer({ ...base, keys } as never));
      expect(error.option).toBe("keys");
      expect(error.message).not.toContain(String(key.privateJwk.d).slice(0, 24));
    }
    expect(catchConfig(() => new RemoteIssuer({ ...base, keys: { keys: [key.publicJwk] }, jwksUri: "https://idp.example.test/jwks" } as never)).option).toBe(
      "keys",
    );
    expect(catchConfig(() => new RemoteIssuer({ ...base } as never)).option).toBe("jwksUri");
  });
});

const codeOf = async (promise: Promise<unknown>) => ((await rejectionOf(promise)) as { code: string }).code;

function catchConfig(make: () => unknown): JwtConfigError {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(JwtConfigError);
    return error as JwtConfigError;
  }
  return expect.fail("constructed");
}
