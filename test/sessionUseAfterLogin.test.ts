// A session's use is written once its token is a minute old (SessionDevices.used, 1c6e0c5), told
// by the token's iat: whole seconds, up to 999 ms before the login or rotation the store recorded
// as the session's last use. A busy session's first write must not come while the store still
// refuses it (a round trip for nothing, and the process then waits another minute).
import { describe, expect, it } from "vitest";
import { AuthManager, memoryStore, type TokenStore } from "trpc-jwt";
import { fakeClock, optionsFor } from "./helpers/keys.js";

describe("a busy session's first use after its login", () => {
  it("is written by its first request a minute after the login, and no write is refused before it", async () => {
    // A login 900 ms into a second: its tokens' iat is 900 ms before it.
    const clock = fakeClock(Date.UTC(2030, 0, 1) + 900);
    const shared = memoryStore({ clock: clock.now });
    const refused: number[] = [];
    const store: TokenStore = {
      ...shared,
      touchSession: async (sub, sid, nowMs, intervalMs) => {
        const wrote = await shared.touchSession!(sub, sid, nowMs, intervalMs);
        if (!wrote) refused.push(nowMs);
        return wrote;
      },
    };
    const auth = new AuthManager(optionsFor("HS256", { store, clock: clock.now, authMaxAge: 600 }));
    const loginMs = clock.now();
    const { authToken } = await auth.login("alice");
    // A request every 100 ms from 58 s to 62 s after the login.
    clock.set(loginMs + 58_000);
    while (clock.now() < loginMs + 62_000) {
      await auth.verifyToken(authToken.signed);
      clock.advance(0.1);
    }
    expect(refused).toEqual([]);
    const [listed] = await auth.listSessions("alice");
    expect(listed?.lastUsedAt).toBeGreaterThanOrEqual(Math.floor(loginMs / 1000) + 60);
  });
});
