// The session logic (src/sessions) driven through its small signer interface, against both stores.
import { createHash, randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { AuthManager, JwtConfigError, JwtError, JwtToken, memoryStore, type JsonObject, type JsonValue, type TokenStore, type TokenType } from "trpc-jwt";
import { isRefusal, type JwtErrorCode } from "../src/errors.js";
import { RevocationCheck } from "../src/sessions/RevocationCheck.js";
import { tokenRef } from "../src/sessions/tokenRef.js";
import { Sessions, type SessionClaims, type SessionSigner } from "../src/sessions/Sessions.js";
import type { RevocationListener, RevocationState, TokenRef } from "../src/stores/TokenStore.js";
import { HS256_SECRET } from "./helpers/keys.js";
import { connectRedis, hasRedisServer } from "./helpers/redisServer.js";
import { useRedisStores } from "./helpers/useRedisStores.js";
import { failingStore } from "./helpers/failingStore.js";
import { rejectionOf } from "./helpers/rejection.js";

const ISSUER = "sessions-test";
const REFRESH_MAX_AGE = 86_400;

/** Sessions over a real AuthManager (for verification) and jose (to sign the session claims). */
function harness(store: TokenStore | undefined, rotationGrace = 0) {
  let offsetMs = 0;
  const clock = () => Date.now() + offsetMs;
  const auth = new AuthManager({ issuer: ISSUER, authType: "HS256", secret: HS256_SECRET, clock, refreshMaxAge: REFRESH_MAX_AGE });
  const key = new TextEncoder().encode(HS256_SECRET);
  const issue = async (type: TokenType, sub: string, scope: JsonValue | undefined, claims: JsonObject | undefined, session: SessionClaims) => {
    const iat = Math.floor(clock() / 1000);
    const exp = iat + (type === "auth" ? 3600 : REFRESH_MAX_AGE);
    const extra = type === "auth" ? { ...(scope === undefined ? {} : { scope }), ...claims } : {};
    const payload = { iss: ISSUER, iat, exp, sub, type, jti: randomUUID(), ...extra, ...session };
    return auth.verifyToken(await new SignJWT(payload).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(key));
  };
  const signer: SessionSigner = {
    issuePair: async (sub, scope, claims, session, rot) => ({
      authToken: await issue("auth", sub, scope, claims, session),
      refreshToken: await issue("refresh", sub, undefined, undefined, { ...session, rot }),
    }),
    verify: (signed, type) => auth.verifyToken(signed, type),
  };
  const sessions = new Sessions(signer, { store, issuer: ISSUER, rotationGrace, maxTokenLifetime: REFRESH_MAX_AGE, clockTolerance: 0, cacheSize: 100, clock });
  const check = (token: JwtToken) => Promise.resolve(sessions.revocationCheck!.check(token));
  return { sessions, auth, issue, check, advance: (ms: number) => (offsetMs += ms) };
}

async function refusalCode(promise: Promise<unknown>): Promise<JwtErrorCode> {
  const error = await rejectionOf(promise);
  expect(isRefusal(error), `expected a refusal, got ${String(error)}`).toBe(true);
  return (error as JwtError).code;
}

async function checkCode(promise: Promise<unknown>): Promise<JwtErrorCode> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(JwtError);
  return (error as JwtError).code;
}

function sessionLogic(openStore: () => Promise<TokenStore>) {
  it("login: a pair sharing sid, auth_time and a random csrf of >= 16 characters", async () => {
    const { sessions } = harness(await openStore());
    const before = Math.floor(Date.now() / 1000);
    const { authToken, refreshToken } = await sessions.login("alice", { admin: true }, { org: "acme" });
    expect(authToken.tokenType).toBe("auth");
    expect(refreshToken.tokenType).toBe("refresh");
    expect(authToken.scope).toEqual({ admin: true });
    expect(authToken.claims["org"]).toBe("acme");
    for (const name of ["sid", "auth_time", "csrf"]) expect(refreshToken.claims[name]).toEqual(authToken.claims[name]);
    expect(authToken.claims["auth_time"]).toBeGreaterThanOrEqual(before);
    expect(String(authToken.claims["csrf"]).length).toBeGreaterThanOrEqual(16);
    const other = await sessions.login("alice");
    expect(other.authToken.claims["sid"]).not.toBe(authToken.claims["sid"]);
    expect(other.authToken.claims["csrf"]).not.toBe(authToken.claims["csrf"]);
  });

  it("rotate: a new pair in the same session, scope and claims kept, sid/auth_time/csrf carried over", async () => {
    const { sessions } = harness(await openStore());
    const first = await sessions.login("alice", { admin: true }, { org: "acme" });
    const next = await sessions.rotate(first.refreshToken.signed);
    for (const name of ["sid", "auth_time", "csrf"]) {
      expect(next.authToken.claims[name]).toEqual(first.authToken.claims[name]);
      expect(next.refreshToken.claims[name]).toEqual(first.authToken.claims[name]);
    }
    expect(next.refreshToken.jti).not.toBe(first.refreshToken.jti);
    expect(next.authToken.scope).toEqual({ admin: true });
    expect(next.authToken.claims["org"]).toBe("acme");
    // A JwtToken works as well as its string, and `update` replaces what it names.
    const updated = await sessions.rotate(next.refreshToken, { scope: { admin: false }, claims: { org: "beta" } });
    expect(updated.authToken.scope).toEqual({ admin: false });
    expect(updated.authToken.claims["org"]).toBe("beta");
    const kept = await sessions.rotate(updated.refreshToken, { claims: { org: "gamma" } });
    expect(kept.authToken.scope).toEqual({ admin: false });
    expect(kept.authToken.claims["org"]).toBe("gamma");
  });

  it("reuse of a rotated refresh token: 401 TOKEN_REUSED and the whole session revoked, newest tokens included", async () => {
    const { sessions, check } = harness(await openStore());
    const first = await sessions.login("alice");
    const unrelated = await sessions.login("alice");
    const next = await sessions.rotate(first.refreshToken.signed);
    await check(next.authToken); // remembered as unrevoked: the revocation must reach the memory too
    expect(await refusalCode(sessions.rotate(first.refreshToken.signed))).toBe("TOKEN_REUSED");
    expect(await checkCode(check(next.authToken))).toBe("TOKEN_REVOKED");
    expect(await checkCode(check(next.refreshToken))).toBe("TOKEN_REVOKED");
    expect(await checkCode(check(first.authToken))).toBe("TOKEN_REVOKED");
    expect(await refusalCode(sessions.rotate(next.refreshToken))).toBe("TOKEN_REVOKED");
    await expect(check(unrelated.authToken)).resolves.toBe(unrelated.authToken);
  });

  it("counts rotations in the refresh token: any earlier one is reuse, and a grace twin may go on once", async () => {
    const { sessions, check, advance } = harness(await openStore(), 5);
    const first = await sessions.login("alice");
    expect(first.refreshToken.claims["rot"]).toBe(0);
    expect(first.authToken.claims["rot"]).toBeUndefined();
    const a = await sessions.rotate(first.refreshToken);
    const twin = await sessions.rotate(first.refreshToken); // within the grace: a twin of a
    expect([a.refreshToken.claims["rot"], twin.refreshToken.claims["rot"]]).toEqual([1, 1]);
    const b = await sessions.rotate(twin.refreshToken); // whichever twin the client kept goes on
    expect(b.refreshToken.claims["rot"]).toBe(2);
    advance(6000);
    expect(await refusalCode(sessions.rotate(first.refreshToken))).toBe("TOKEN_REUSED"); // two rotations back
    expect(await checkCode(check(b.authToken))).toBe("TOKEN_REVOKED");
  });

  it("rotationGrace: within it a just-rotated token gets a new pair in the same session; after it, reuse", async () => {
    const { sessions, check, advance } = harness(await openStore(), 5);
    const first = await sessions.login("alice", "read");
    const a = await sessions.rotate(first.refreshToken.signed);
    advance(4000);
    const b = await sessions.rotate(first.refreshToken.signed);
    expect(b.authToken.claims["sid"]).toBe(first.authToken.claims["sid"]);
    expect(b.authToken.scope).toBe("read");
    await expect(check(a.authToken)).resolves.toBe(a.authToken);
    await expect(check(b.authToken)).resolves.toBe(b.authToken);
    advance(1500);
    expect(await refusalCode(sessions.rotate(first.refreshToken.signed))).toBe("TOKEN_REUSED");
    expect(await checkCode(check(b.authToken))).toBe("TOKEN_REVOKED");
  });

  it("strict by default: a second rotation in the same millisecond is reuse", async () => {
    const { sessions } = harness(await openStore());
    const { refreshToken } = await sessions.login("alice");
    const results = await Promise.allSettled([sessions.rotate(refreshToken), sessions.rotate(refreshToken)]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const failed = results.find((result) => result.status === "rejected") as PromiseRejectedResult;
    expect((failed.reason as JwtError).code).toBe("TOKEN_REUSED");
  });

  it("20 concurrent rotations of one refresh token through two views: exactly one pair, 19 TOKEN_REUSED", async () => {
    const views = [harness(await openStore()), harness(await openStore())];
    const { refreshToken } = await views[0]!.sessions.login("alice");
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => views[i % 2]!.sessions.rotate(refreshToken.signed)));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const codes = results.flatMap((result) => (result.status === "rejected" ? [(result.reason as JwtError).code] : []));
    expect(codes).toEqual(Array(19).fill("TOKEN_REUSED"));
  });

  it("revoke(token): a sessionless token only, until it would expire; a session's token ends its session; an expired token needs nothing", async () => {
    const { sessions, check, advance, auth } = harness(await openStore());
    const plain = await auth.authToken("alice");
    const other = await auth.authToken("alice");
    await check(plain);
    await sessions.revoke(plain.signed);
    expect(await checkCode(check(plain))).toBe("TOKEN_REVOKED");
    await expect(check(other)).resolves.toBe(other);
    // #22.4: revoke(ctx.token) is the logout, so a session's refresh token must not outlive it.
    const pair = await sessions.login("alice");
    const unrelated = await sessions.login("alice");
    await sessions.revoke(pair.authToken.signed);
    expect(await checkCode(check(pair.authToken))).toBe("TOKEN_REVOKED");
    expect(await checkCode(check(pair.refreshToken))).toBe("TOKEN_REVOKED");
    await expect(check(unrelated.authToken)).resolves.toBe(unrelated.authToken);
    const later = await sessions.login("bob");
    advance(3_601_000);
    await expect(sessions.revoke(later.authToken)).resolves.toBeUndefined();
  });

  it("revokeSession: every token of that login, other logins untouched", async () => {
    const { sessions, check } = harness(await openStore());
    const one = await sessions.login("alice");
    const two = await sessions.login("alice");
    await check(one.authToken);
    await sessions.revokeSession(String(one.authToken.claims["sid"]));
    expect(await checkCode(check(one.authToken))).toBe("TOKEN_REVOKED");
    expect(await checkCode(check(one.refreshToken))).toBe("TOKEN_REVOKED");
    expect(await refusalCode(sessions.rotate(one.refreshToken))).toBe("TOKEN_REVOKED");
    await expect(check(two.authToken)).resolves.toBe(two.authToken);
  });

  it("revokeSubject: every token of the subject so far (sessions and plain tokens); a login right after works", async () => {
    const { sessions, check, auth } = harness(await openStore());
    const sub = `user-${randomUUID()}`;
    const one = await sessions.login(sub);
    const two = await sessions.login(sub);
    const plain = await auth.authToken(sub);
    const bob = await sessions.login("bob");
    await check(one.authToken);
    await sessions.revokeSubject(sub);
    const after = await sessions.login(sub);
    for (const token of [one.authToken, two.refreshToken, plain]) expect(await checkCode(check(token))).toBe("TOKEN_REVOKED");
    await expect(check(after.authToken)).resolves.toBe(after.authToken);
    await expect(check(bob.authToken)).resolves.toBe(bob.authToken);
    const rotated = await sessions.rotate(after.refreshToken);
    await expect(check(rotated.authToken)).resolves.toBe(rotated.authToken);
  });

  it("refuses what cannot be rotated: a bad string, an auth token, an expired one, a sessionless token without jti", async () => {
    const { sessions, advance } = harness(await openStore());
    const pair = await sessions.login("alice");
    expect(await refusalCode(sessions.rotate("not.a.token"))).toBe("TOKEN_INVALID");
    expect(await refusalCode(sessions.rotate(pair.authToken.signed))).toBe("TOKEN_WRONG_TYPE");
    expect(await refusalCode(sessions.rotate(pair.authToken))).toBe("TOKEN_WRONG_TYPE");
    // A sessionless refresh token of this manager starts a session (#22.5), but only with a jti:
    // one identified by a hash of its text could come back in another spelling.
    const iat = Math.floor(Date.now() / 1000);
    const withoutJti = await new SignJWT({ iss: ISSUER, iat, exp: iat + 60, sub: "alice", type: "refresh" })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode(HS256_SECRET));
    expect(await refusalCode(sessions.rotate(withoutJti))).toBe("TOKEN_INVALID");
    advance((REFRESH_MAX_AGE + 1) * 1000);
    expect(await refusalCode(sessions.rotate(pair.refreshToken))).toBe("TOKEN_EXPIRED");
  });

  it("remembers an unrevoked token: the second check answers without a promise", async () => {
    const { sessions } = harness(await openStore());
    const { authToken } = await sessions.login("alice");
    const revocations = sessions.revocationCheck!;
    // Redis's channel comes up asynchronously; until then every check asks the store.
    const deadline = Date.now() + 2000;
    while (revocations.check(authToken) !== authToken && Date.now() < deadline) await Promise.all([revocations.check(authToken), sleep(10)]);
    expect(revocations.check(authToken)).toBe(authToken);
  });
}

describe("session logic with memoryStore()", () => {
  const store = memoryStore(); // one process: every view is the same store
  sessionLogic(async () => store);
});

describe.runIf(hasRedisServer())("session logic with redisStore() on a real redis-server", () => {
  const { open } = useRedisStores();
  sessionLogic(open);

  it("a revocation in one process's view reaches another's memory of the token within 100 ms", async () => {
    const here = harness(await open());
    const there = harness(await open());
    const { authToken } = await here.sessions.login("alice");
    await sleep(50); // both channels up
    await there.check(authToken);
    expect(there.sessions.revocationCheck!.check(authToken)).toBe(authToken); // remembered
    const started = performance.now();
    await here.sessions.revokeSession(String(authToken.claims["sid"]));
    let refusedAfter = Infinity;
    while (performance.now() - started < 1000) {
      const result = there.sessions.revocationCheck!.check(authToken);
      if (result !== authToken && (await checkCode(Promise.resolve(result))) === "TOKEN_REVOKED") {
        refusedAfter = performance.now() - started;
        break;
      }
      await sleep(1);
    }
    console.log(`revocation reached the other view after ${refusedAfter.toFixed(1)} ms`);
    expect(refusedAfter).toBeLessThan(100);
  });
});

describe("sessions without a store", () => {
  it("login works; rotate and revoke* throw JwtConfigError naming `store`", async () => {
    const { sessions } = harness(undefined);
    const pair = await sessions.login("alice");
    expect(pair.authToken.claims["sid"]).toBeTypeOf("string");
    expect(sessions.revocationCheck).toBeUndefined();
    for (const call of [
      () => sessions.rotate(pair.refreshToken),
      () => sessions.revoke(pair.authToken),
      () => sessions.revokeSession("s"),
      () => sessions.revokeSubject("alice"),
    ]) {
      const error = await rejectionOf(call());
      expect(error).toBeInstanceOf(JwtConfigError);
      expect((error as JwtConfigError).option).toBe("store");
    }
  });
});

describe("a store that fails", () => {
  it("gives STORE_UNAVAILABLE on every path, refusals where the caller's own token is concerned", async () => {
    const working = harness(memoryStore());
    const pair = await working.sessions.login("alice");
    const { sessions, check } = harness(failingStore());
    expect(await refusalCode(sessions.login("alice"))).toBe("STORE_UNAVAILABLE");
    expect(await refusalCode(sessions.rotate(pair.refreshToken))).toBe("STORE_UNAVAILABLE");
    expect(await refusalCode(sessions.revoke(pair.authToken))).toBe("STORE_UNAVAILABLE");
    expect(await refusalCode(sessions.revokeSession("sid"))).toBe("STORE_UNAVAILABLE");
    expect(await refusalCode(sessions.revokeSubject("alice"))).toBe("STORE_UNAVAILABLE");
    expect(await checkCode(check(pair.authToken))).toBe("STORE_UNAVAILABLE");
  });
});

describe("tokenRef", () => {
  it("files a token without a jti under the SHA-256 of its header and payload (never its signature, which may have a twin), as node:crypto's createHash computes it", async () => {
    const claims = { iss: "i", sub: "alice", iat: 1, exp: 2, type: "auth" as const };
    const signed = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
    const ref = tokenRef(new JwtToken(claims, signed));
    expect(ref).toBeInstanceOf(Promise);
    expect(await ref).toEqual({
      tokenId: createHash("sha256").update("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9").digest("base64url"),
      sid: undefined,
      sub: "alice",
    });
    // With a jti, no hash and no promise: a check asks the store at once.
    expect(tokenRef(new JwtToken({ ...claims, jti: "j1" }, signed))).toEqual({ tokenId: "j1", sid: undefined, sub: "alice" });
  });
});

describe("RevocationCheck", () => {
  /** A store with a controllable channel and a revocationState that answers when told to. */
  function controlledStore() {
    const store = memoryStore();
    let listener: RevocationListener | undefined;
    const pending: (() => void)[] = [];
    let lookups = 0;
    const controlled: TokenStore = {
      ...store,
      revocationState(ref: TokenRef): Promise<RevocationState> {
        lookups++;
        return new Promise((resolve) => pending.push(() => resolve(store.revocationState(ref))));
      },
      subscribe(l) {
        listener = l;
        return () => undefined;
      },
    };
    return { controlled, channel: () => listener!, answer: () => pending.splice(0).forEach((go) => go()), lookups: () => lookups };
  }

  it("does not remember an answer read while a revocation was announced (it may predate the revocation)", async () => {
    const { sessions } = harness(memoryStore());
    const { authToken } = await sessions.login("alice");
    const { controlled, channel, answer, lookups } = controlledStore();
    const revocations = new RevocationCheck(controlled, 10);
    channel().up();
    const first = revocations.check(authToken);
    channel().event({ kind: "session", id: String(authToken.claims["sid"]) });
    answer();
    await first;
    const second = revocations.check(authToken);
    expect(second).toBeInstanceOf(Promise);
    answer();
    await second;
    expect(revocations.check(authToken)).toBe(authToken);
    expect(lookups()).toBe(2);
  });

  it("forgets everything while the channel is down and asks the store on every use", async () => {
    const { sessions } = harness(memoryStore());
    const { authToken } = await sessions.login("alice");
    const { controlled, channel, answer } = controlledStore();
    const revocations = new RevocationCheck(controlled, 10);
    channel().up();
    const first = revocations.check(authToken);
    answer();
    await first;
    expect(revocations.check(authToken)).toBe(authToken);
    channel().down();
    const whileDown = revocations.check(authToken);
    expect(whileDown).toBeInstanceOf(Promise);
    answer();
    await whileDown;
    expect(revocations.check(authToken)).toBeInstanceOf(Promise); // still down: nothing remembered
    answer();
    channel().up();
    const afterUp = revocations.check(authToken);
    answer();
    await afterUp;
    expect(revocations.check(authToken)).toBe(authToken);
  });

  it("refuses a token whose sid is not a non-empty string", async () => {
    const { issue } = harness(memoryStore());
    const token = await issue("auth", "alice", undefined, undefined, { sid: "", auth_time: 1, csrf: "x".repeat(16) });
    const revocations = new RevocationCheck(memoryStore(), 10);
    expect(await checkCode(Promise.resolve(revocations.check(token)))).toBe("TOKEN_INVALID");
  });
});

describe.runIf(hasRedisServer())("Redis keys written by the session logic", () => {
  const redis = useRedisStores({ prefix: "ttl:" });

  it("every key has a TTL no longer than the remaining lifetime of the token(s) it concerns", async () => {
    const { sessions, auth } = harness(await redis.open());
    // Absolute expiry (ms) each key may have at most, by key.
    const bounds = new Map<string, number>();
    const sessionBound = (...tokens: JwtToken[]) => {
      const key = `ttl:sess:${String(tokens[0]!.claims["sid"])}`;
      bounds.set(key, Math.max(bounds.get(key) ?? 0, ...tokens.map((token) => token.exp * 1000)));
    };
    const first = await sessions.login("alice", { admin: true });
    sessionBound(first.authToken, first.refreshToken);
    const second = await sessions.rotate(first.refreshToken);
    sessionBound(second.authToken, second.refreshToken);
    // No key per used refresh token: the session's hash keeps its current rotation (issue 25).
    await rejectionOf(sessions.rotate(first.refreshToken)); // reuse: revokes the session
    const bob = await sessions.login("bob");
    sessionBound(bob.authToken, bob.refreshToken);
    await sessions.revoke(bob.authToken); // a session's token: its session is marked
    const plain = await auth.authToken("bob");
    await sessions.revoke(plain); // a sessionless token: a mark of its own
    bounds.set(`ttl:rev:${plain.jti}`, plain.exp * 1000);
    const carol = await sessions.login("carol");
    sessionBound(carol.authToken, carol.refreshToken);
    const before = Date.now();
    await sessions.revokeSubject("carol");
    bounds.set("ttl:sub:carol", Date.now() + REFRESH_MAX_AGE * 1000);
    await sessions.revokeSession("never-seen"); // a session the store does not know: the longest lifetime
    bounds.set("ttl:sess:never-seen", Date.now() + REFRESH_MAX_AGE * 1000);

    const client = await connectRedis(redis.server().url);
    redis.onCleanup(() => client.close());
    const keys = await client.keys("ttl:*");
    expect(keys.sort()).toEqual([...bounds.keys()].sort());
    for (const key of keys) {
      const expiresAt = await client.pExpireTime(key);
      expect(expiresAt, key).toBeGreaterThan(Date.now()); // -1 would mean "never expires"
      expect(expiresAt, key).toBeLessThanOrEqual(bounds.get(key)!);
    }
    // The subject's generation must outlive every token of carol issued before the revocation.
    expect(await client.pExpireTime("ttl:sub:carol")).toBeGreaterThanOrEqual(Math.max(carol.refreshToken.exp * 1000, before));
    console.log(`scanned ${keys.length} Redis keys: each expires no later than the token(s) it concerns`);
  });
});
