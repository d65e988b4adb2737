// cookieRefreshLink against a real cookie-session server on 127.0.0.1, with a small cookie jar
// standing in for the browser (HttpOnly cookies kept from scripts, document.cookie the rest).
import { createTRPCClient, httpLink } from "@trpc/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AuthManager } from "trpc-jwt";
import { cookieRefreshLink, csrfHeader, jwtErrorAction } from "trpc-jwt/client";
import { createCookieApp, serveCookieApp, type CookieRouter } from "./helpers/cookieApp.js";
import { optionsFor } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";

const auth = new AuthManager(optionsFor("HS256"));
const jar = new Map<string, { value: string; httpOnly: boolean }>();
const hits = { refresh: 0 };
let server: Awaited<ReturnType<typeof serveCookieApp>>;
beforeAll(async () => {
  server = await serveCookieApp("standalone", createCookieApp(auth, { cookies: { secure: false } }));
});
afterAll(() => server.close());
afterEach(() => {
  jar.clear();
  hits.refresh = 0;
  delete (globalThis as { document?: unknown }).document;
});

// What scripts see of the jar, as document.cookie would show it.
const syncDocument = () =>
  Object.assign(globalThis, {
    document: {
      cookie: [...jar]
        .filter(([, c]) => !c.httpOnly)
        .map(([name, c]) => `${name}=${c.value}`)
        .join("; "),
    },
  });

const browserFetch: typeof fetch = async (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set("cookie", [...jar].map(([name, c]) => `${name}=${c.value}`).join("; "));
  if (String(input).includes("/refresh")) hits.refresh++;
  const response = await fetch(input, { ...init, headers });
  for (const line of response.headers.getSetCookie()) {
    const [pair = "", ...attributes] = line.split("; ");
    const name = pair.slice(0, pair.indexOf("="));
    if (attributes.includes("Max-Age=0")) jar.delete(name);
    else jar.set(name, { value: pair.slice(name.length + 1), httpOnly: attributes.includes("HttpOnly") });
  }
  syncDocument();
  return response;
};

function clients(onLogout: () => void = () => undefined) {
  const link = () =>
    httpLink({ url: `${server.url}/trpc`, headers: csrfHeader(), fetch: (input, init) => browserFetch(input as RequestInfo, init as RequestInit) });
  const plain = createTRPCClient<CookieRouter>({ links: [link()] });
  const client = createTRPCClient<CookieRouter>({ links: [cookieRefreshLink({ refresh: () => plain.refresh.mutate(), onLogout, refreshBefore: 0 }), link()] });
  return { plain, client };
}

describe("cookieRefreshLink", () => {
  it("refreshes before a call once the expiry hint has passed, then sends the call with the new cookie", async () => {
    const { plain, client } = clients();
    await plain.login.mutate({ sub: "alice" });
    jar.delete("auth");
    jar.set("auth-exp", { value: `${Math.floor(Date.now() / 1000) - 1}.x`, httpOnly: false });
    syncDocument();
    expect(await client.me.query()).toBe("alice");
    expect(hits.refresh).toBe(1);
    expect(jar.has("auth")).toBe(true);
  });

  it("refreshes when the auth cookie is gone but the hint remains (TOKEN_MISSING), once for concurrent calls", async () => {
    const { plain, client } = clients();
    await plain.login.mutate({ sub: "alice" });
    jar.delete("auth");
    expect(await Promise.all([client.me.query(), client.me.query(), client.rename.mutate({ name: "x" })])).toEqual(["alice", "alice", "alice:x"]);
    expect(hits.refresh).toBe(1);
  });

  it("a refused refresh ends the session: onLogout once, every waiting call reports login", async () => {
    let logouts = 0;
    const { plain, client } = clients(() => logouts++);
    await plain.login.mutate({ sub: "alice" });
    jar.delete("auth");
    jar.set("refresh", { value: "not.a.token", httpOnly: true });
    const errors = await Promise.all([rejectionOf(client.me.query()), rejectionOf(client.me.query())]);
    expect(errors.map(jwtErrorAction)).toEqual(["login", "login"]);
    expect(await rejectionOf(client.me.query()).then(jwtErrorAction)).toBe("login");
    expect(logouts).toBe(1);
  });

  it("without a session (no hint), a missing token is not refreshed", async () => {
    const { client } = clients();
    expect(jwtErrorAction(await rejectionOf(client.me.query()))).toBe("login");
    expect(hits.refresh).toBe(0);
  });
});
