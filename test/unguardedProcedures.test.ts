// unguardedProcedures (#13.6): the default-deny audit over merged and nested routers.
import { initTRPC, lazy } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AuthManager, createJwtContext, createJwtProcedures, JwtConfigError, unguardedProcedures } from "trpc-jwt";
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
  loggedGuarded: t.procedure.use(logging).use(requireToken({ cookie: "auth_token" })).use(logging).query(() => "ok"),
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
