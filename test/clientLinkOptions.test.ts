// The client links check their options when they are made (issue 24, review P4): a bad option is
// a JwtConfigError naming it, before any call, as every server-side option is.
import { describe, expect, it } from "vitest";
import { JwtConfigError } from "trpc-jwt";
import { cookieRefreshLink, createTokenStore, refreshLink, type CookieRefreshLinkOptions, type RefreshLinkOptions } from "trpc-jwt/client";

const refresh = async () => ({ authToken: "a" });
const store = createTokenStore();

/** The option a JwtConfigError thrown by `make` names, and its message. */
function refusal(make: () => unknown): { option: string; message: string } | undefined {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(JwtConfigError);
    return { option: (error as JwtConfigError).option, message: (error as JwtConfigError).message };
  }
  return undefined;
}

describe("refreshLink's options", () => {
  it.each<[string, unknown, string]>([
    ["not an object", "store", "options"],
    [
      "an unknown key, with the nearest real one",
      { store, refresh, onLogut: () => undefined },
      'onLogut: is not a refreshLink option; did you mean "onLogout"?',
    ],
    ["no store", { refresh }, "store"],
    ["a store without its methods", { store: { getAuthToken: () => undefined }, refresh }, "store"],
    ["a store whose subscribe is not a function", { store: { ...store, subscribe: true }, refresh }, "store.subscribe"],
    ["no refresh", { store }, "refresh"],
    ["a refresh that is not a function", { store, refresh: "/refresh" }, "refresh"],
    ["an onLogout that is not a function", { store, refresh, onLogout: "/login" }, "onLogout"],
    ["a shouldRefresh that is not a function", { store, refresh, shouldRefresh: true }, "shouldRefresh"],
    ["a webSocket without close()", { store, refresh, webSocket: {} }, "webSocket"],
    ["a null webSocket", { store, refresh, webSocket: null }, "webSocket"],
  ])("%s: JwtConfigError naming it", (_, options, named) => {
    const found = refusal(() => refreshLink(options as RefreshLinkOptions));
    if (named.includes(":")) expect(found?.message).toBe(named);
    else expect(found?.option).toBe(named);
  });

  it("takes every documented option", () => {
    const options: RefreshLinkOptions = { store, refresh, onLogout: () => undefined, shouldRefresh: () => false, webSocket: { close: async () => undefined } };
    expect(refusal(() => refreshLink(options))).toBeUndefined();
    expect(refusal(() => refreshLink({ store, refresh, onLogout: undefined, shouldRefresh: undefined, webSocket: undefined }))).toBeUndefined();
  });
});

describe("cookieRefreshLink's options", () => {
  const done = async () => undefined;
  it.each<[string, unknown, string]>([
    ["not an object", undefined, "options"],
    [
      "an unknown key, with the nearest real one",
      { refresh: done, refreshBefor: 30 },
      'refreshBefor: is not a cookieRefreshLink option; did you mean "refreshBefore"?',
    ],
    ["no refresh", {}, "refresh"],
    ["a refresh that is not a function", { refresh: "/refresh" }, "refresh"],
    ["an onLogout that is not a function", { refresh: done, onLogout: "/login" }, "onLogout"],
    ["an expiryCookie that cannot name a cookie", { refresh: done, expiryCookie: "auth exp" }, "expiryCookie"],
    ["an empty expiryCookie", { refresh: done, expiryCookie: "" }, "expiryCookie"],
    ["a negative refreshBefore", { refresh: done, refreshBefore: -1 }, "refreshBefore"],
    ["a NaN refreshBefore", { refresh: done, refreshBefore: Number.NaN }, "refreshBefore"],
    ["a refreshBefore in a string", { refresh: done, refreshBefore: "10" }, "refreshBefore"],
    ["an infinite refreshBefore", { refresh: done, refreshBefore: Infinity }, "refreshBefore"],
    ["an empty lockName", { refresh: done, lockName: " " }, "lockName"],
    ["a lockName that is not a string", { refresh: done, lockName: 1 }, "lockName"],
  ])("%s: JwtConfigError naming it", (_, options, named) => {
    const found = refusal(() => cookieRefreshLink(options as CookieRefreshLinkOptions));
    if (named.includes(":")) expect(found?.message).toBe(named);
    else expect(found?.option).toBe(named);
  });

  it("takes every documented option, refreshBefore 0 included", () => {
    const options: CookieRefreshLinkOptions = {
      refresh: done,
      onLogout: () => undefined,
      expiryCookie: "__Host-exp",
      refreshBefore: 0,
      lockName: "app-refresh",
    };
    expect(refusal(() => cookieRefreshLink(options))).toBeUndefined();
    expect(refusal(() => cookieRefreshLink({ refresh: done }))).toBeUndefined();
    // Seconds with a fraction: example-next refreshes a 6 s token 1.5 s before it ends.
    expect(refusal(() => cookieRefreshLink({ refresh: done, refreshBefore: 1.5 }))).toBeUndefined();
  });
});
