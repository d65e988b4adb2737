// cookieRefreshLink against a real cookie-session server on 127.0.0.1, with a small cookie jar
// standing in for the browser (HttpOnly cookies kept from scripts, document.cookie the rest).
import { createTRPCClient, httpLink, type TRPCLink } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import { observable } from "@trpc/server/observable";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AuthManager } from "trpc-jwt";
import { cookieRefreshLink, csrfHeader, JWT_ERROR_CODES, jwtErrorAction, jwtErrorCode, type JwtErrorCode } from "trpc-jwt/client";
import { clientRefusal } from "./helpers/clientRefusal.js";
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

// The policies cookieRefreshLink gives the shared refresh coordinator, each the opposite of
// refreshLink's (stated for it in test/subscriptions.test.ts, "refreshLink over ...", and
// test/clientSessionRace.test.ts, "replaced by a token of ..."). A scripted terminating link
// answers each operation by the expiry hint it went out with, as the server would by the cookies.
describe("cookieRefreshLink's policies", () => {
  const t = initTRPC.create();
  const scripted = t.router({
    me: t.procedure.query(() => ""),
    ticks: t.procedure.subscription(async function* () {
      yield "";
    }),
  });
  type Scripted = typeof scripted;
  const setHint = (hint: string) => Object.assign(globalThis, { document: { cookie: `auth-exp=${hint}` } });

  /** `answer(hint)`: a code refuses the operation, any other string is its data. `sent` records the hints. */
  function terminal(answer: (hint: string | undefined) => string, sent: (string | undefined)[], delivered = Promise.resolve()): TRPCLink<Scripted> {
    return () =>
      ({ op }) =>
        observable((observer) => {
          void op;
          const hint = /auth-exp=([^;]*)/.exec(String((globalThis as { document?: { cookie?: string } }).document?.cookie))?.[1];
          sent.push(hint);
          void delivered.then(() => {
            const value = answer(hint);
            if ((JWT_ERROR_CODES as readonly string[]).includes(value)) return observer.error(clientRefusal(value as JwtErrorCode));
            observer.next({ result: { type: "data", data: value } });
            observer.complete();
          });
          return () => undefined;
        });
  }
  const soon = () => `${Math.floor(Date.now() / 1000) + 3600}`;

  it('subscriptions: "pass": a subscription ended by TOKEN_EXPIRED fails with its error, without a refresh before or after', async () => {
    setHint(`${Math.floor(Date.now() / 1000) - 1}.a`); // due for a refresh before any call
    const refresh = vi.fn(async () => setHint(`${soon()}.b`));
    const sent: (string | undefined)[] = [];
    const client = createTRPCClient<Scripted>({ links: [cookieRefreshLink({ refresh }), terminal(() => "TOKEN_EXPIRED", sent)] });
    const error = await new Promise<unknown>((resolve) => client.ticks.subscribe(undefined, { onError: resolve }));
    expect(jwtErrorCode(error)).toBe("TOKEN_EXPIRED");
    expect(jwtErrorAction(error)).toBe("refresh"); // handed back as the server said it: the link did not act on it
    expect(refresh).not.toHaveBeenCalled();
    expect(sent).toHaveLength(1);
  });

  it("mayResend: any session: a call whose hint moved on while it was on the wire is sent again in whatever session the cookies hold, without a refresh", async () => {
    setHint(`${soon()}.alice`);
    const refresh = vi.fn(async () => undefined);
    const sent: (string | undefined)[] = [];
    let deliver!: () => void;
    const delivered = new Promise<void>((resolve) => (deliver = resolve));
    const answer = (hint: string | undefined) => (hint?.endsWith(".alice") ? "TOKEN_EXPIRED" : "bob");
    const client = createTRPCClient<Scripted>({ links: [cookieRefreshLink({ refresh }), terminal(answer, sent, delivered)] });
    const pending = client.me.query();
    setHint(`${soon()}.bob`); // another tab logged in as bob meanwhile: the link cannot tell users apart
    deliver();
    expect(await pending).toBe("bob");
    expect(refresh).not.toHaveBeenCalled();
    expect(sent.map((hint) => hint?.split(".")[1])).toEqual(["alice", "bob"]);
  });

  it("a throwing onLogout still settles every call: the server ending the session, and a refused refresh before a call", async () => {
    const onLogout = vi.fn(() => {
      throw new Error("the app's logout handler is broken");
    });
    setHint(`${soon()}.a`);
    const revoked = createTRPCClient<Scripted>({
      links: [cookieRefreshLink({ refresh: async () => undefined, onLogout }), terminal(() => "TOKEN_REVOKED", [])],
    });
    expect(jwtErrorAction(await rejectionOf(revoked.me.query()))).toBe("login");
    setHint(`${Math.floor(Date.now() / 1000) - 1}.b`);
    const refused = async () => {
      throw clientRefusal("TOKEN_REUSED");
    };
    const due = createTRPCClient<Scripted>({ links: [cookieRefreshLink({ refresh: refused, onLogout }), terminal(() => "TOKEN_EXPIRED", [])] });
    expect(jwtErrorCode(await rejectionOf(due.me.query()))).toBe("TOKEN_EXPIRED");
    expect(onLogout).toHaveBeenCalledTimes(2);
  });
});
