// What memoryStore lists at a rotation, against the TokenStore contract (updateSession: a store
// with an inventory records `nowMs` as the session's last use, and lists only an unrevoked
// session) and against redisStore, which does both. Since 1c6e0c5 no process writes a use for a
// token younger than a minute, so what a rotation records is what listSessions shows meanwhile.
import { describe, expect, it } from "vitest";
import { AuthManager, memoryStore, type TokenStore } from "trpc-jwt";
import { fakeClock, optionsFor } from "./helpers/keys.js";

const HOUR = 3_600_000;

describe("memoryStore() updateSession of a session it does not list", () => {
  it("lists it with the rotation's time as its last use, not its login's", async () => {
    const now = Date.UTC(2030, 0, 1);
    const store = memoryStore({ clock: () => now });
    // The one way a live, unrevoked session is not listed in memoryStore: its subject changed.
    await store.createSession("s1", { sub: "alice" }, now + HOUR, { createdAtMs: now - HOUR, issuer: "app" });
    await store.updateSession("s1", { sub: "bob" }, now + HOUR, now, { createdAtMs: now - HOUR, issuer: "app" });
    expect(await store.listSessions!("bob", now, "app")).toEqual([{ sid: "s1", createdAtMs: now - HOUR, lastUsedAtMs: now }]);
  });
});

describe("a rotation racing revokeSubject (memoryStore)", () => {
  it("does not list the session again: revokeSubject ended it", async () => {
    const clock = fakeClock();
    const inner = memoryStore({ clock: clock.now });
    // revokeSubject lands after the rotation's revocation check passed and before its updateSession.
    let revokeFirst = false;
    const store: TokenStore = {
      ...inner,
      async consumeRotation(sid, rotation, nowMs) {
        if (revokeFirst) await inner.revokeSubject("alice", nowMs, nowMs + HOUR);
        return inner.consumeRotation(sid, rotation, nowMs);
      },
    };
    const auth = new AuthManager(optionsFor("HS256", { store, clock: clock.now, authMaxAge: 300, refreshMaxAge: 3600 }));
    const { refreshToken } = await auth.login("alice");
    clock.advance(5);
    revokeFirst = true;
    const rotated = await auth.rotate(refreshToken.signed).catch(() => undefined);
    if (rotated !== undefined) await expect(auth.verifyToken(rotated.authToken.signed)).rejects.toMatchObject({ code: "TOKEN_REVOKED" });
    expect(await auth.listSessions("alice")).toEqual([]);
  });
});
