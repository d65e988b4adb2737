// Issue #29: the client links and RATE_LIMITED. A throttled call is "retry-later": neither link
// refreshes or logs out on it, and a refresh that is itself throttled keeps the session.
import { createTRPCClient, type TRPCLink } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import { observable } from "@trpc/server/observable";
import { describe, expect, it, vi } from "vitest";
import { cookieRefreshLink, createTokenStore, jwtErrorAction, jwtErrorCode, refreshLink } from "trpc-jwt/client";
import { clientRefusal } from "./helpers/clientRefusal.js";
import { rejectionOf } from "./helpers/rejection.js";

const t = initTRPC.create();
const router = t.router({ feed: t.procedure.query(() => "feed") });
type Router = typeof router;

/** A terminal link standing in for a server: answers each call with the next code, or data. */
function scripted(answers: string[]): TRPCLink<Router> {
  return () => () =>
    observable((observer) => {
      const answer = answers.shift() ?? "feed";
      if (answer === "feed") {
        observer.next({ result: { type: "data", data: answer } });
        observer.complete();
      } else observer.error(clientRefusal(answer as "RATE_LIMITED") as never);
      return () => undefined;
    });
}

// A refresh the server throttles.
const throttledRefresh = () =>
  vi.fn(async (): Promise<{ authToken: string }> => {
    throw clientRefusal("RATE_LIMITED");
  });

describe("the refresh links and RATE_LIMITED", () => {
  it("pass a throttled call on untouched (retry-later), without refreshing or logging out", async () => {
    const refresh = vi.fn(async () => ({ authToken: "a.b.c" }));
    const onLogout = vi.fn();
    const store = createTokenStore();
    store.setTokens({ authToken: "x.y.z", refreshToken: "r.s.t" });
    for (const link of [cookieRefreshLink<Router>({ refresh, onLogout }), refreshLink<Router>({ store, refresh, onLogout })]) {
      const client = createTRPCClient<Router>({ links: [link, scripted(["RATE_LIMITED"])] });
      const error = await rejectionOf(client.feed.query());
      expect([jwtErrorCode(error), jwtErrorAction(error)]).toEqual(["RATE_LIMITED", "retry-later"]);
    }
    expect([refresh.mock.calls.length, onLogout.mock.calls.length]).toEqual([0, 0]);
    expect(store.getRefreshToken()).toBe("r.s.t");
  });

  it("refreshLink: a refresh that is itself throttled keeps the session; the call fails as retry-later", async () => {
    const [refresh, onLogout] = [throttledRefresh(), vi.fn()];
    const store = createTokenStore();
    store.setTokens({ authToken: "x.y.z", refreshToken: "r.s.t" });
    const client = createTRPCClient<Router>({ links: [refreshLink<Router>({ store, refresh, onLogout }), scripted(["TOKEN_EXPIRED"])] });
    const error = await rejectionOf(client.feed.query());
    expect(jwtErrorAction(error)).toBe("retry-later");
    expect([refresh.mock.calls.length, onLogout.mock.calls.length]).toEqual([1, 0]);
    expect(store.getRefreshToken()).toBe("r.s.t");
  });

  it("cookieRefreshLink: a refresh that is itself throttled does not log out", async () => {
    const [refresh, onLogout] = [throttledRefresh(), vi.fn()];
    const client = createTRPCClient<Router>({ links: [cookieRefreshLink<Router>({ refresh, onLogout }), scripted(["TOKEN_EXPIRED"])] });
    const error = await rejectionOf(client.feed.query());
    expect(jwtErrorAction(error)).toBe("retry-later");
    expect(onLogout.mock.calls.length).toBe(0);
  });
});
