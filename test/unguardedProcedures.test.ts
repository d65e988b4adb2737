// unguardedProcedures (#13.6): the default-deny audit over merged and nested routers.
import { initTRPC, lazy } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AuthManager, createJwtContext, createJwtProcedures, JwtConfigError, RemoteIssuer, unguardedProcedures, unpinnedProcedures } from "trpc-jwt";
import { optionsFor } from "./helpers/keys.js";
import { createTestApp } from "./helpers/testApp.js";

const auth = new AuthManager(optionsFor("HS256"));
const createContext = createJwtContext(auth);
const t = initTRPC.context<typeof createContext>().create();
const { authedProcedure, refreshProcedure, optionalProcedure, requireToken } = createJwtProcedures(t);
const logging = t.middleware(({ next }) => next());

const posts = t.router({
  list: t.procedure.query(() => []),
  feed: optionalProcedure.query(() => []),
  create: authedProcedure.input(z.object({ title: z.string() })).mutation(() => "ok"),
  byOwner: t.procedure
    .input(z.object({ owner: z.string() }))
    .use(requireToken({ input: { sub: "owner" } }))
    .query(() => []),
  optionalThenRule: optionalProcedure.use(requireToken({ scope: "admin" })).query(() => "ok"),
  loggedPublic: t.procedure.use(logging).query(() => "ok"),
  loggedGuarded: t.procedure
    .use(logging)
    .use(requireToken({ cookie: "auth_token" }))
    .use(logging)
    .query(() => "ok"),
});
const account = t.router({
  refresh: refreshProcedure.mutation(() => "ok"),
  login: t.procedure.mutation(() => "ok"),
  settings: t.router({ read: authedProcedure.query(() => ({})), theme: t.procedure.query(() => "dark") }),
});
const appRouter = t.mergeRouters(t.router({ health: t.procedure.query(() => "ok"), posts }), t.router({ account }));

describe("unguardedProcedures", () => {
  it("lists, sorted, the dotted paths that can run without a token: public and optional procedures", () => {
    expect(unguardedProcedures(appRouter)).toEqual(["account.login", "account.settings.theme", "health", "posts.feed", "posts.list", "posts.loggedPublic"]);
  });

  it("is empty for a fully guarded router", () => {
    expect(unguardedProcedures(t.router({ a: authedProcedure.query(() => 1), b: t.router({ c: refreshProcedure.query(() => 2) }) }))).toEqual([]);
  });

  it("pins the public procedures of the test app", () => {
    expect(unguardedProcedures(createTestApp(auth).router)).toEqual(["hello", "refreshToken", "token"]);
  });

  it("refuses to audit a lazy router that is not loaded", () => {
    const later = t.router({ x: t.procedure.query(() => 1) });
    const withLazy = t.router({ open: t.procedure.query(() => 1), nested: { later: lazy(async () => later) } });
    expect(() => unguardedProcedures(withLazy)).toThrow(JwtConfigError);
    expect(() => unguardedProcedures(withLazy)).toThrow(/nested\.later/);
    expect(unguardedProcedures(later)).toEqual(["x"]); // what the advice says: audit the lazy router itself
  });
});

describe("unpinnedProcedures (#23: several issuers, one rule namespace)", () => {
  const idp = new RemoteIssuer({
    issuer: "https://idp.example.test/",
    audience: "api",
    keys: { keys: [{ kty: "EC", crv: "P-256", x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0" }] },
  });
  const mixed = createJwtContext([auth, idp]);
  const m = initTRPC.context<typeof mixed>().create();
  const guards = createJwtProcedures(m);
  const byOwner = guards.authedProcedure.input(z.object({ owner: z.string() }));

  it("lists, sorted, the procedures whose rules read claims and that no guard of theirs pins to an issuer", () => {
    const router = m.router({
      open: m.procedure.query(() => 1),
      anyToken: guards.authedProcedure.query(() => 1),
      owner: byOwner.use(guards.requireToken({ input: { sub: "owner" } })).query(() => 1),
      ownerPinned: byOwner.use(guards.requireToken({ issuer: auth, input: { sub: "owner" } })).query(() => 1),
      pinnedThenRule: guards.authedProcedure
        .use(guards.requireToken({ issuer: idp }))
        .use(guards.requireToken({ scope: "read" }))
        .query(() => 1),
      nested: m.router({
        admin: guards.authedProcedure.use(guards.requireToken({ override: { admin: true }, scope: "admin" })).query(() => 1),
        check: guards.authedProcedure.use(guards.requireToken({ allow: () => true })).query(() => 1),
        fresh: guards.authedProcedure.use(guards.requireToken({ maxAuthAge: 300 })).query(() => 1),
        mfa: guards.authedProcedure.use(guards.requireToken({ acr: ["urn:mfa"] })).query(() => 1),
        otp: guards.authedProcedure.use(guards.requireToken({ amr: ["otp"] })).query(() => 1),
        claims: guards.authedProcedure.use(guards.requireToken({ claims: { tenant: "acme" }, issuer: "my-api" })).query(() => 1),
      }),
    });
    expect(unpinnedProcedures(router)).toEqual(["nested.admin", "nested.check", "nested.fresh", "nested.mfa", "nested.otp", "owner"]);
    expect(unpinnedProcedures(appRouter)).toEqual(["posts.byOwner", "posts.optionalThenRule"]);
  });

  it("refuses an issuer pin that names no issuer, at construction", () => {
    for (const issuer of ["", 42, {}, { issuer: "" }, null]) {
      expect(() => guards.requireToken({ issuer } as never)).toThrow(expect.objectContaining({ option: "requireToken.issuer" }));
    }
  });
});
