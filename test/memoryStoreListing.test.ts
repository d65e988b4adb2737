// What memoryStore lists at a rotation, against the TokenStore contract (updateSession: a store
// with an inventory records `nowMs` as the session's last use, and lists only an unrevoked
// session) and against redisStore, which does both. Since 1c6e0c5 no process writes a use for a
// token younger than a minute, so what a rotation records is what listSessions shows meanwhile.
import { describe, expect, it } from "vitest";
import { memoryStore } from "trpc-jwt";

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
