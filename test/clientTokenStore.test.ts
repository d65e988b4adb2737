// The client entry's small pieces: createTokenStore's change notifications and wsConnectionParams.
import { describe, expect, it, vi } from "vitest";
import { createTokenStore, wsConnectionParams } from "trpc-jwt/client";

describe("createTokenStore().subscribe", () => {
  it("calls each listener after a change of either token, never for a write that changes nothing", () => {
    const store = createTokenStore();
    const listener = vi.fn();
    const stop = store.subscribe(listener);
    store.setTokens({ authToken: "a", refreshToken: "r" });
    store.setTokens({ authToken: "a" }); // same value
    store.setTokens({}); // nothing
    store.setTokens({ refreshToken: "r2" });
    store.clear();
    store.clear(); // already empty
    expect(listener).toHaveBeenCalledTimes(3);
    stop();
    store.setTokens({ authToken: "b" });
    expect(listener).toHaveBeenCalledTimes(3);
  });

  it("sees the new values from inside the listener, also with a Web Storage backend", () => {
    const items = new Map<string, string>();
    const storage = {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
      removeItem: (k: string) => void items.delete(k),
    };
    const store = createTokenStore({ storage, prefix: "p." });
    const seen: (string | undefined)[] = [];
    store.subscribe(() => seen.push(store.getAuthToken()));
    store.setTokens({ authToken: "a" });
    store.clear();
    expect(seen).toEqual(["a", undefined]);
    expect([...items.keys()]).toEqual([]);
  });

  it("subscribing the same function twice gives two subscriptions, each stopped on its own", () => {
    const store = createTokenStore();
    const listener = vi.fn();
    const stopFirst = store.subscribe(listener);
    store.subscribe(listener);
    stopFirst();
    store.setTokens({ authToken: "a" });
    expect(listener).toHaveBeenCalledTimes(1);
  });
});

describe("wsConnectionParams", () => {
  it("reads the auth token each time the socket connects, under `token` or the given key", () => {
    const store = createTokenStore();
    const params = wsConnectionParams(store);
    expect(params()).toBeNull();
    store.setTokens({ authToken: "a.b.c" });
    expect(params()).toEqual({ token: "a.b.c" });
    expect(wsConnectionParams(store, "jwt")()).toEqual({ jwt: "a.b.c" });
    store.clear();
    expect(params()).toBeNull();
  });
});
