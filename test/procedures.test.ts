// Guarded procedures through t.createCaller: codes, context, rules, token locations.
import { TRPCError } from "@trpc/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AuthManager, createJwtContext, JwtError } from "trpc-jwt";
import { fakeClock, optionsFor } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";
import { trpcRefusal } from "./helpers/trpcRefusal.js";
import { createTestApp } from "./helpers/testApp.js";

// Signature checks, counted on the native path and the jose fallback alike.
const signatures = vi.hoisted(() => ({ calls: 0, failWith: undefined as unknown }));
vi.mock("jose", async (importOriginal) => (await import("./helpers/countingSignatureChecks.js")).countingJose(importOriginal, signatures));
vi.mock("../src/keys/nativeVerify.js", async (importOriginal) =>
  (await import("./helpers/countingSignatureChecks.js")).countingNativeVerify(importOriginal, signatures),
);

const auth = new AuthManager(optionsFor("HS256"));
const { router, createContext, t } = createTestApp(auth);
const callerFactory = t.createCallerFactory(router);

function callerWith(headers: Record<string, string>) {
  const ctx = createContext({ req: new Request("http://localhost/trpc", { headers }) });
  return { caller: callerFactory(ctx), ctx };
}
const withBearer = (token: string) => callerWith({ authorization: `Bearer ${token}` }).caller;

afterEach(() => vi.restoreAllMocks());

describe("authedProcedure and refreshProcedure", () => {
  it("puts the verified token in ctx.token", async () => {
    const issued = await auth.authToken("alice", { admin: true }, { custom_claim: "x" });
    expect(await withBearer(issued.signed).info()).toEqual({
      tokenType: "auth",
      sub: "alice",
      scope: { admin: true },
      claims: issued.claims,
      isSigned: true,
      signed: issued.signed,
    });
  });

  it("refuses a request without a token: UNAUTHORIZED / TOKEN_MISSING", async () => {
    expect(await trpcRefusal(callerWith({}).caller.protectedRoute())).toEqual({
      code: "UNAUTHORIZED",
      jwtCode: "TOKEN_MISSING",
      message: "Authentication token is missing",
    });
  });

  it.each([
    ["another scheme", "Token abc.def.ghi"],
    ["Basic credentials", "Basic YWxpY2U6c2VjcmV0"],
    ["an empty bearer", "Bearer "],
    ["two spaces", "Bearer  abc.def.ghi"],
    ["the bare scheme", "Bearer"],
    ["two tokens", "Bearer a.b.c d.e.f"],
    ["garbage", "Bearer garbage"],
  ])("refuses %s as TOKEN_INVALID", async (_name, header) => {
    expect(await trpcRefusal(callerWith({ authorization: header }).caller.protectedRoute())).toMatchObject({ code: "UNAUTHORIZED", jwtCode: "TOKEN_INVALID" });
  });

  it("accepts the scheme in any case", async () => {
    const { signed } = await auth.authToken("alice");
    expect(await callerWith({ authorization: `bEaReR ${signed}` }).caller.protectedRoute()).toBe("ok");
  });

  it("refuses a refresh token on an auth procedure and an auth token on a refresh procedure", async () => {
    const refresh = await auth.refreshToken("alice");
    const access = await auth.authToken("alice");
    expect(await trpcRefusal(withBearer(refresh.signed).protectedRoute())).toMatchObject({ code: "UNAUTHORIZED", jwtCode: "TOKEN_WRONG_TYPE" });
    expect(await trpcRefusal(withBearer(access.signed).refresh())).toMatchObject({ code: "UNAUTHORIZED", jwtCode: "TOKEN_WRONG_TYPE" });
  });

  it("exchanges a refresh token for a new auth token", async () => {
    const refresh = await auth.refreshToken("alice");
    const { authToken } = await withBearer(refresh.signed).refresh();
    expect(await withBearer(authToken).protectedRoute()).toBe("ok");
  });

  it("never mutates the context it was given", async () => {
    const { signed } = await auth.authToken("alice");
    const { caller, ctx } = callerWith({ authorization: `Bearer ${signed}` });
    await caller.info();
    expect(Object.keys(ctx)).toEqual(["jwt"]);
    expect(ctx).not.toHaveProperty("token");
  });

  it("verifies a token at most once per request, however many procedures use it", async () => {
    const uncached = new AuthManager(optionsFor("HS256", { cacheSize: 0 }));
    const app = createTestApp(uncached);
    const { signed } = await uncached.authToken("alice", { admin: true });
    // With no cache, every verification is a signature check: count those.
    signatures.calls = 0;
    const caller = app.t.createCallerFactory(app.router)(
      app.createContext({ req: new Request("http://x", { headers: { authorization: `Bearer ${signed}` } }) }),
    );
    await Promise.all([caller.protectedRoute(), caller.admin(), caller.user({ username: "alice" }), caller.info()]);
    await caller.protectedRoute(); // after the verification settled, too
    expect(signatures.calls).toBe(1);
    const fresh = app.t.createCallerFactory(app.router)(
      app.createContext({ req: new Request("http://x", { headers: { authorization: `Bearer ${signed}` } }) }),
    );
    await fresh.protectedRoute();
    expect(signatures.calls).toBe(2); // a new request verifies again: the spy sees them
  });

  it("checks type and expiry on a token answered from the cache without waiting", async () => {
    const clock = fakeClock();
    const cached = new AuthManager(optionsFor("HS256", { clock: clock.now, authMaxAge: 60 }));
    const app = createTestApp(cached);
    const caller = (token: string) =>
      app.t.createCallerFactory(app.router)(app.createContext({ req: new Request("http://x", { headers: { authorization: `Bearer ${token}` } }) }));
    const [{ signed: authSigned }, { signed: refreshSigned }] = await Promise.all([cached.authToken("alice"), cached.refreshToken("alice")]);
    for (const signed of [authSigned, refreshSigned, authSigned, refreshSigned]) await cached.verifyToken(signed); // admitted on the second
    signatures.calls = 0;
    expect(await caller(authSigned).protectedRoute()).toBeDefined();
    expect(await trpcRefusal(caller(refreshSigned).protectedRoute())).toMatchObject({ code: "UNAUTHORIZED", jwtCode: "TOKEN_WRONG_TYPE" });
    expect(await trpcRefusal(caller(authSigned).refresh())).toMatchObject({ code: "UNAUTHORIZED", jwtCode: "TOKEN_WRONG_TYPE" });
    expect(signatures.calls).toBe(0); // all three were cache hits
    clock.advance(60);
    expect(await trpcRefusal(caller(authSigned).protectedRoute())).toMatchObject({ code: "UNAUTHORIZED", jwtCode: "TOKEN_EXPIRED" });
  });

  it("fails with a clear server error when the context was not built by createJwtContext", async () => {
    const caller = callerFactory({} as never);
    const error = (await caller.protectedRoute().catch((e: unknown) => e)) as TRPCError;
    expect(error.code).toBe("INTERNAL_SERVER_ERROR");
    expect(error.message).toContain("createJwtContext");
  });
});

describe("requireToken rules", () => {
  it("binds a claim to the input", async () => {
    const { signed } = await auth.authToken("alice");
    expect(await withBearer(signed).user({ username: "alice" })).toBe("Hello, alice!");
    expect(await trpcRefusal(withBearer(signed).user({ username: "bob" }))).toEqual({
      code: "FORBIDDEN",
      jwtCode: "CLAIMS_MISMATCH",
      message: "Token lacks the required claims",
    });
  });

  it("binds a nested input path by membership when the claim is an array", async () => {
    const { signed } = await auth.authToken("alice", undefined, { orgs: ["acme", "globex"] });
    expect(await withBearer(signed).org({ org: { id: "globex" } })).toBe("globex");
    expect(await trpcRefusal(withBearer(signed).org({ org: { id: "initech" } }))).toMatchObject({ jwtCode: "CLAIMS_MISMATCH" });
  });

  it("requires literal claims", async () => {
    const good = await auth.authToken("alice", undefined, { custom_claim: "Arbitrary Required Value" });
    const bad = await auth.authToken("alice", undefined, { custom_claim: "arbitrary required value" });
    expect(await withBearer(good.signed).custom()).toBe("custom ok");
    expect(await trpcRefusal(withBearer(bad.signed).custom())).toMatchObject({ code: "FORBIDDEN", jwtCode: "CLAIMS_MISMATCH" });
  });

  it("requires scope, type-strictly", async () => {
    expect(await withBearer((await auth.authToken("a", { admin: true })).signed).admin()).toBe("admin ok");
    for (const scope of [{ admin: 1 }, { admin: "true" }, "admin", ["admin"], { user: true }]) {
      expect(await trpcRefusal(withBearer((await auth.authToken("a", scope)).signed).admin())).toEqual({
        code: "FORBIDDEN",
        jwtCode: "SCOPE_MISMATCH",
        message: "Token lacks the required scope",
      });
    }
    expect(await trpcRefusal(withBearer((await auth.authToken("a")).signed).admin())).toMatchObject({ jwtCode: "SCOPE_MISMATCH" });
  });

  it("treats a string scope as OAuth words", async () => {
    expect(await withBearer((await auth.authToken("a", "write admin read")).signed).oauth()).toBe("oauth ok");
    expect(await trpcRefusal(withBearer((await auth.authToken("a", "read readwrite")).signed).oauth())).toMatchObject({ jwtCode: "SCOPE_MISMATCH" });
  });

  it("lets a top-level override claim skip the input binding, but not the type check", async () => {
    const admin = await auth.authToken("root", undefined, { admin: true });
    expect(await withBearer(admin.signed).overridable({ username: "alice" })).toBe("Hello, alice!");
    const scopedAdmin = await auth.authToken("root", { admin: true });
    expect(await trpcRefusal(withBearer(scopedAdmin.signed).overridable({ username: "alice" }))).toMatchObject({ jwtCode: "CLAIMS_MISMATCH" });
    const refresh = await auth.refreshToken("alice");
    expect(await trpcRefusal(withBearer(refresh.signed).overridable({ username: "alice" }))).toMatchObject({ jwtCode: "TOKEN_WRONG_TYPE" });
  });
});

describe("cookie location", () => {
  it("reads only the named cookie on cookie procedures", async () => {
    const { signed } = await auth.authToken("alice");
    expect((await callerWith({ cookie: `a=1; auth_token=${signed}; b=2` }).caller.requireAuthCookie()).sub).toBe("alice");
    expect(await trpcRefusal(callerWith({ authorization: `Bearer ${signed}` }).caller.requireAuthCookie())).toMatchObject({ jwtCode: "TOKEN_MISSING" });
  });

  it("ignores cookies on header procedures", async () => {
    const { signed } = await auth.authToken("alice");
    expect(await trpcRefusal(callerWith({ cookie: `auth_token=${signed}` }).caller.protectedRoute())).toMatchObject({ jwtCode: "TOKEN_MISSING" });
  });

  it("treats an empty cookie as missing and a duplicated one as invalid", async () => {
    const { signed } = await auth.authToken("alice");
    expect(await trpcRefusal(callerWith({ cookie: "auth_token=" }).caller.requireAuthCookie())).toMatchObject({ jwtCode: "TOKEN_MISSING" });
    expect(await trpcRefusal(callerWith({ cookie: `auth_token=${signed}; auth_token=${signed}` }).caller.requireAuthCookie())).toMatchObject({
      jwtCode: "TOKEN_INVALID",
    });
  });

  it("checks the type of a cookie token too", async () => {
    const { signed } = await auth.authToken("alice");
    expect(await trpcRefusal(callerWith({ cookie: `refresh_token=${signed}` }).caller.requireRefreshCookie())).toMatchObject({ jwtCode: "TOKEN_WRONG_TYPE" });
  });
});

describe("WebSocket credentials", () => {
  // What the ws adapter passes: the upgrade request, the socket as `res`, and connection params.
  // (a `ws` socket: the WebSocket constants and readyState; the request asks for the upgrade).
  const upgrade = (headers: Record<string, string>) => {
    const all = { upgrade: "websocket", connection: "Upgrade", ...headers };
    return { headers: all, rawHeaders: Object.entries(all).flat() };
  };
  const socket = { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3, readyState: 1, send: () => undefined };

  it("reads connectionParams.token on a WebSocket", async () => {
    const { signed } = await auth.authToken("alice");
    const ctx = createContext({ req: upgrade({}), res: socket, info: { connectionParams: { token: signed } } });
    expect((await ctx.jwt.token()).sub).toBe("alice");
  });

  it("refuses a token in both the upgrade request's header and connectionParams: exactly one credential", async () => {
    const { signed } = await auth.authToken("alice");
    const ctx = createContext({ req: upgrade({ authorization: `Bearer ${signed}` }), res: socket, info: { connectionParams: { token: signed } } });
    expect(((await rejectionOf(ctx.jwt.token())) as JwtError).code).toBe("TOKEN_INVALID");
  });

  it("ignores connectionParams when the response is an HTTP response", async () => {
    const { signed } = await auth.authToken("alice");
    const httpResponse = { send: () => undefined, setHeader: () => undefined };
    const ctx = createContext({ req: upgrade({}), res: httpResponse, info: { connectionParams: { token: signed } } });
    expect(((await rejectionOf(ctx.jwt.token())) as JwtError).code).toBe("TOKEN_MISSING");
  });

  it("re-checks expiry on every use of a connection's token", async () => {
    const clock = fakeClock();
    const shortLived = new AuthManager(optionsFor("HS256", { clock: clock.now, authMaxAge: 60 }));
    const { signed } = await shortLived.authToken("alice");
    const ctx = createJwtContext(shortLived)({ req: upgrade({}), res: socket, info: { connectionParams: { token: signed } } });
    await expect(ctx.jwt.token()).resolves.toMatchObject({ sub: "alice" });
    clock.advance(60);
    expect(((await rejectionOf(ctx.jwt.token())) as JwtError).code).toBe("TOKEN_EXPIRED");
  });
});

describe("createJwtContext", () => {
  it("refuses an empty connectionParam name", () => {
    expect(() => createJwtContext(auth, { connectionParam: "" })).toThrow(/connectionParam/);
  });

  it("is lazy: building a context reads and verifies nothing", () => {
    const spy = vi.spyOn(AuthManager.prototype, "verifyToken");
    createContext({ req: new Request("http://x", { headers: { authorization: "Bearer junk" } }) });
    expect(spy).not.toHaveBeenCalled();
  });
});
