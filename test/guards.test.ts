// The guard layer beyond the basic rules: chained guards, the `allow` predicate, refusals thrown
// inside procedures, the onRefused development hook, and token locations kept apart.
import { initTRPC, TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import {
  AuthManager,
  createJwtContext,
  createJwtProcedures,
  JwtConfigError,
  JwtError,
  jwtErrorFormatter,
  type JwtErrorCode,
  type RefusalEvent,
  type RequireTokenRules,
} from "trpc-jwt";
import { compileRules } from "../src/policy/compileRules.js";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { refusal } from "../src/errors.js";
import { startServer } from "./helpers/httpServer.js";
import { fakeClock, optionsFor } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";
import { trpcRefusal } from "./helpers/trpcRefusal.js";

// Signature checks, counted on the native path and the jose fallback alike.
const signatures = vi.hoisted(() => ({ calls: 0, failWith: undefined as unknown }));
vi.mock("jose", async (importOriginal) => (await import("./helpers/countingSignatureChecks.js")).countingJose(importOriginal, signatures));
vi.mock("../src/keys/nativeVerify.js", async (importOriginal) =>
  (await import("./helpers/countingSignatureChecks.js")).countingNativeVerify(importOriginal, signatures),
);

const clock = fakeClock();
const MUTATIONS = new Set(["rotate", "refreshCookieInBody", "invite"]);
const auth = new AuthManager(optionsFor("HS256", { clock: clock.now, authMaxAge: 60 }));

function createGuardsApp(config: Parameters<typeof createJwtContext>[1] = {}) {
  const createContext = createJwtContext(auth, config);
  const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
  const { authedProcedure, refreshProcedure, requireToken } = createJwtProcedures(t);
  const cookieProcedure = t.procedure.use(requireToken({ cookie: "auth_token" }));
  const allowSpy = vi.fn((args: { token: { sub: string }; input: { ownerId: string } }) => args.token.sub === args.input.ownerId);
  const owned = z.object({ ownerId: z.string() });
  const router = t.router({
    headerOnly: authedProcedure.query(({ ctx }) => ctx.token.sub),
    // #16.3: rules added to a cookie-authenticated base procedure.
    cookieAdmin: cookieProcedure.use(requireToken({ scope: { admin: true } })).query(({ ctx }) => ctx.token.sub),
    cookieOwner: cookieProcedure
      .input(owned)
      .use(requireToken({ input: { sub: "ownerId" } }))
      .query(({ input }) => input.ownerId),
    cookieThenRefresh: cookieProcedure.use(requireToken({ type: "refresh" })).query(({ ctx }) => ctx.token.tokenType),
    cookieThenOtherCookie: cookieProcedure.use(requireToken({ cookie: "other_token" })).query(({ ctx }) => ctx.token.sub),
    // #16.4: the predicate rule.
    post: authedProcedure
      .input(owned)
      .use(requireToken({ allow: ({ token, input }) => token.sub === input.ownerId || token.claims["role"] === "admin" }))
      .query(({ input }) => `post of ${input.ownerId}`),
    spiedAfterScope: authedProcedure
      .input(owned)
      .use(requireToken({ scope: "write", allow: allowSpy }))
      .query(() => "ok"),
    overriddenButNotAllowed: authedProcedure
      .input(owned)
      .use(requireToken({ input: { sub: "ownerId" }, override: { admin: true }, allow: ({ input }) => input.ownerId !== "locked" }))
      .query(() => "ok"),
    throwingAllow: authedProcedure
      .use(
        requireToken({
          allow: () => {
            throw new Error("database down");
          },
        }),
      )
      .query(() => "ran"),
    notFoundAllow: authedProcedure
      .use(
        requireToken({
          allow: () => {
            throw new TRPCError({ code: "NOT_FOUND", message: "No such post" });
          },
        }),
      )
      .query(() => "ran"),
    // #17.10: refusals thrown inside the procedure (as auth.rotate will), and the app's own JwtError.
    rotate: refreshProcedure.mutation((): string => {
      throw refusal("TOKEN_REUSED");
    }),
    storeDown: authedProcedure.query((): string => {
      throw refusal("STORE_UNAVAILABLE");
    }),
    keysDown: authedProcedure.query((): string => {
      throw refusal("KEYS_UNAVAILABLE");
    }),
    refreshCookieInBody: authedProcedure.mutation(async ({ ctx }) => (await ctx.jwt.token({ type: "refresh", cookie: "refresh_token" })).sub),
    invite: authedProcedure.input(z.object({ invite: z.string() })).mutation(async ({ input }) => (await auth.verifyToken(input.invite)).sub),
    publicRefusal: t.procedure.query((): string => {
      throw refusal("TOKEN_REUSED");
    }),
  });
  // Queries as GET, mutations as POST, as the client sends them.
  const call = (path: string, headers: Record<string, string> = {}, input?: unknown) => {
    const json = input === undefined ? undefined : JSON.stringify(input);
    const init: RequestInit = MUTATIONS.has(path)
      ? { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: json ?? "" }
      : { headers };
    const query = json === undefined || MUTATIONS.has(path) ? "" : `?input=${encodeURIComponent(json)}`;
    return fetchRequestHandler({ endpoint: "/trpc", router, createContext, req: new Request(`http://localhost/trpc/${path}${query}`, init) });
  };
  const caller = (headers: Record<string, string> = {}) => {
    const ctx = createContext({ req: new Request("http://localhost/trpc", { headers }) });
    return { caller: t.createCallerFactory(router)(ctx), ctx };
  };
  return { router, createContext, call, caller, allowSpy };
}

const app = createGuardsApp();
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const cookies = (pairs: Record<string, string>) => ({
  cookie: Object.entries(pairs)
    .map(([name, value]) => `${name}=${value}`)
    .join("; "),
});

afterEach(() => {
  vi.restoreAllMocks();
  app.allowSpy.mockClear();
});

describe("chained guards share the token (#16.3)", () => {
  it("a rule added to a cookie-authenticated procedure reuses the cookie's token instead of looking for a header", async () => {
    const { signed } = await auth.authToken("alice", { admin: true });
    expect(await app.caller(cookies({ auth_token: signed })).caller.cookieAdmin()).toBe("alice");
    expect(await app.caller(cookies({ auth_token: signed })).caller.cookieOwner({ ownerId: "alice" })).toBe("alice");
  });

  it("the reused token still meets the added rule", async () => {
    const user = await auth.authToken("bob", { admin: false });
    expect(await trpcRefusal(app.caller(cookies({ auth_token: user.signed })).caller.cookieAdmin())).toMatchObject({
      code: "FORBIDDEN",
      jwtCode: "SCOPE_MISMATCH",
    });
    expect(await trpcRefusal(app.caller(cookies({ auth_token: user.signed })).caller.cookieOwner({ ownerId: "alice" }))).toMatchObject({
      jwtCode: "CLAIMS_MISMATCH",
    });
  });

  it("verifies the token once for the whole chain", async () => {
    const uncached = new AuthManager(optionsFor("HS256", { cacheSize: 0 }));
    const createContext = createJwtContext(uncached);
    const t = initTRPC.context<typeof createContext>().create();
    const { requireToken } = createJwtProcedures(t);
    const router = t.router({
      chain: t.procedure
        .use(requireToken({ cookie: "auth_token" }))
        .use(requireToken({ scope: "a" }))
        .use(requireToken({ claims: { c: 1 } }))
        .query(() => "ok"),
    });
    const { signed } = await uncached.authToken("alice", "a", { c: 1 });
    signatures.calls = 0;
    const ctx = createContext({ req: new Request("http://x", { headers: cookies({ auth_token: signed }) }) });
    expect(await t.createCallerFactory(router)(ctx).chain()).toBe("ok");
    expect(signatures.calls).toBe(1);
  });

  it("a later guard of the other type, or naming another cookie, looks in its own location", async () => {
    const [access, refresh] = await Promise.all([auth.authToken("alice"), auth.refreshToken("alice")]);
    // The refresh guard reads the header, where there is no token: the cookie's auth token is not it.
    expect(await trpcRefusal(app.caller(cookies({ auth_token: access.signed })).caller.cookieThenRefresh())).toMatchObject({ jwtCode: "TOKEN_MISSING" });
    expect(await app.caller({ ...cookies({ auth_token: access.signed }), ...bearer(refresh.signed) }).caller.cookieThenRefresh()).toBe("refresh");
    expect(await trpcRefusal(app.caller(cookies({ auth_token: access.signed })).caller.cookieThenOtherCookie())).toMatchObject({ jwtCode: "TOKEN_MISSING" });
    const other = await auth.authToken("carol");
    expect(await app.caller(cookies({ auth_token: access.signed, other_token: other.signed })).caller.cookieThenOtherCookie()).toBe("carol");
  });

  it("a token the app put in ctx.token itself is never taken for a verified one", async () => {
    const createContext = createJwtContext(auth);
    const t = initTRPC.context<typeof createContext>().create();
    const { requireToken } = createJwtProcedures(t);
    const forged = await auth.authToken("mallory", { admin: true }); // a real JwtToken, but not this request's
    const router = t.router({
      spoofed: t.procedure
        .use(({ next }) => next({ ctx: { token: forged } }))
        .use(requireToken({ scope: { admin: true } }))
        .query(({ ctx }) => ctx.token.sub),
    });
    const ctx = createContext({ req: new Request("http://x") });
    expect(((await rejectionOf(t.createCallerFactory(router)(ctx).spoofed())) as TRPCError).cause).toMatchObject({ code: "TOKEN_MISSING" });
  });
});

describe("the allow predicate (#16.4)", () => {
  it("true lets the call through; false is 403 CLAIMS_MISMATCH", async () => {
    const [alice, admin] = await Promise.all([auth.authToken("alice"), auth.authToken("root", undefined, { role: "admin" })]);
    expect(await app.caller(bearer(alice.signed)).caller.post({ ownerId: "alice" })).toBe("post of alice");
    expect(await app.caller(bearer(admin.signed)).caller.post({ ownerId: "alice" })).toBe("post of alice");
    expect(await trpcRefusal(app.caller(bearer(alice.signed)).caller.post({ ownerId: "bob" }))).toEqual({
      code: "FORBIDDEN",
      jwtCode: "CLAIMS_MISMATCH",
      message: "Token lacks the required claims",
    });
    const response = await app.call("post", bearer(alice.signed), { ownerId: "bob" });
    expect(response.status).toBe(403);
    expect((await response.json()).error.data).toMatchObject({ code: "FORBIDDEN", jwtCode: "CLAIMS_MISMATCH" });
  });

  it("runs after the other rules, with the parsed input and the verified token", async () => {
    const { signed } = await auth.authToken("alice", "read");
    expect(await trpcRefusal(app.caller(bearer(signed)).caller.spiedAfterScope({ ownerId: "alice" }))).toMatchObject({ jwtCode: "SCOPE_MISMATCH" });
    expect(app.allowSpy).not.toHaveBeenCalled();
    const writer = await auth.authToken("alice", "read write");
    expect(await app.caller(bearer(writer.signed)).caller.spiedAfterScope({ ownerId: "alice" })).toBe("ok");
    expect(app.allowSpy).toHaveBeenCalledTimes(1);
    const [[args]] = app.allowSpy.mock.calls as [[{ token: unknown; input: unknown }]];
    expect(args.input).toEqual({ ownerId: "alice" });
    expect(args.token).toMatchObject({ sub: "alice", signed: writer.signed });
  });

  it("never replaces the token checks: no token, a bad one, an expired one or the wrong type never reach it", async () => {
    const refresh = await auth.refreshToken("alice");
    const expiring = await auth.authToken("alice", "read write");
    const cases: [Record<string, string>, JwtErrorCode][] = [
      [{}, "TOKEN_MISSING"],
      [bearer(`${expiring.signed}x`), "TOKEN_INVALID"],
      [bearer(refresh.signed), "TOKEN_WRONG_TYPE"],
    ];
    for (const [headers, jwtCode] of cases) {
      expect(await trpcRefusal(app.caller(headers).caller.spiedAfterScope({ ownerId: "alice" }))).toMatchObject({ code: "UNAUTHORIZED", jwtCode });
    }
    const later = fakeClock();
    const shortLived = new AuthManager(optionsFor("HS256", { clock: later.now, authMaxAge: 60 }));
    const expiredApp = createJwtContext(shortLived);
    const t = initTRPC.context<typeof expiredApp>().create();
    const allow = vi.fn(() => true);
    const router = t.router({
      p: createJwtProcedures(t)
        .authedProcedure.use(createJwtProcedures(t).requireToken({ allow }))
        .query(() => "ok"),
    });
    const { signed } = await shortLived.authToken("alice");
    later.advance(60);
    expect(
      (
        (
          (await rejectionOf(
            t
              .createCallerFactory(router)(expiredApp({ req: new Request("http://x", { headers: bearer(signed) }) }))
              .p(),
          )) as TRPCError
        ).cause as JwtError
      ).code,
    ).toBe("TOKEN_EXPIRED");
    expect(app.allowSpy).not.toHaveBeenCalled();
    expect(allow).not.toHaveBeenCalled();
  });

  it("is not skipped by override: it is the app's own check", async () => {
    const admin = await auth.authToken("root", undefined, { admin: true });
    expect(await app.caller(bearer(admin.signed)).caller.overriddenButNotAllowed({ ownerId: "alice" })).toBe("ok"); // override skipped the input binding
    expect(await trpcRefusal(app.caller(bearer(admin.signed)).caller.overriddenButNotAllowed({ ownerId: "locked" }))).toMatchObject({
      code: "FORBIDDEN",
      jwtCode: "CLAIMS_MISMATCH",
    });
  });

  it("fails closed when it throws: the procedure does not run and the app's error stands", async () => {
    const { signed } = await auth.authToken("alice");
    const thrown = (await rejectionOf(app.caller(bearer(signed)).caller.throwingAllow())) as TRPCError;
    expect(thrown.code).toBe("INTERNAL_SERVER_ERROR");
    expect(thrown.cause).not.toBeInstanceOf(JwtError);
    const response = await app.call("throwingAllow", bearer(signed));
    expect(response.status).toBe(500);
    expect((await response.json()).error.data).not.toHaveProperty("jwtCode");
    const notFound = await app.call("notFoundAllow", bearer(signed));
    expect(notFound.status).toBe(404);
    expect((await notFound.json()).error.message).toBe("No such post");
  });

  it("only true allows: truthy values and promises are refused", async () => {
    const createContext = createJwtContext(auth);
    const t = initTRPC.context<typeof createContext>().create();
    const { requireToken } = createJwtProcedures(t);
    const { signed } = await auth.authToken("alice");
    const ctx = createContext({ req: new Request("http://x", { headers: bearer(signed) }) });
    const verdicts = [() => 1, () => "true", () => ({}), () => Promise.resolve(true), () => Promise.reject(new Error("late"))];
    for (const verdict of verdicts) {
      const router = t.router({ p: t.procedure.use(requireToken({ allow: verdict as unknown as () => boolean })).query(() => "ran") });
      expect((((await rejectionOf(t.createCallerFactory(router)(ctx).p())) as TRPCError).cause as JwtError).code).toBe("CLAIMS_MISMATCH");
    }
  });

  it("must be a function", () => {
    expect(() => compileRules({ allow: true } as unknown as RequireTokenRules)).toThrow(
      expect.objectContaining({ name: "JwtConfigError", option: "requireToken.allow" }),
    );
  });
});

describe("refusals thrown inside a guarded procedure (#17.10)", () => {
  it("reach the caller as their 401 with the code's message and the JwtError as cause", async () => {
    const refresh = await auth.refreshToken("alice");
    const error = (await rejectionOf(app.caller(bearer(refresh.signed)).caller.rotate())) as TRPCError;
    expect(error).toMatchObject({ code: "UNAUTHORIZED", message: "Refresh token has already been used" });
    expect(error.cause).toBeInstanceOf(JwtError);
    expect((error.cause as JwtError).code).toBe("TOKEN_REUSED");
  });

  it("map the unavailable codes to 503 SERVICE_UNAVAILABLE over HTTP, with data.jwtCode", async () => {
    const { signed } = await auth.authToken("alice");
    for (const [path, jwtCode] of [
      ["storeDown", "STORE_UNAVAILABLE"],
      ["keysDown", "KEYS_UNAVAILABLE"],
    ] as const) {
      const response = await app.call(path, bearer(signed));
      expect(response.status).toBe(503);
      expect((await response.json()).error.data).toMatchObject({ code: "SERVICE_UNAVAILABLE", httpStatus: 503, jwtCode });
    }
  });

  it("include the caller's other credentials read in the body (ctx.jwt.token)", async () => {
    const { signed } = await auth.authToken("alice");
    const response = await app.call("refreshCookieInBody", bearer(signed));
    expect(response.status).toBe(401);
    expect((await response.json()).error.data).toMatchObject({ jwtCode: "TOKEN_MISSING" });
  });

  it("but a JwtError from the app's own verifyToken of another token stays a 500 without jwtCode", async () => {
    const [{ signed }, invite] = await Promise.all([auth.authToken("alice"), auth.authToken("invitee")]);
    clock.advance(60);
    const fresh = await auth.authToken("alice");
    const response = await app.call("invite", bearer(fresh.signed), { invite: invite.signed });
    expect(signed).not.toBe(fresh.signed);
    expect(response.status).toBe(500);
    const { data } = (await response.json()).error;
    expect(data.code).toBe("INTERNAL_SERVER_ERROR");
    expect(data).not.toHaveProperty("jwtCode");
  });

  it("are not dressed up in a procedure no guard protects", async () => {
    const response = await app.call("publicRefusal");
    expect(response.status).toBe(500);
  });

  describe("over real HTTP with the typed client", () => {
    let server: Awaited<ReturnType<typeof startServer>>;
    beforeAll(async () => {
      server = await startServer({ router: app.router, createContext: app.createContext });
    });
    afterAll(() => server.close());

    it("rotate's TOKEN_REUSED arrives as 401 with data.jwtCode", async () => {
      const refresh = await auth.refreshToken("alice");
      const client = createTRPCClient<typeof app.router>({ links: [httpLink({ url: server.url, headers: bearer(refresh.signed) })] });
      const error = await rejectionOf(client.rotate.mutate());
      expect(error).toBeInstanceOf(TRPCClientError);
      expect((error as TRPCClientError<typeof app.router>).data).toMatchObject({ code: "UNAUTHORIZED", httpStatus: 401, jwtCode: "TOKEN_REUSED" });
    });
  });
});

describe("onRefused (#16.6)", () => {
  function recording(extra: { throwing?: boolean; rejecting?: boolean } = {}) {
    const events: RefusalEvent[] = [];
    const hooked = createGuardsApp({
      onRefused: (event) => {
        events.push(event);
        if (extra.throwing) throw new Error("hook bug");
        if (extra.rejecting) return Promise.reject(new Error("async hook bug"));
        return undefined;
      },
    });
    return { events, hooked };
  }

  // The signature's first character replaced by another: its first byte changes, always. (Writing
  // "AA" over the last two left the token unchanged whenever it already ended so, 1 run in 1,024.)
  const tamperedSignature = (token: string) => {
    const at = token.lastIndexOf(".") + 1;
    return token.slice(0, at) + (token[at] === "A" ? "B" : "A") + token.slice(at + 1);
  };

  it("is called with the code, which check failed, and the path", async () => {
    const { events, hooked } = recording();
    const [alice, refresh, reader] = await Promise.all([auth.authToken("alice"), auth.refreshToken("alice"), auth.authToken("alice", "read")]);
    const later = new AuthManager(optionsFor("HS256", { clock: () => clock.now() - 120_000, authMaxAge: 60 }));
    const expired = await later.authToken("alice");
    const foreign = await new AuthManager(optionsFor("HS256", { clock: clock.now, issuer: "someone-else" })).authToken("alice");
    const cases: [string, Record<string, string>, unknown, Omit<RefusalEvent, "path">][] = [
      ["headerOnly", {}, undefined, { code: "TOKEN_MISSING", reason: "missing" }],
      ["headerOnly", { authorization: "Basic YWxpY2U6c2VjcmV0" }, undefined, { code: "TOKEN_INVALID", reason: "credential" }],
      ["headerOnly", bearer(tamperedSignature(alice.signed)), undefined, { code: "TOKEN_INVALID", reason: "signature" }],
      ["headerOnly", bearer(`${alice.signed}.x`), undefined, { code: "TOKEN_INVALID", reason: "format" }],
      ["headerOnly", bearer(foreign.signed), undefined, { code: "TOKEN_INVALID", reason: "issuer" }],
      ["headerOnly", bearer(expired.signed), undefined, { code: "TOKEN_EXPIRED", reason: "expired" }],
      ["headerOnly", bearer(refresh.signed), undefined, { code: "TOKEN_WRONG_TYPE", reason: "type" }],
      ["cookieAdmin", cookies({ auth_token: alice.signed }), undefined, { code: "SCOPE_MISMATCH", reason: "scope" }],
      ["cookieOwner", cookies({ auth_token: alice.signed }), { ownerId: "bob" }, { code: "CLAIMS_MISMATCH", reason: "claims.input.sub" }],
      ["post", bearer(alice.signed), { ownerId: "bob" }, { code: "CLAIMS_MISMATCH", reason: "allow" }],
      ["spiedAfterScope", bearer(reader.signed), { ownerId: "alice" }, { code: "SCOPE_MISMATCH", reason: "scope" }],
      ["storeDown", bearer(alice.signed), undefined, { code: "STORE_UNAVAILABLE", reason: "procedure" }],
      ["refreshCookieInBody", bearer(alice.signed), undefined, { code: "TOKEN_MISSING", reason: "missing" }],
    ];
    for (const [path, headers, input, expected] of cases) {
      events.length = 0;
      await hooked.call(path, headers, input);
      expect(events, path).toEqual([{ ...expected, path }]);
    }
  });

  it("names the literal claim that failed", async () => {
    const events: RefusalEvent[] = [];
    const createContext = createJwtContext(auth, { onRefused: (event) => void events.push(event) });
    const t = initTRPC.context<typeof createContext>().create();
    const { authedProcedure, requireToken } = createJwtProcedures(t);
    const router = t.router({ org: { member: authedProcedure.use(requireToken({ claims: { tenant: "acme", role: "member" } })).query(() => "ok") } });
    const { signed } = await auth.authToken("alice", undefined, { tenant: "acme", role: "guest" });
    await rejectionOf(
      t
        .createCallerFactory(router)(createContext({ req: new Request("http://x", { headers: bearer(signed) }) }))
        .org.member(),
    );
    expect(events).toEqual([{ code: "CLAIMS_MISMATCH", reason: "claims.role", path: "org.member" }]);
  });

  it("is told no token text or claim value, and nothing it is told reaches the response", async () => {
    const { events, hooked } = recording();
    const { signed } = await auth.authToken("alice", { tier: "gold-secret" }, { org: "initech-secret" });
    const response = await hooked.call("cookieOwner", cookies({ auth_token: signed }), { ownerId: "bob" });
    expect(events).toHaveLength(1);
    expect(Object.keys(events[0] as object).sort()).toEqual(["code", "path", "reason"]);
    const told = JSON.stringify(events);
    for (const secret of [signed, signed.split(".")[1] as string, "gold-secret", "initech-secret", "alice"]) expect(told).not.toContain(secret);
    const body = await response.text();
    expect(body).not.toContain("claims.input");
  });

  it("is off by default: nothing is logged", async () => {
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((method) => vi.spyOn(console, method));
    const { signed } = await auth.authToken("alice");
    expect((await app.call("cookieOwner", cookies({ auth_token: signed }), { ownerId: "bob" })).status).toBe(403);
    expect((await app.call("headerOnly")).status).toBe(401);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it("a hook that throws or rejects changes nothing about the response", async () => {
    const { signed } = await auth.authToken("alice");
    const expected = await app.call("cookieOwner", cookies({ auth_token: signed }), { ownerId: "bob" });
    const expectedBody = await expected.text();
    for (const options of [{ throwing: true }, { rejecting: true }]) {
      const { events, hooked } = recording(options);
      const response = await hooked.call("cookieOwner", cookies({ auth_token: signed }), { ownerId: "bob" });
      expect(events).toHaveLength(1);
      expect(response.status).toBe(expected.status);
      expect(await response.text()).toBe(expectedBody);
    }
  });

  it("reports a refusal once, however many guards it passes through", async () => {
    const { events, hooked } = recording();
    const refresh = await auth.refreshToken("alice");
    await hooked.call("rotate", bearer(refresh.signed));
    await rejectionOf(hooked.caller(cookies({ auth_token: "x.y.z" })).caller.cookieAdmin());
    expect(events).toEqual([
      { code: "TOKEN_REUSED", reason: "procedure", path: "rotate" },
      { code: "TOKEN_INVALID", reason: "format", path: "cookieAdmin" },
    ]);
  });

  it("must be a function", () => {
    expect(() => createJwtContext(auth, { onRefused: "console" as never })).toThrow(expect.objectContaining({ option: "onRefused" }));
  });
});

describe("token locations are kept apart (#17.12)", () => {
  it("ctx.jwt.token refuses a cookie name that is empty or not a cookie name", async () => {
    const { signed } = await auth.authToken("alice");
    const { ctx, caller } = app.caller({ cookie: `=${signed}` });
    expect(() => ctx.jwt.token({ cookie: "" })).toThrow(JwtConfigError);
    expect(() => ctx.jwt.token({ cookie: "a b" })).toThrow(expect.objectContaining({ option: "cookie" }));
    expect(() => ctx.jwt.token({ type: "access" as never })).toThrow(expect.objectContaining({ option: "type" }));
    // So a nameless cookie can never stand in for the header on this request.
    expect(await trpcRefusal(caller.headerOnly())).toMatchObject({ jwtCode: "TOKEN_MISSING" });
  });

  it("a token verified from a cookie is never the header's credential on the same request", async () => {
    const { signed } = await auth.authToken("alice", { admin: true });
    const { ctx, caller } = app.caller(cookies({ auth_token: signed }));
    expect((await ctx.jwt.token({ cookie: "auth_token" })).sub).toBe("alice");
    expect(await caller.cookieAdmin()).toBe("alice");
    expect(await trpcRefusal(caller.headerOnly())).toMatchObject({ jwtCode: "TOKEN_MISSING" });
  });
});
