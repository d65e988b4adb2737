// The conformance suite of `TokenStore`, shipped under "trpc-jwt/testing" so that the author of
// an adapter for another database runs the very suite memoryStore() and redisStore() pass. It
// imports no test runner: the caller hands in its own `it` and `expect` (vitest, jest, bun:test),
// so loading the entry never loads a runner, and it uses only Web APIs (crypto.randomUUID).
import { apiKeyConformance } from "./apiKeyConformance.js";
import { HOUR, id, listening, sleep, until, type ConformanceRunner, type StoreUnderTest } from "./conformanceKit.js";
import { inventoryConformance } from "./inventoryConformance.js";
import { rateLimitConformance } from "./rateLimitConformance.js";

export type { ConformanceMatchers, ConformanceRunner, StoreUnderTest } from "./conformanceKit.js";

const now = () => Date.now();

/**
 * The behaviour every `TokenStore` must have; call inside a `describe` for each store, with your
 * runner's `it` and `expect`. The session logic relies on each of these; an adapter for another
 * database should pass them all.
 *
 * @example
 * ```ts
 * import { describe, expect, it } from "vitest";
 * import { storeConformance } from "trpc-jwt/testing";
 *
 * describe("my store", () => {
 *   storeConformance({ open: async () => myStore(sharedConnection) }, { it, expect });
 * });
 * ```
 */
export function storeConformance(target: StoreUnderTest, { it, expect }: ConformanceRunner): void {
  it("keeps a session: subject, scope and claims, generation 0, not revoked; unknown ids are undefined", async () => {
    const store = await target.open();
    const sid = id();
    await store.createSession(sid, { sub: "alice", scope: { admin: true }, claims: { org: "acme", n: [1, 2] } }, now() + HOUR);
    expect(await store.loadSession(sid)).toEqual({ sub: "alice", scope: { admin: true }, claims: { org: "acme", n: [1, 2] }, generation: 0, revoked: false });
    const bare = id();
    await store.createSession(bare, { sub: "bob" }, now() + HOUR);
    expect(await store.loadSession(bare)).toEqual({ sub: "bob", generation: 0, revoked: false });
    expect(await store.loadSession(id())).toBeUndefined();
  });

  it("updates scope and claims of a live session, keeping its generation and revoked mark; a missing session stays missing", async () => {
    const store = await target.open();
    const sub = `u-${id()}`;
    await store.revokeSubject(sub, now(), now() + HOUR);
    const sid = id();
    await store.createSession(sid, { sub, scope: "read" }, now() + HOUR);
    const { generation } = (await store.loadSession(sid))!;
    expect(generation).toBeGreaterThan(0);
    await store.updateSession(sid, { sub, scope: "write", claims: { plan: "pro" } }, now() + HOUR);
    expect(await store.loadSession(sid)).toEqual({ sub, scope: "write", claims: { plan: "pro" }, generation, revoked: false });
    await store.revokeSession(sid, now() + HOUR);
    await store.updateSession(sid, { sub }, now() + HOUR);
    expect(await store.loadSession(sid)).toEqual({ sub, generation, revoked: true });
    const missing = id();
    await store.updateSession(missing, { sub }, now() + HOUR);
    expect(await store.loadSession(missing)).toBeUndefined();
  });

  it("consumes a refresh token once: the first call gets undefined, later ones the time of the first", async () => {
    const store = await target.open();
    const jti = id();
    const first = now();
    expect(await store.consumeRefreshToken(jti, first, first + HOUR)).toBeUndefined();
    expect(await store.consumeRefreshToken(jti, first + 5, first + HOUR)).toBe(first);
    expect(await store.consumeRefreshToken(id(), first, first + HOUR)).toBeUndefined();
  });

  it("lets exactly one of 20 concurrent consumers (through two views of the store) use a token", async () => {
    const [a, b] = [await target.open(), await target.open()];
    const jti = id();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).consumeRefreshToken(jti, now(), now() + HOUR)));
    expect(results.filter((result) => result === undefined)).toHaveLength(1);
  });

  it("keeps one rotation per session: its first use gets undefined, the one used last its time, older ones 0", async () => {
    const store = await target.open();
    const sid = id();
    await store.createSession(sid, { sub: "alice" }, now() + HOUR);
    const t0 = now();
    expect(await store.consumeRotation(sid, 0, t0)).toBeUndefined();
    expect(await store.consumeRotation(sid, 0, t0 + 5)).toBe(t0);
    expect(await store.consumeRotation(sid, 1, t0 + 10)).toBeUndefined();
    expect(await store.consumeRotation(sid, 1, t0 + 15)).toBe(t0 + 10);
    expect(await store.consumeRotation(sid, 0, t0 + 20)).toBe(0);
    // A rotation beyond the expected one (a store that lost a write) is taken as the current one.
    expect(await store.consumeRotation(sid, 5, t0 + 30)).toBeUndefined();
    expect(await store.consumeRotation(sid, 2, t0 + 35)).toBe(0);
    expect(await store.consumeRotation(sid, 5, t0 + 40)).toBe(t0 + 30);
    // The session itself is untouched, and an unknown session has nothing to use up.
    expect(await store.loadSession(sid)).toEqual({ sub: "alice", generation: 0, revoked: false });
    const unknown = id();
    expect(await store.consumeRotation(unknown, 0, t0)).toBeUndefined();
    expect(await store.loadSession(unknown)).toBeUndefined();
  });

  it("lets exactly one of 20 concurrent rotations of one session (through two views) use it; the rotation dies with the session", async () => {
    const [a, b] = [await target.open(), await target.open()];
    const sid = id();
    await a.createSession(sid, { sub: "alice" }, now() + 300);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).consumeRotation(sid, 0, now())));
    expect(results.filter((result) => result === undefined)).toHaveLength(1);
    await sleep(450);
    await a.createSession(sid, { sub: "alice" }, now() + HOUR);
    expect(await a.consumeRotation(sid, 0, now())).toBeUndefined();
  });

  it("revokes one token, and only that one", async () => {
    const store = await target.open();
    const [revoked, other] = [id(), id()];
    await store.revokeToken(revoked, now() + HOUR);
    expect((await store.revocationState({ tokenId: revoked, sid: undefined, sub: "alice" })).tokenRevoked).toBe(true);
    expect((await store.revocationState({ tokenId: other, sid: undefined, sub: "alice" })).tokenRevoked).toBe(false);
  });

  it("revokes a session it knows and one it does not; revocationState reports the session", async () => {
    const store = await target.open();
    const [known, unknown, untouched] = [id(), id(), id()];
    await store.createSession(known, { sub: "alice" }, now() + HOUR);
    await store.createSession(untouched, { sub: "alice" }, now() + HOUR);
    await store.revokeSession(known, now() + HOUR);
    await store.revokeSession(unknown, now() + HOUR);
    expect((await store.loadSession(known))?.revoked).toBe(true);
    expect((await store.loadSession(unknown))?.revoked).toBe(true);
    expect((await store.revocationState({ tokenId: id(), sid: known, sub: "alice" })).session?.revoked).toBe(true);
    expect((await store.revocationState({ tokenId: id(), sid: untouched, sub: "alice" })).session).toEqual({ sub: "alice", generation: 0, revoked: false });
    expect((await store.revocationState({ tokenId: id(), sid: undefined, sub: "alice" })).session).toBeUndefined();
  });

  it("revokes a subject with a strictly increasing generation >= now; sessions carry the generation they were born in", async () => {
    const store = await target.open();
    const sub = `u-${id()}`;
    const before = id();
    await store.createSession(before, { sub }, now() + HOUR);
    const at = now();
    await store.revokeSubject(sub, at, at + HOUR);
    const first = (await store.revocationState({ tokenId: id(), sid: before, sub })).subjectGeneration;
    expect(first).toBeGreaterThanOrEqual(at);
    expect((await store.loadSession(before))!.generation).toBeLessThan(first);
    await store.revokeSubject(sub, at, at + HOUR); // same millisecond: still a new generation
    const second = (await store.revocationState({ tokenId: id(), sid: undefined, sub })).subjectGeneration;
    expect(second).toBeGreaterThan(first);
    const after = id();
    await store.createSession(after, { sub }, now() + HOUR);
    expect((await store.loadSession(after))!.generation).toBe(second);
    expect((await store.revocationState({ tokenId: id(), sid: undefined, sub: `other-${id()}` })).subjectGeneration).toBe(0);
  });

  it("forgets every entry when it expires", async () => {
    const store = await target.open();
    const soon = now() + 300;
    const [sid, unknownSid, used, revoked, sub] = [id(), id(), id(), id(), `u-${id()}`];
    await store.createSession(sid, { sub: "alice" }, soon);
    await store.revokeSession(unknownSid, soon);
    await store.consumeRefreshToken(used, now(), soon);
    await store.revokeToken(revoked, soon);
    await store.revokeSubject(sub, now(), soon);
    await sleep(450);
    expect(await store.loadSession(sid)).toBeUndefined();
    expect(await store.loadSession(unknownSid)).toBeUndefined();
    expect(await store.consumeRefreshToken(used, now(), now() + HOUR)).toBeUndefined();
    expect(await store.revocationState({ tokenId: revoked, sid, sub })).toEqual({ tokenRevoked: false, session: undefined, subjectGeneration: 0 });
  });

  it("extends a session's expiry on update, never shortens it, and a revoked session keeps its expiry", async () => {
    const store = await target.open();
    const [extended, kept] = [id(), id()];
    await store.createSession(extended, { sub: "alice" }, now() + 300);
    await store.updateSession(extended, { sub: "alice" }, now() + HOUR);
    await store.createSession(kept, { sub: "alice" }, now() + HOUR);
    await store.updateSession(kept, { sub: "alice" }, now() + 300);
    await store.revokeSession(kept, now() + 300);
    await sleep(450);
    expect(await store.loadSession(extended)).toEqual({ sub: "alice", generation: 0, revoked: false });
    expect(await store.loadSession(kept)).toEqual({ sub: "alice", generation: 0, revoked: true });
  });

  it("announces every revocation, made through any view, to every subscriber", async () => {
    const [a, b] = [await target.open(), await target.open()];
    if (a.subscribe === undefined) return; // optional: such stores are asked on every use
    const heard = await listening(b, expect);
    if (heard === undefined) return;
    const [jti, sid, sub] = [id(), id(), `u-${id()}`];
    await a.revokeToken(jti, now() + HOUR);
    await a.revokeSession(sid, now() + HOUR);
    await a.revokeSubject(sub, now(), now() + HOUR);
    await until(() => heard.events.length >= 3);
    expect(heard.events).toEqual([
      { kind: "token", id: jti },
      { kind: "session", id: sid },
      { kind: "subject", id: sub },
    ]);
    heard.stop();
  });
  inventoryConformance(target, { it, expect });
  rateLimitConformance(target, { it, expect });
  apiKeyConformance(target, { it, expect });
}
