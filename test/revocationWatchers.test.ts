// Polling of watched tokens (issue 25): one lookup per distinct token, and fewer while the store fails.
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { AuthManager, JwtError, type JwtToken } from "trpc-jwt";
import { RevocationWatchers } from "../src/sessions/RevocationWatchers.js";
import { optionsFor } from "./helpers/keys.js";

async function tokens() {
  const auth = new AuthManager(optionsFor("HS256"));
  return [await auth.authToken("alice"), await auth.authToken("bob")];
}

describe("RevocationWatchers polling", () => {
  // Polling is timers and performance.now(): faked, as below, so that the 4.5 s it covers take
  // no wall time (the same polls, the same counts).
  it("asks once per distinct token however many watch it, and backs off while the store fails", async () => {
    const [alice, bob] = await tokens();
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout", "performance"] });
    onTestFinished(() => void vi.useRealTimers());
    const asked: string[] = [];
    let failing = false;
    const watchers = new RevocationWatchers(async (token: JwtToken) => {
      asked.push(token.sub);
      if (failing) throw new JwtError("STORE_UNAVAILABLE");
      return token;
    });
    const stops = [...Array.from({ length: 50 }, () => watchers.watch(alice!, () => undefined)), watchers.watch(bob!, () => undefined)];
    await vi.advanceTimersByTimeAsync(1_500);
    // Two polls of each token in 1.5 s (at 0.6 and 1.2 s), whatever the number of watchers.
    for (const sub of ["alice", "bob"]) expect(asked.filter((name) => name === sub).length).toBeOneOf([1, 2, 3]);
    failing = true;
    asked.length = 0;
    await vi.advanceTimersByTimeAsync(3_000);
    // Failing: waits of 1.2, 2.4 s... instead of 0.6 s: at most 3 lookups per token in 3 s, not 5.
    expect(asked.filter((sub) => sub === "alice").length).toBeOneOf([1, 2, 3]);
    for (const stop of stops) stop();
  });
});

describe("RevocationWatchers after a long live period", () => {
  // Review finding: a token watched longer than UNCHECKED_LIMIT_MS while the channel was live had
  // spent its whole 5 s before its first failed recheck, so one failed recheck (the command
  // connection just came back) ended it with 503 at the next tick instead of asking again.
  it("asks again after a failed recheck of a long-watched token instead of ending it at once", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "setTimeout", "clearTimeout", "performance"] });
    try {
      const auth = new AuthManager({ issuer: "api", authType: "HS256", secret: "s".repeat(32) });
      const token = await auth.authToken("alice");
      let failures = 0;
      let asked = 0;
      const watchers = new RevocationWatchers(async (t) => {
        asked++;
        if (failures > 0) {
          failures--;
          throw new JwtError("STORE_UNAVAILABLE");
        }
        return t;
      });
      watchers.setLive(true);
      const ended: string[] = [];
      watchers.watch(token, (error) => ended.push(error.code));
      // A minute with the channel live: every revocation would have been announced.
      await vi.advanceTimersByTimeAsync(60_000);
      // The command connection comes back (the channel says `up` again): ask again; the first answer fails.
      failures = 1;
      watchers.setLive(true);
      await vi.advanceTimersByTimeAsync(2_000);
      expect(ended).toEqual([]);
      expect(asked).toBeGreaterThanOrEqual(2); // asked again, and that answer vouched for it
      // Still in doubt for longer than the limit (every answer fails): ended with 503.
      failures = Infinity;
      watchers.setLive(true);
      await vi.advanceTimersByTimeAsync(6_000);
      expect(ended).toEqual(["STORE_UNAVAILABLE"]);
    } finally {
      vi.useRealTimers();
    }
  });
});
