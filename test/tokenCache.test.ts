// The verified-token cache can only ever make verification cheaper, never more permissive.
import { beforeEach, describe, expect, it, vi } from "vitest";

const jose = vi.hoisted(() => ({ calls: 0, failWith: undefined as unknown }));
vi.mock("jose", async (importOriginal) => (await import("./helpers/countingJose.js")).countingJose(importOriginal, jose));

const { AuthManager, JwtError, JwtToken } = await import("trpc-jwt");
const { TokenCache, EXPIRED } = await import("../src/tokens/TokenCache.js");
const { forgeHmac, goodClaims } = await import("./helpers/forge.js");
const { fakeClock, optionsFor } = await import("./helpers/keys.js");

beforeEach(() => {
  jose.calls = 0;
});

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "accepted",
    (e: unknown) => (e instanceof JwtError ? e.code : "other"),
  );

describe("verified-token cache", () => {
  it("admits a token on its second verification, then serves it without verifying again", async () => {
    const auth = new AuthManager(optionsFor("HS256"));
    const { signed } = await auth.authToken("alice");
    await auth.verifyToken(signed);
    const second = await auth.verifyToken(signed);
    expect(jose.calls).toBe(2);
    for (let i = 0; i < 5; i++) expect(await auth.verifyToken(signed)).toBe(second);
    expect(jose.calls).toBe(2);
  });

  it("rejects an expired token even though it was cached while valid", async () => {
    const clock = fakeClock();
    const auth = new AuthManager(optionsFor("HS256", { clock: clock.now, authMaxAge: 60 }));
    const { signed } = await auth.authToken("alice");
    await auth.verifyToken(signed);
    await auth.verifyToken(signed); // now cached
    clock.advance(59);
    await expect(auth.verifyToken(signed)).resolves.toBeInstanceOf(JwtToken);
    expect(jose.calls).toBe(2);
    clock.advance(1); // exp == now
    expect(await codeOf(auth.verifyToken(signed))).toBe("TOKEN_EXPIRED"); // from the cache entry, now dropped
    expect(jose.calls).toBe(2);
    expect(await codeOf(auth.verifyToken(signed))).toBe("TOKEN_EXPIRED"); // through jose again
    expect(jose.calls).toBe(3);
  });

  it("never serves a token that differs in one character", async () => {
    const auth = new AuthManager(optionsFor("HS256"));
    const { signed } = await auth.authToken("alice");
    await auth.verifyToken(signed);
    await auth.verifyToken(signed);
    for (const at of [0, 10, signed.indexOf(".") + 5, signed.lastIndexOf(".") + 3, signed.length - 1]) {
      const variant = signed.slice(0, at) + (signed[at] === "A" ? "B" : "A") + signed.slice(at + 1);
      expect(await codeOf(auth.verifyToken(variant))).toBe("TOKEN_INVALID");
    }
    expect(await codeOf(auth.verifyToken(`${signed} `))).toBe("TOKEN_INVALID");
  });

  it("never caches a failure as a success", async () => {
    const clock = fakeClock(Date.now());
    const auth = new AuthManager(optionsFor("HS256", { clock: clock.now }));
    const wrongKey = await forgeHmac({ header: { typ: "JWT" }, payload: goodClaims() }, "another-secret-of-at-least-32-bytes!!");
    expect(await codeOf(auth.verifyToken(wrongKey))).toBe("TOKEN_INVALID");
    expect(await codeOf(auth.verifyToken(wrongKey))).toBe("TOKEN_INVALID");
    expect(jose.calls).toBe(2);
    // Not yet valid: refused, and refused again rather than remembered as anything.
    const notYet = await forgeHmac({ header: { typ: "JWT" }, payload: goodClaims({ nbf: Math.floor(clock.now() / 1000) + 30 }) });
    expect(await codeOf(auth.verifyToken(notYet))).toBe("TOKEN_INVALID");
    clock.advance(31);
    expect(await codeOf(auth.verifyToken(notYet))).toBe("accepted");
  });

  it("a cached token of the wrong type is still refused for that type", async () => {
    const auth = new AuthManager(optionsFor("HS256"));
    const { signed } = await auth.refreshToken("alice");
    await auth.verifyToken(signed, "refresh");
    await auth.verifyToken(signed, "refresh");
    expect(await codeOf(auth.verifyToken(signed, "auth"))).toBe("TOKEN_WRONG_TYPE");
    expect(await codeOf(auth.verifyToken(signed, "refresh"))).toBe("accepted");
  });

  it("is per manager: another manager's cache never vouches for a token", async () => {
    const issuer = new AuthManager(optionsFor("HS256"));
    const other = new AuthManager(optionsFor("HS256", { issuer: "someone-else" }));
    const { signed } = await issuer.authToken("alice");
    await issuer.verifyToken(signed);
    await issuer.verifyToken(signed);
    expect(await codeOf(other.verifyToken(signed))).toBe("TOKEN_INVALID");
  });

  it("cacheSize 0 re-verifies every call", async () => {
    const auth = new AuthManager(optionsFor("HS256", { cacheSize: 0 }));
    const { signed } = await auth.authToken("alice");
    for (let i = 0; i < 3; i++) await auth.verifyToken(signed);
    expect(jose.calls).toBe(3);
  });
});

describe("TokenCache", () => {
  const token = (exp: number, id: number) => ({ signed: `header.payload.signature-${id}`, exp }) as InstanceType<typeof JwtToken>;
  const admit = (cache: InstanceType<typeof TokenCache>, entry: InstanceType<typeof JwtToken>) => {
    cache.offer(entry);
    cache.offer(entry);
  };

  it("admits a token only when it is offered a second time", () => {
    const cache = new TokenCache(10);
    cache.offer(token(2_000_000_000, 1));
    expect(cache.get("header.payload.signature-1", 0)).toBeUndefined();
    cache.offer(token(2_000_000_000, 1));
    expect(cache.get("header.payload.signature-1", 0)).toMatchObject({ exp: 2_000_000_000 });
  });

  it("holds at most maxEntries, dropping the oldest", () => {
    const cache = new TokenCache(3);
    for (let i = 0; i < 10; i++) admit(cache, token(2_000_000_000, i));
    expect(cache.size).toBe(3);
    expect(cache.get("header.payload.signature-0", 0)).toBeUndefined();
    expect(cache.get("header.payload.signature-9", 0)).toMatchObject({ signed: "header.payload.signature-9" });
  });

  it("drops an entry at its exp", () => {
    const cache = new TokenCache(10);
    admit(cache, token(100, 1));
    expect(cache.get("header.payload.signature-1", 99_999)).toMatchObject({ signed: "header.payload.signature-1" });
    expect(cache.get("header.payload.signature-1", 100_000)).toBe(EXPIRED);
    expect(cache.size).toBe(0);
  });
});
