// The verified-token cache can only ever make verification cheaper, never more permissive.
import { createHash } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { JwtToken as Token } from "trpc-jwt";

// Signature checks, counted on the native path and the jose fallback alike.
const signatures = vi.hoisted(() => ({ calls: 0, failWith: undefined as unknown }));
vi.mock("jose", async (importOriginal) => (await import("./helpers/countingSignatureChecks.js")).countingJose(importOriginal, signatures));
vi.mock("../src/keys/nativeVerify.js", async (importOriginal) =>
  (await import("./helpers/countingSignatureChecks.js")).countingNativeVerify(importOriginal, signatures),
);

const { AuthManager, createJwtContext, JwtError, JwtToken } = await import("trpc-jwt");
const { TokenCache, EXPIRED, BYTES_PER_ENTRY, tailHash } = await import("../src/tokens/TokenCache.js");
const { forgeHmac, goodClaims } = await import("./helpers/forge.js");
const { fakeClock, optionsFor } = await import("./helpers/keys.js");

beforeEach(() => {
  signatures.calls = 0;
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
    expect(signatures.calls).toBe(2);
    for (let i = 0; i < 5; i++) expect(await auth.verifyToken(signed)).toBe(second);
    expect(signatures.calls).toBe(2);
  });

  it("rejects an expired token even though it was cached while valid", async () => {
    const clock = fakeClock();
    const auth = new AuthManager(optionsFor("HS256", { clock: clock.now, authMaxAge: 60 }));
    const { signed } = await auth.authToken("alice");
    await auth.verifyToken(signed);
    await auth.verifyToken(signed); // now cached
    clock.advance(59);
    await expect(auth.verifyToken(signed)).resolves.toBeInstanceOf(JwtToken);
    expect(signatures.calls).toBe(2);
    clock.advance(1); // exp == now
    expect(await codeOf(auth.verifyToken(signed))).toBe("TOKEN_EXPIRED"); // from the cache entry, now dropped
    expect(signatures.calls).toBe(2);
    expect(await codeOf(auth.verifyToken(signed))).toBe("TOKEN_EXPIRED"); // through jose again
    expect(signatures.calls).toBe(3);
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
    expect(signatures.calls).toBe(2);
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
    expect(signatures.calls).toBe(3);
  });
});

describe("under load from one account (issue #17, findings 1 and 14)", () => {
  it("a user minting 10,000 tokens leaves other users' entries cached", async () => {
    const auth = new AuthManager(optionsFor("HS256", { cacheSize: 1_000 }));
    const others = await Promise.all(Array.from({ length: 100 }, (_, i) => auth.authToken(`user-${i}`).then((t) => t.signed)));
    const callOthers = async () => {
      const before = signatures.calls;
      for (const signed of others) await auth.verifyToken(signed);
      return signatures.calls - before; // misses: each one had its signature checked
    };
    await callOthers();
    await callOthers(); // now cached
    let misses = 0;
    for (let round = 0; round < 1_000; round++) {
      // Each minted token is used twice, so each is admitted: the worst case for eviction.
      // (Signed with the manager's secret by node:crypto, as authToken would, only faster.)
      for (let i = 0; i < 10; i++) {
        const signed = await forgeHmac({ header: { typ: "JWT" }, payload: goodClaims({ sub: "flooder", jti: `${round}-${i}` }) });
        await auth.verifyToken(signed);
        await auth.verifyToken(signed);
      }
      misses += await callOthers();
    }
    expect(misses).toBe(0); // 100,000 calls by other users, all served from the cache
  });

  it("a cached token does not keep the Cookie header it was cut from alive", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const auth = new AuthManager(optionsFor("HS256"));
    const createContext = createJwtContext(auth);
    const padding = "x".repeat(64 * 1024);
    const viaCookie = (signed: string) => {
      // A header string of its own per request, as Node's HTTP parser makes one.
      const cookie = `session=${padding}; auth=${signed}`;
      return createContext({ req: { headers: { cookie }, rawHeaders: ["Cookie", cookie] } }).jwt.token({ cookie: "auth" });
    };
    const tokens = await Promise.all(Array.from({ length: 350 }, (_, i) => auth.authToken(`user-${i}`).then((t) => t.signed)));
    for (const signed of tokens.slice(0, 50)) await viaCookie(signed); // warm-up, not measured
    gc();
    const before = process.memoryUsage().heapUsed;
    for (const signed of tokens.slice(50)) {
      await viaCookie(signed);
      await viaCookie(signed); // admitted: the cache now holds the token
    }
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    expect(await viaCookie(tokens[349] as string)).toMatchObject({ sub: "user-349" }); // keeps auth and its cache alive
    // 300 cached tokens: under 1 MiB on their own; pinning their headers would hold 19 MiB.
    expect(retained).toBeLessThan(4 * 1024 * 1024);
  });
});

describe("TokenCache", () => {
  const token = (exp: number, id: number) => ({ signed: `header.payload.signature-${id}`, exp }) as Token;
  // What a verifier does with the token it just verified.
  const offer = (cache: InstanceType<typeof TokenCache>, entry: Token) => cache.offer(entry.signed, () => entry);
  const admit = (cache: InstanceType<typeof TokenCache>, entry: Token) => {
    offer(cache, entry);
    offer(cache, entry);
  };

  it("admits a token only when it is offered a second time", () => {
    const cache = new TokenCache(10);
    offer(cache, token(2_000_000_000, 1));
    expect(cache.get("header.payload.signature-1", 0)).toBeUndefined();
    offer(cache, token(2_000_000_000, 1));
    expect(cache.get("header.payload.signature-1", 0)).toMatchObject({ exp: 2_000_000_000 });
  });

  it("never serves a token for another whose hash collides with it; the two take turns in one slot", () => {
    // Random signatures until two share the 32-bit hash (a birthday search: ~80,000 on average).
    const byHash = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; pair === undefined; i++) {
      const signed = `header.payload.${createHash("sha256").update(String(i)).digest("base64url")}`;
      const other = byHash.get(tailHash(signed));
      if (other !== undefined) pair = [other, signed];
      byHash.set(tailHash(signed), signed);
    }
    const [first, second] = pair;
    expect(tailHash(first)).toBe(tailHash(second));
    const cache = new TokenCache(10);
    admit(cache, { signed: first, exp: 2_000_000_000 } as Token);
    expect(cache.get(second, 0)).toBeUndefined();
    expect(cache.get(first, 0)).toMatchObject({ signed: first }); // served: it keeps the slot
    admit(cache, { signed: second, exp: 2_000_000_000 } as Token);
    expect(cache.get(second, 0)).toBeUndefined();
    expect(cache.get(first, 0)).toMatchObject({ signed: first });
    // Once the eviction hand has passed the first (it cooled), the second takes the slot.
    for (let i = 0; i < 10; i++) admit(cache, token(2_000_000_000, 1_000 + i));
    admit(cache, { signed: second, exp: 2_000_000_000 } as Token);
    expect(cache.get(second, 0)).toMatchObject({ signed: second });
    expect(cache.get(first, 0)).toBeUndefined();
  });

  it("holds at most maxEntries, dropping the oldest entry nobody has used since", () => {
    const cache = new TokenCache(3);
    for (let i = 0; i < 10; i++) admit(cache, token(2_000_000_000, i));
    expect(cache.size).toBe(3);
    expect(cache.get("header.payload.signature-0", 0)).toBeUndefined();
    // A newcomer gets one pass of the hand before it can be evicted: the last three admitted stay.
    for (const i of [6, 7, 8]) expect(cache.get(`header.payload.signature-${i}`, 0)).toMatchObject({ signed: `header.payload.signature-${i}` });
    // One that keeps coming back gets in once the hand has passed the entries nobody served.
    for (let tries = 0; tries < 3 && cache.get("header.payload.signature-9", 0) === undefined; tries++) admit(cache, token(2_000_000_000, 9));
    expect(cache.get("header.payload.signature-9", 0)).toMatchObject({ signed: "header.payload.signature-9" });
  });

  it("keeps the entries in use when traffic comes back beyond its reach, instead of evicting one per token (issue 26)", () => {
    // 16,384 tokens in turn over 10,000 entries: evicting for every newcomer, each entry went just
    // before its token came back, and no lookup hit (2.3 times the cost of no cache, measured).
    const cache = new TokenCache(10_000);
    const tokens = Array.from({ length: 16_384 }, (_, i) => token(2_000_000_000, i));
    let hits = 0;
    for (let pass = 0; pass < 5; pass++) {
      hits = 0;
      for (const entry of tokens) {
        if (cache.get(entry.signed, 0) === undefined) offer(cache, entry);
        else hits++;
      }
    }
    expect(cache.size).toBe(10_000);
    expect(hits).toBe(10_000); // the last pass: every cached entry served, none evicted
  });

  it("keeps an entry that is being used while new tokens pass through (not FIFO)", () => {
    const cache = new TokenCache(3);
    admit(cache, token(2_000_000_000, 0));
    for (let i = 1; i < 100; i++) {
      expect(cache.get("header.payload.signature-0", 0)).toMatchObject({ signed: "header.payload.signature-0" });
      admit(cache, token(2_000_000_000, i));
    }
    expect(cache.size).toBe(3);
  });

  it("admits every token of a cycle as long as the cache on its second pass; few of a scan", () => {
    const cycling = new TokenCache(10_000);
    const tokens = Array.from({ length: 10_000 }, (_, i) => token(2_000_000_000, i));
    for (const entry of tokens) offer(cycling, entry);
    for (const entry of tokens) offer(cycling, entry);
    expect(cycling.size).toBe(10_000);
    const scanned = new TokenCache(10_000);
    for (let i = 0; i < 100_000; i++) offer(scanned, token(2_000_000_000, i));
    expect(scanned.size).toBeLessThan(5_000); // false positives of the "seen once" filter only
  });

  it("is bounded by estimated bytes as well as entries", () => {
    const big = (id: number) => ({ signed: `${"h".repeat(8000)}.${id}`, exp: 2_000_000_000 }) as Token;
    const cache = new TokenCache(10_000);
    for (let i = 0; i < 2_000; i++) admit(cache, big(i));
    expect(cache.bytes).toBeLessThanOrEqual(10_000 * BYTES_PER_ENTRY);
    expect(cache.size).toBeLessThan(1_000);
    const small = new TokenCache(100, 5_000);
    for (let i = 0; i < 50; i++) admit(small, big(i));
    expect(small.size).toBe(0); // one entry alone exceeds the budget: never admitted
    for (let i = 0; i < 50; i++) admit(small, token(2_000_000_000, i));
    expect(small.bytes).toBeLessThanOrEqual(5_000);
    expect(small.size).toBeGreaterThan(0);
  });

  it("frees the bytes of an entry dropped at its exp", () => {
    const cache = new TokenCache(10);
    admit(cache, token(100, 1));
    expect(cache.bytes).toBeGreaterThan(0);
    expect(cache.get("header.payload.signature-1", 100_000)).toBe(EXPIRED);
    expect(cache.bytes).toBe(0);
  });

  it("drops an entry at its exp", () => {
    const cache = new TokenCache(10);
    admit(cache, token(100, 1));
    expect(cache.get("header.payload.signature-1", 99_999)).toMatchObject({ signed: "header.payload.signature-1" });
    expect(cache.get("header.payload.signature-1", 100_000)).toBe(EXPIRED);
    expect(cache.size).toBe(0);
  });
});
