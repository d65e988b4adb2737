// The session-inventory part of the conformance suite, for stores that have one (the optional
// `SessionInventory` methods): run by `storeConformance` itself.
import type { KeptSession } from "../stores/SessionInventory.js";
import type { RevocationEvent, TokenStore } from "../stores/TokenStore.js";
import { HOUR, id, until, viewsWith, type ConformanceRunner, type StoreUnderTest } from "./conformanceKit.js";

/**
 * The behaviour of a store's session inventory: listing, unlisting on revocation and expiry,
 * uses recorded once per interval, and `revokeOtherSessions`. Called by `storeConformance`;
 * each case passes at once for a store without the inventory.
 *
 * @example
 * ```ts
 * inventoryConformance({ open: async () => memoryStore() }, { it, expect });
 * ```
 */
export function inventoryConformance(target: StoreUnderTest, { it, expect }: ConformanceRunner): void {
  const open = viewsWith(target, ["listSessions", "touchSession", "revokeOtherSessions", "othersRevokedAt"]);
  const login = async (store: TokenStore, sub: string, atMs: number, device: { userAgent?: string; ip?: string; issuer?: string } = {}) => {
    const sid = id();
    await store.createSession(sid, { sub }, atMs + HOUR, { createdAtMs: atMs, ...device });
    return sid;
  };
  // A store with a fresh subject of two sessions started now (undefined where the store has no
  // inventory): the start of each revocation case.
  const twoSessions = async () => {
    const store = await open();
    if (store === undefined) return undefined;
    const [sub, t0] = [`u-${id()}`, Date.now()];
    return [store, sub, t0, await login(store, sub, t0), await login(store, sub, t0)] as const;
  };
  // The kept session of a `revokeOtherSessions` call: `sid` of `sub`, presented with a fresh token id.
  const keep = (sub: string, sid: string | undefined, issuer = "app"): KeptSession => ({
    sub,
    issuer,
    sid,
    tokenId: id(),
    listing: { createdAtMs: Date.now(), issuer },
  });

  it("lists a subject's sessions with what they were listed with, through any view; another subject lists nothing", async () => {
    const [a, b] = [await open(), await open()];
    if (a === undefined || b === undefined) return;
    const [sub, t0] = [`u-${id()}`, Date.now()];
    const first = await login(a, sub, t0, { userAgent: "Firefox", ip: "192.0.2.1" });
    const second = await login(b, sub, t0 + 1, { ip: "2001:db8::1" });
    const listed = (await b.listSessions(sub, t0 + 2)).sort((x, y) => x.createdAtMs - y.createdAtMs);
    expect(listed).toEqual([
      { sid: first, createdAtMs: t0, lastUsedAtMs: t0, userAgent: "Firefox", ip: "192.0.2.1" },
      { sid: second, createdAtMs: t0 + 1, lastUsedAtMs: t0 + 1, ip: "2001:db8::1" },
    ]);
    expect(await a.listSessions(`u-${id()}`, t0)).toEqual([]);
  });

  it("unlists a session revoked, a subject revoked, and a session past its expiry; a rotation relists with its time and expiry", async () => {
    const started = await twoSessions();
    if (started === undefined) return;
    const [store, sub, t0, kept, revoked] = started;
    await store.revokeSession(revoked, t0 + HOUR);
    await store.updateSession(revoked, { sub }, t0 + 3 * HOUR, t0 + 5);
    await store.updateSession(kept, { sub }, t0 + 2 * HOUR, t0 + 7);
    expect((await store.listSessions(sub, t0 + 1.5 * HOUR)).map(({ sid, lastUsedAtMs }) => ({ sid, lastUsedAtMs }))).toEqual([
      { sid: kept, lastUsedAtMs: t0 + 7 },
    ]);
    expect(await store.listSessions(sub, t0 + 2 * HOUR)).toEqual([]);
    const other = `u-${id()}`;
    await login(store, other, t0);
    await store.revokeSubject(other, Date.now(), t0 + HOUR);
    expect(await store.listSessions(other, t0)).toEqual([]);
  });

  it("records a use only when the last recorded one is an interval old, through any view", async () => {
    const [a, b] = [await open(), await open()];
    if (a === undefined || b === undefined) return;
    const [sub, t0] = [`u-${id()}`, Date.now()];
    const sid = await login(a, sub, t0);
    expect(await a.touchSession(sub, sid, t0 + 59_999, 60_000)).toBe(false);
    expect(await b.touchSession(sub, sid, t0 + 60_000, 60_000)).toBe(true);
    expect(await a.touchSession(sub, sid, t0 + 60_001, 60_000)).toBe(false);
    expect(await a.touchSession(sub, id(), t0 + HOUR, 60_000)).toBe(false);
    expect((await a.listSessions(sub, t0))[0]?.lastUsedAtMs).toBe(t0 + 60_000);
  });

  it("revokes, unlists and announces every other session of a subject, and only those", async () => {
    const [a, b] = [await open(), await open()];
    if (a === undefined || b === undefined) return;
    const events: RevocationEvent[] = [];
    const stop = b.subscribe?.({ event: (event) => events.push(event), up: () => undefined, down: () => undefined });
    const [sub, t0] = [`u-${id()}`, Date.now()];
    const [mine, x, y] = [await login(a, sub, t0), await login(a, sub, t0), await login(b, sub, t0)];
    const bystander = await login(a, `u-${id()}`, t0);
    expect((await b.revokeOtherSessions(keep(sub, mine), t0, t0 + HOUR))?.sort()).toEqual([x, y].sort());
    expect((await a.listSessions(sub, t0)).map(({ sid }) => sid)).toEqual([mine]);
    for (const sid of [x, y]) expect((await a.loadSession(sid))?.revoked).toBe(true);
    for (const sid of [mine, bystander]) expect((await a.loadSession(sid))?.revoked).toBe(false);
    expect(await a.revokeOtherSessions(keep(sub, mine), t0, t0 + HOUR)).toEqual([]);
    if (stop === undefined) return;
    await until(() => events.length >= 2);
    expect(events.map(({ id: sid }) => sid).sort()).toEqual([x, y].sort());
    stop();
  });

  it("revokeOtherSessions refuses (undefined, nothing revoked) a kept session revoked, missing, of another subject, or a revoked token", async () => {
    const started = await twoSessions();
    if (started === undefined) return;
    const [store, sub, t0, mine, other] = started;
    await store.revokeSession(mine, t0 + HOUR);
    const token = id();
    await store.revokeToken(token, t0 + HOUR);
    const live = await login(store, sub, t0);
    for (const kept of [keep(sub, mine), keep(sub, id()), keep(`u-${id()}`, live), { ...keep(sub, live), tokenId: token }]) {
      expect(await store.revokeOtherSessions(kept, t0, t0 + HOUR)).toBeUndefined();
    }
    expect((await store.loadSession(other))?.revoked).toBe(false);
    await store.revokeSubject(sub, Date.now(), t0 + HOUR);
    expect(await store.revokeOtherSessions(keep(sub, live), t0, t0 + HOUR)).toBeUndefined();
  });

  it("a session ended by revokeSubject is not listed again by an updateSession after it (a rotation racing that call)", async () => {
    const store = await open();
    if (store === undefined) return;
    const [sub, t0] = [`u-${id()}`, Date.now()];
    const sid = await login(store, sub, t0);
    await store.revokeSubject(sub, Date.now(), t0 + HOUR);
    // A rotation whose revocation check passed before the call: its store write comes after it
    // (resolving true or nothing: not a session some revokeOtherSessions missed).
    const updated = await store.updateSession(sid, { sub }, t0 + 2 * HOUR, Date.now(), { createdAtMs: t0, issuer: "app" });
    expect(updated === false).toBe(false);
    expect(await store.listSessions!(sub, Date.now())).toEqual([]);
    // A session started after the call is listed, and stays listed through its rotations.
    const later = await login(store, sub, Date.now());
    await store.updateSession(later, { sub }, t0 + 2 * HOUR, Date.now(), { createdAtMs: Date.now(), issuer: "app" });
    expect((await store.listSessions!(sub, Date.now())).map((listed) => listed.sid)).toEqual([later]);
  });

  it("of two concurrent revokeOtherSessions calls for two sessions of one subject, through two views, exactly one resolves", async () => {
    const [a, b] = [await open(), await open()];
    if (a === undefined || b === undefined) return;
    for (let round = 0; round < 5; round++) {
      const [sub, t0] = [`u-${id()}`, Date.now()];
      const [x, y] = [await login(a, sub, t0), await login(b, sub, t0)];
      const results = await Promise.all([a.revokeOtherSessions(keep(sub, x), t0, t0 + HOUR), b.revokeOtherSessions(keep(sub, y), t0, t0 + HOUR)]);
      expect(results.filter((revoked) => revoked !== undefined)).toHaveLength(1);
      const alive = await Promise.all([x, y].map(async (sid) => (await a.loadSession(sid))?.revoked === false));
      expect(alive.filter(Boolean)).toHaveLength(1);
    }
  });

  it("lists and ends only the sessions of the issuer asked (a session listed without one is every issuer's); remembers when, per issuer", async () => {
    const store = await open();
    if (store === undefined) return;
    const [sub, t0] = [`u-${id()}`, Date.now()];
    const shop = await login(store, sub, t0, { issuer: "shop", userAgent: "shop app" });
    const admin = await login(store, sub, t0 + 1, { issuer: "admin", userAgent: "admin console" });
    const either = await login(store, sub, t0 + 2);
    const listedBy = async (issuer?: string) => (await store.listSessions(sub, t0 + 3, issuer)).map(({ sid }) => sid).sort();
    expect(await listedBy("admin")).toEqual([admin, either].sort());
    expect(await listedBy()).toEqual([shop, admin, either].sort());
    expect(await store.othersRevokedAt(sub, "admin")).toBe(0);
    expect(await store.revokeOtherSessions(keep(sub, admin, "admin"), t0 + 3, t0 + HOUR)).toEqual([either]);
    expect([await store.othersRevokedAt(sub, "admin"), await store.othersRevokedAt(sub, "shop")]).toEqual([t0 + 3, 0]);
    expect((await store.loadSession(shop))?.revoked).toBe(false);
    expect(await listedBy("shop")).toEqual([shop]);
  });
}
