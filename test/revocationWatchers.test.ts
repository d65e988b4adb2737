// Polling of watched tokens (issue 25): one lookup per distinct token, and fewer while the store fails.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { AuthManager, JwtError, type JwtToken } from "trpc-jwt";
import { RevocationWatchers } from "../src/sessions/RevocationWatchers.js";
import { optionsFor } from "./helpers/keys.js";

async function tokens() {
  const auth = new AuthManager(optionsFor("HS256"));
  return [await auth.authToken("alice"), await auth.authToken("bob")];
}

describe("RevocationWatchers polling", () => {
  it("asks once per distinct token however many watch it, and backs off while the store fails", async () => {
    const [alice, bob] = await tokens();
    const asked: string[] = [];
    let failing = false;
    const watchers = new RevocationWatchers(async (token: JwtToken) => {
      asked.push(token.sub);
      if (failing) throw new JwtError("STORE_UNAVAILABLE");
      return token;
    });
    const stops = [...Array.from({ length: 50 }, () => watchers.watch(alice!, () => undefined)), watchers.watch(bob!, () => undefined)];
    await sleep(1_500);
    // Two polls of each token in 1.5 s (at 0.6 and 1.2 s), whatever the number of watchers.
    for (const sub of ["alice", "bob"]) expect(asked.filter((name) => name === sub).length).toBeOneOf([1, 2, 3]);
    failing = true;
    asked.length = 0;
    await sleep(3_000);
    // Failing: waits of 1.2, 2.4 s... instead of 0.6 s: at most 3 lookups per token in 3 s, not 5.
    expect(asked.filter((sub) => sub === "alice").length).toBeOneOf([1, 2, 3]);
    for (const stop of stops) stop();
  });
});
