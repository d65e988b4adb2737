// Browser sessions over real HTTP, through the fetch adapter (its resHeaders), the standalone
// server and Express (Node's response), and Fastify (its reply): the cookies' attributes, double-submit CSRF on every
// content type tRPC accepts, the header's precedence, refresh through the refresh cookie,
// clearing, and no token text in any error body.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthManager, JwtConfigError } from "trpc-jwt";
import { type Adapter, cookiePair, createCookieApp, serveCookieApp } from "./helpers/cookieApp.js";
import { optionsFor } from "./helpers/keys.js";

const auth = new AuthManager(optionsFor("HS256", { authMaxAge: 900, refreshMaxAge: 3600 }));
// Every body of a refused call, to prove no token text reaches one.
const errorBodies: string[] = [];
const tokensSeen = new Set<string>();

function parseSetCookie(header: string) {
  const [pair = "", ...attributes] = header.split("; ");
  const eq = pair.indexOf("=");
  return {
    name: pair.slice(0, eq),
    value: decodeURIComponent(pair.slice(eq + 1)),
    attributes: new Map(attributes.map((attribute) => [attribute.split("=")[0]?.toLowerCase() ?? "", attribute.split("=")[1] ?? ""])),
  };
}

describe.each<Adapter>(["fetch", "standalone", "express", "fastify"])("cookie sessions over HTTP, %s adapter", (adapter) => {
  let server: Awaited<ReturnType<typeof serveCookieApp>>;
  beforeAll(async () => {
    server = await serveCookieApp(adapter, createCookieApp(auth, { cookies: { secure: true } }));
  });
  afterAll(() => server.close());

  async function call(path: string, init: { method?: string; cookie?: string; headers?: Record<string, string>; body?: BodyInit } = {}) {
    const headers: Record<string, string> = { ...init.headers };
    if (init.cookie !== undefined) headers.cookie = init.cookie;
    const method = init.method ?? "POST";
    const body = init.body ?? (method === "POST" ? "{}" : null);
    if (typeof body === "string") headers["content-type"] ??= "application/json";
    const response = await fetch(`${server.url}/trpc/${path}`, { method, headers, body });
    const text = await response.text();
    if (response.status >= 400) errorBodies.push(text);
    return { status: response.status, body: text.length > 0 ? JSON.parse(text) : undefined, cookies: response.headers.getSetCookie().map(parseSetCookie) };
  }
  const jwtCode = (result: { body: { error?: { data?: { jwtCode?: string } } } }) => result.body.error?.data?.jwtCode;

  async function login(sub = "alice") {
    const result = await call("login", { body: JSON.stringify({ sub }) });
    expect(result.status).toBe(200);
    const jar = Object.fromEntries(result.cookies.map((cookie) => [cookie.name, cookie.value]));
    for (const value of [jar["__Host-auth"], jar["__Host-refresh"]]) if (value) tokensSeen.add(value);
    const cookie = Object.entries(jar)
      .map(([name, value]) => `${name}=${value}`)
      .join("; ");
    return { result, jar, cookie, csrf: jar["__Host-csrf"] as string };
  }

  it("login sets the auth and refresh cookies HttpOnly, Secure, SameSite=Lax, Path=/, living as long as their tokens; csrf and the expiry hint readable", async () => {
    const { result, jar } = await login();
    expect(result.cookies.map((cookie) => cookie.name)).toEqual(["__Host-auth", "__Host-refresh", "__Host-csrf", "__Host-auth-exp"]);
    const authToken = await auth.verifyToken(jar["__Host-auth"] as string, "auth");
    const refreshToken = await auth.verifyToken(jar["__Host-refresh"] as string, "refresh");
    for (const { name, attributes } of result.cookies) {
      expect(attributes.get("path"), name).toBe("/");
      expect(attributes.has("secure"), name).toBe(true);
      expect(attributes.get("samesite"), name).toBe("Lax");
      expect(attributes.has("domain"), name).toBe(false);
      expect(attributes.has("httponly"), name).toBe(name === "__Host-auth" || name === "__Host-refresh");
    }
    const maxAge = (name: string) => Number(result.cookies.find((cookie) => cookie.name === name)?.attributes.get("max-age"));
    expect(maxAge("__Host-auth")).toBeGreaterThanOrEqual(899);
    expect(maxAge("__Host-auth")).toBeLessThanOrEqual(900);
    expect(maxAge("__Host-refresh")).toBeGreaterThanOrEqual(3599);
    expect(maxAge("__Host-csrf")).toBe(maxAge("__Host-refresh"));
    expect(maxAge("__Host-auth-exp")).toBe(maxAge("__Host-refresh"));
    expect(jar["__Host-csrf"]).toBe(authToken.claims.csrf);
    expect(refreshToken.claims.csrf).toBe(authToken.claims.csrf);
    expect(jar["__Host-auth-exp"]).toBe(`${authToken.exp}.${authToken.jti}`);
  });

  it("authenticates GET queries by the auth cookie, with no CSRF header", async () => {
    const { cookie } = await login("alice");
    const result = await call("me", { method: "GET", cookie });
    expect(result.status).toBe(200);
    expect(result.body.result.data).toBe("alice");
    expect(jwtCode(await call("me", { method: "GET" }))).toBe("TOKEN_MISSING");
  });

  it("refuses a cookie-authenticated mutation without x-csrf-token, or with a wrong one (403 CSRF_MISMATCH), and accepts the right one", async () => {
    const { cookie, csrf } = await login("alice");
    const body = JSON.stringify({ name: "x" });
    const missing = await call("rename", { cookie, body });
    expect(missing.status).toBe(403);
    expect(missing.body.error.data).toMatchObject({ code: "FORBIDDEN", httpStatus: 403, jwtCode: "CSRF_MISMATCH" });
    expect(jwtCode(await call("rename", { cookie, body, headers: { "x-csrf-token": `${csrf}x` } }))).toBe("CSRF_MISMATCH");
    expect(jwtCode(await call("rename", { cookie, body, headers: { "x-csrf-token": "" } }))).toBe("CSRF_MISMATCH");
    // The csrf cookie of another session does not match this session's tokens.
    const other = await login("alice");
    expect(jwtCode(await call("rename", { cookie, body, headers: { "x-csrf-token": other.csrf } }))).toBe("CSRF_MISMATCH");
    const ok = await call("rename", { cookie, body, headers: { "x-csrf-token": csrf } });
    expect(ok.status).toBe(200);
    expect(ok.body.result.data).toBe("alice:x");
  });

  it("checks multipart/form-data and application/octet-stream posts too (a cross-site form can send both)", async () => {
    const { cookie, csrf } = await login("alice");
    const form = () => {
      const data = new FormData();
      data.set("a", "1");
      return data;
    };
    const octets = { "content-type": "application/octet-stream" };
    expect(jwtCode(await call("upload", { cookie, body: form() }))).toBe("CSRF_MISMATCH");
    expect(jwtCode(await call("blob", { cookie, body: new Uint8Array([1, 2, 3]), headers: octets }))).toBe("CSRF_MISMATCH");
    expect((await call("upload", { cookie, body: form(), headers: { "x-csrf-token": csrf } })).body.result.data).toBe("alice:form");
    expect((await call("blob", { cookie, body: new Uint8Array([1, 2, 3]), headers: { ...octets, "x-csrf-token": csrf } })).body.result.data).toBe(
      "alice:octets",
    );
  });

  it("lets the Authorization header win over the cookie, with no CSRF header needed; a bad header never falls back to the cookie", async () => {
    const { cookie } = await login("alice");
    const bob = await cookiePair(auth, "bob");
    const authorization = `Bearer ${bob.authToken.signed}`;
    expect((await call("me", { method: "GET", cookie, headers: { authorization } })).body.result.data).toBe("bob");
    const mutation = await call("rename", { cookie, body: JSON.stringify({ name: "y" }), headers: { authorization } });
    expect(mutation.body.result.data).toBe("bob:y");
    expect(jwtCode(await call("me", { method: "GET", cookie, headers: { authorization: "Bearer not.a.token" } }))).toBe("TOKEN_INVALID");
  });

  it("refreshes through the refresh cookie (with the CSRF header) and sets new cookies", async () => {
    const { cookie, csrf, jar } = await login("alice");
    const onlyRefresh = `__Host-refresh=${jar["__Host-refresh"]}; __Host-csrf=${csrf}`;
    expect(jwtCode(await call("refresh", { cookie: onlyRefresh }))).toBe("CSRF_MISMATCH");
    const refreshed = await call("refresh", { cookie: onlyRefresh, headers: { "x-csrf-token": csrf } });
    expect(refreshed.status).toBe(200);
    const newAuth = refreshed.cookies.find((c) => c.name === "__Host-auth")?.value as string;
    tokensSeen.add(newAuth);
    expect(newAuth).not.toBe(jar["__Host-auth"]);
    expect((await auth.verifyToken(newAuth, "auth")).claims.csrf).toBe(csrf);
    // The auth cookie is not a refresh token: refreshing with it alone is refused.
    expect(jwtCode(await call("refresh", { cookie: `__Host-auth=${jar["__Host-auth"]}`, headers: { "x-csrf-token": csrf } }))).toBe("TOKEN_MISSING");
    expect(cookie).toContain("__Host-auth=");
  });

  it("clears every session cookie on logout", async () => {
    const { cookie, csrf } = await login("alice");
    const result = await call("logout", { cookie, headers: { "x-csrf-token": csrf } });
    expect(result.status).toBe(200);
    expect(result.cookies.map((c) => [c.name, c.value, c.attributes.get("max-age"), c.attributes.get("path"), c.attributes.has("secure")])).toEqual([
      ["__Host-auth", "", "0", "/", true],
      ["__Host-refresh", "", "0", "/", true],
      ["__Host-csrf", "", "0", "/", true],
      ["__Host-auth-exp", "", "0", "/", true],
    ]);
  });

  it("refuses a duplicated auth cookie (401 TOKEN_INVALID), and a pair without a csrf claim never becomes cookies", async () => {
    const a = await login("alice");
    const b = await login("bob");
    expect(jwtCode(await call("me", { method: "GET", cookie: `__Host-auth=${a.jar["__Host-auth"]}; __Host-auth=${b.jar["__Host-auth"]}` }))).toBe(
      "TOKEN_INVALID",
    );
    const bad = await call("setBadPair");
    expect(bad.status).toBe(500);
    expect(bad.cookies).toEqual([]);
  });

  it("puts no token text in any error body", () => {
    expect(errorBodies.length).toBeGreaterThan(5);
    for (const body of errorBodies) {
      for (const token of tokensSeen) {
        expect(body).not.toContain(token);
        expect(body).not.toContain(token.split(".")[2]);
      }
      expect(body).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
    }
  });
});

describe("cookies with secure: false (plain-http development)", () => {
  it("drops the __Host- prefix and the Secure flag; names and SameSite can be changed", async () => {
    const app = createCookieApp(auth, { cookies: { secure: false, sameSite: "strict", names: { csrf: "xsrf" } } });
    const server = await serveCookieApp("standalone", app);
    try {
      const response = await fetch(`${server.url}/trpc/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ sub: "alice" }),
      });
      const cookies = response.headers.getSetCookie().map(parseSetCookie);
      expect(cookies.map((c) => c.name)).toEqual(["auth", "refresh", "xsrf", "auth-exp"]);
      for (const cookie of cookies) {
        expect(cookie.attributes.has("secure")).toBe(false);
        expect(cookie.attributes.get("samesite")).toBe("Strict");
      }
    } finally {
      await server.close();
    }
  });

  it("refuses options browsers would drop, naming them", () => {
    const make = (cookies: object) => () => createCookieApp(auth, { cookies });
    expect(make({ secure: false, names: { auth: "__Host-auth" } })).toThrow(
      new JwtConfigError("cookies.names.auth", "a __Host- or __Secure- cookie needs secure: true"),
    );
    expect(make({ secure: false, sameSite: "none" })).toThrow(JwtConfigError);
    expect(make({ sameSite: "loose" })).toThrow(/cookies.sameSite/);
    expect(make({ names: { csrf: "a b" } })).toThrow(/cookies.names.csrf/);
    expect(make({ names: { auth: "same", refresh: "same" } })).toThrow(/cookies.names/);
    expect(make({ allowedOrigins: ["https://app.example.com/path"] })).toThrow(/cookies.allowedOrigins/);
  });
});
