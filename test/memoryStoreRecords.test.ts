// memoryStore() keeps one record per session, shared by its lookup by sid and its subject's
// inventory (issue 26). What that sharing could break, checked from outside the store: answers
// that are the store's own objects, a record left behind in an inventory, a sid written twice.
import { runInNewContext } from "node:vm";
import { setFlagsFromString } from "node:v8";
import { describe, expect, it } from "vitest";
import { memoryStore } from "trpc-jwt";
import type { StoredSession } from "trpc-jwt/types";

const HOUR = 3_600_000;

describe("memoryStore() answers", () => {
  it("are copies: changing what loadSession, revocationState or listSessions returned changes nothing in the store", async () => {
    const store = memoryStore();
    const now = Date.now();
    await store.createSession("s1", { sub: "alice", scope: "read" }, now + HOUR, { createdAtMs: now, userAgent: "Firefox" });
    await store.createSession("s2", { sub: "alice" }, now + HOUR, { createdAtMs: now });
    await store.revokeSession("s2", now + HOUR);
    const tamper = (session: StoredSession | undefined) => Object.assign(session as object, { sub: "mallory", scope: "admin", generation: -1, revoked: false });
    tamper(await store.loadSession("s2"));
    tamper((await store.revocationState({ tokenId: "t", sid: "s2", sub: "alice" })).session);
    tamper(await store.loadSession("s1"));
    Object.assign((await store.listSessions!("alice", now))[0] as object, { sid: "s2", lastUsedAtMs: 0, userAgent: "forged" });

    expect(await store.loadSession("s2")).toEqual({ sub: "alice", generation: 0, revoked: true });
    expect((await store.revocationState({ tokenId: "t", sid: "s2", sub: "alice" })).session).toEqual({ sub: "alice", generation: 0, revoked: true });
    expect(await store.loadSession("s1")).toEqual({ sub: "alice", scope: "read", generation: 0, revoked: false });
    expect(await store.listSessions!("alice", now)).toEqual([{ sid: "s1", createdAtMs: now, lastUsedAtMs: now, userAgent: "Firefox" }]);
  });

  it("are taken when asked: a session revoked after it was loaded does not change the earlier answer", async () => {
    const store = memoryStore();
    await store.createSession("s1", { sub: "alice" }, Date.now() + HOUR);
    const loaded = await store.loadSession("s1");
    await store.revokeSession("s1", Date.now() + HOUR);
    expect(loaded).toEqual({ sub: "alice", generation: 0, revoked: false });
  });
});

describe("memoryStore() sessions by sid and by subject", () => {
  it("lists a sid written twice once, under the subject written last", async () => {
    const store = memoryStore();
    const now = Date.now();
    await store.createSession("s1", { sub: "alice" }, now + HOUR, { createdAtMs: now });
    await store.createSession("s1", { sub: "alice" }, now + HOUR, { createdAtMs: now + 1 });
    expect((await store.listSessions!("alice", now)).map(({ sid, createdAtMs }) => ({ sid, createdAtMs }))).toEqual([{ sid: "s1", createdAtMs: now + 1 }]);
    await store.createSession("s1", { sub: "bob" }, now + HOUR, { createdAtMs: now + 2 });
    expect(await store.listSessions!("alice", now)).toEqual([]);
    expect((await store.listSessions!("bob", now)).map(({ sid }) => sid)).toEqual(["s1"]);
    // Nor does revoking alice's other sessions reach bob's session of that sid.
    await store.createSession("s2", { sub: "alice" }, now + HOUR, { createdAtMs: now, issuer: "app" });
    const keep = { sub: "alice", issuer: "app", sid: "s2", tokenId: "t", listing: { createdAtMs: now, issuer: "app" } };
    expect(await store.revokeOtherSessions!(keep, now, now + HOUR)).toEqual([]);
    expect((await store.loadSession("s1"))?.revoked).toBe(false);
  });

  it("a rotation keeps the session's listing, last use and rotation in one place: each read sees the others' writes", async () => {
    let now = 1_000_000;
    const store = memoryStore({ clock: () => now });
    await store.createSession("s1", { sub: "alice", scope: "read" }, now + HOUR, { createdAtMs: now, ip: "192.0.2.1" });
    expect(await store.consumeRotation("s1", 0, now + 10)).toBeUndefined();
    expect(await store.updateSession("s1", { sub: "alice", scope: "write" }, now + 2 * HOUR, now + 10)).toBe(true);
    expect(await store.touchSession!("alice", "s1", now + 20, 5)).toBe(true);
    expect(await store.consumeRotation("s1", 0, now + 30)).toBe(now + 10);
    expect(await store.loadSession("s1")).toEqual({ sub: "alice", scope: "write", generation: 0, revoked: false });
    now += 1.5 * HOUR;
    expect(await store.listSessions!("alice", now)).toEqual([{ sid: "s1", createdAtMs: 1_000_000, lastUsedAtMs: 1_000_020, ip: "192.0.2.1" }]);
  });
});

describe("memoryStore() inventory", () => {
  it("lists a subject's sessions as they come and go, one or several: logins, uses, revocations, expiry, revokeSubject", async () => {
    let now = 1_000_000;
    const store = memoryStore({ clock: () => now });
    const listed = async () => (await store.listSessions!("alice", now)).map(({ sid }) => sid);
    const login = (sid: string, lifeMs = 2 * HOUR) => store.createSession(sid, { sub: "alice" }, now + lifeMs, { createdAtMs: now, issuer: "app" });
    await login("a");
    expect(await listed()).toEqual(["a"]);
    expect(await store.touchSession!("alice", "a", now + 60_000, 60_000)).toBe(true);
    await login("b");
    await login("c");
    await store.revokeSession("b", now + HOUR);
    expect(await listed()).toEqual(["a", "c"]);
    await store.revokeSession("a", now + HOUR);
    expect(await listed()).toEqual(["c"]);
    expect(await store.touchSession!("alice", "c", now + 60_000, 60_000)).toBe(true);
    expect(await store.touchSession!("alice", "a", now + 60_000, 60_000)).toBe(false);
    await store.revokeSession("c", now + HOUR);
    expect(await listed()).toEqual([]);
    await login("d");
    await login("e", HOUR / 2);
    now += HOUR;
    expect(await listed()).toEqual(["d"]);
    await login("f"); // sweeps e out
    expect(await listed()).toEqual(["d", "f"]);
    const keep = { sub: "alice", issuer: "app", sid: "f", tokenId: "t", listing: { createdAtMs: now, issuer: "app" } };
    expect(await store.revokeOtherSessions!(keep, now, now + HOUR)).toEqual(["d"]);
    expect(await listed()).toEqual(["f"]);
    expect(await store.revokeOtherSessions!(keep, now, now + HOUR)).toEqual([]);
    await store.revokeSubject("alice", now, now + HOUR);
    expect(await listed()).toEqual([]);
    await login("g");
    await store.revokeSession("f", now + HOUR); // unlisted already: g stays listed
    expect(await listed()).toEqual(["g"]);
  });
});

describe("memoryStore() size", () => {
  it("drops expired sessions, their listings included, within a minute of the next login: a subject with one live session keeps only that one", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    let now = 1_000_000;
    const store = memoryStore({ clock: () => now });
    const heap = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    await store.createSession("warm-up", { sub: "carol" }, now + HOUR);
    const before = heap();
    // alice keeps one session for a day; 20,000 more of hers and 20,000 of other subjects expire within the hour.
    await store.createSession("alice-long", { sub: "alice" }, now + 24 * HOUR, { createdAtMs: now });
    for (let i = 0; i < 20_000; i++) {
      await store.createSession(`alice-${i}`, { sub: "alice" }, now + HOUR, { createdAtMs: now, userAgent: `agent ${i}` });
      await store.createSession(`other-${i}`, { sub: `user-${i}` }, now + HOUR, { createdAtMs: now, userAgent: `agent ${i}` });
    }
    const full = heap() - before;
    now += HOUR + 60_000;
    await store.createSession("next", { sub: "dave" }, now + HOUR);
    const swept = heap() - before;
    expect((await store.listSessions!("alice", now)).map(({ sid }) => sid)).toEqual(["alice-long"]);
    // 40,000 sessions took megabytes; what is left is a few sessions' worth.
    expect(full).toBeGreaterThan(8 * 1024 * 1024);
    expect(swept).toBeLessThan(1024 * 1024);
  });
});
