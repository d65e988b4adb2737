// Issue #17, the outside review: prototype pollution, integers beyond 2^53, empty rules below the
// top level, dotted input keys. Each case is one the review reproduced against the old code.
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { initTRPC } from "@trpc/server";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { AuthManager, createJwtContext, createJwtProcedures, JwtConfigError, memoryStore, type RequireTokenRules } from "trpc-jwt";
import { compileRules } from "../src/policy/compileRules.js";
import { matchInput } from "../src/policy/matchInput.js";
import { forgeHmac, goodClaims } from "./helpers/forge.js";
import { optionsFor } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";
import { createTestApp } from "./helpers/testApp.js";

const auth = new AuthManager(optionsFor("HS256"));
const { router, createContext } = createTestApp(auth);

async function call(path: string, token: string, input?: unknown) {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const response = await fetchRequestHandler({
    endpoint: "/trpc",
    router,
    createContext,
    req: new Request(`http://localhost/trpc/${path}${query}`, { headers: { authorization: `Bearer ${token}` } }),
  });
  const body = await response.json();
  return { status: response.status, jwtCode: body.error?.json.data.jwtCode as string | undefined, data: body.result?.data.json as unknown };
}

describe("prototype pollution (a bug elsewhere in the app) grants nothing and breaks nothing", () => {
  const polluted: string[] = [];
  const pollute = (name: string, value: unknown) => {
    polluted.push(name);
    (Object.prototype as Record<string, unknown>)[name] = value;
  };
  afterEach(() => {
    for (const name of polluted.splice(0)) delete (Object.prototype as Record<string, unknown>)[name];
  });

  it("Object.prototype.scope = { admin: true } does not pass a scope rule", async () => {
    const { signed } = await auth.authToken("alice");
    pollute("scope", { admin: true });
    expect(await call("admin", signed)).toMatchObject({ status: 403, jwtCode: "SCOPE_MISMATCH" });
    const token = await auth.verifyToken(signed);
    expect(token.scope).toBeUndefined();
    expect(Object.getPrototypeOf(token.claims)).toBeNull();
  });

  it("an inherited aud or nbf does not break every token", async () => {
    const { signed } = await auth.authToken("alice", { admin: true });
    pollute("aud", "https://elsewhere.example");
    pollute("nbf", Math.floor(Date.now() / 1000) + 3600);
    expect(await call("admin", signed)).toMatchObject({ status: 200, data: "admin ok" });
    const fresh = new AuthManager(optionsFor("HS256", { cacheSize: 0 }));
    await expect(fresh.verifyToken((await fresh.authToken("bob")).signed)).resolves.toMatchObject({ sub: "bob" });
  });

  it("an inherited override or claims rule is no rule", () => {
    pollute("override", { sub: "x" });
    pollute("claims", { role: "admin" });
    const compiled = compileRules({ scope: "read" });
    expect(compiled.override).toBeUndefined();
    expect(compiled.claims).toBeUndefined();
  });

  it("claims are prototype-free and frozen at every depth, issued or verified", async () => {
    const issued = await auth.authToken("alice", { admin: true }, { org: { id: "acme", tags: ["a"] } });
    const verified = await new AuthManager(optionsFor("HS256", { cacheSize: 0 })).verifyToken(issued.signed);
    for (const token of [issued, verified]) {
      for (const object of [token.claims, token.claims["org"], token.scope]) {
        expect(Object.getPrototypeOf(object)).toBeNull();
        expect(Object.isFrozen(object)).toBe(true);
      }
    }
  });
});

describe("typed claims and API keys' claims are prototype-free and frozen too", () => {
  it("a typed manager's issued and verified tokens, and a token made from an API key, seen by a guard", async () => {
    const typed = new AuthManager({ ...optionsFor("HS256", { cacheSize: 0 }), store: memoryStore(), claims: z.object({ org: z.string() }) });
    const createContext = createJwtContext(typed);
    const t = initTRPC.context<typeof createContext>().create();
    const { requireToken } = createJwtProcedures(t);
    const seen: object[] = [];
    const router = t.router({
      claims: t.procedure.use(requireToken({ apiKey: true })).query(({ ctx }) => {
        seen.push(ctx.token.claims);
        return ctx.token.sub;
      }),
    });
    const callWith = async (credential: string) =>
      fetchRequestHandler({
        endpoint: "/trpc",
        router,
        createContext,
        req: new Request("http://localhost/trpc/claims", { headers: { authorization: `Bearer ${credential}` } }),
      });
    const issued = await typed.authToken("alice", undefined, { org: "acme" });
    const { key } = await typed.apiKeys.create("ci", { name: "ci", claims: { org: "acme" } });
    expect((await callWith(issued.signed)).status).toBe(200);
    expect((await callWith(key)).status).toBe(200);
    expect(seen).toHaveLength(2);
    for (const claims of [issued.claims, ...seen]) {
      expect(Object.getPrototypeOf(claims)).toBeNull();
      expect(Object.isFrozen(claims)).toBe(true);
      expect((claims as Record<string, unknown>)["org"]).toBe("acme");
    }
  });
});

describe("integers beyond 2^53 are refused, never rounded into another id", () => {
  const snowflake = async (uid: string) => forgeHmac({ header: { typ: "JWT" }, payload: JSON.stringify(goodClaims()).replace(/^\{/, `{"uid":${uid},`) });

  it("a token with 9007199254740993 is TOKEN_INVALID and never matches the input 9007199254740992", async () => {
    const token = await snowflake("9007199254740993");
    expect(await call("account", token, { id: 9007199254740992 })).toMatchObject({ status: 401, jwtCode: "TOKEN_INVALID" });
    expect(await rejectionOf(auth.verifyToken(token))).toMatchObject({ code: "TOKEN_INVALID" });
  });

  it("the largest safe integer still verifies and binds", async () => {
    expect(await call("account", await snowflake(String(Number.MAX_SAFE_INTEGER)), { id: Number.MAX_SAFE_INTEGER })).toMatchObject({ status: 200 });
    expect(await call("account", await snowflake("-9007199254740993"), { id: -9007199254740992 })).toMatchObject({ status: 401, jwtCode: "TOKEN_INVALID" });
  });

  it("issuing one throws JwtConfigError naming the claim, and signs nothing", async () => {
    const error = await rejectionOf(auth.authToken("alice", undefined, { uid: 2 ** 53 }));
    expect(error).toBeInstanceOf(JwtConfigError);
    expect(error).toMatchObject({ option: "claims.uid" });
    expect(await rejectionOf(auth.authToken("alice", { ids: [1, 2 ** 60] }))).toMatchObject({ option: "scope" });
  });

  it("an unsafe input number never binds", () => {
    expect(matchInput([{ claim: "uid", path: ["id"] }], { uid: 2 ** 53 }, { id: 2 ** 53 })).toBe(false);
  });
});

describe("empty objects and arrays in override, claims and scope are refused at any depth", () => {
  const rows: [RequireTokenRules, string][] = [
    [{ override: { roles: [] } }, "requireToken.override.roles"],
    [{ claims: { groups: [] } }, "requireToken.claims.groups"],
    [{ scope: { admin: {} } }, "requireToken.scope.admin"],
    [{ scope: [[]] }, "requireToken.scope[0]"],
    [{ claims: { org: { teams: [{ id: "a" }, {}] } } }, "requireToken.claims.org.teams[1]"],
    [{ override: { a: { b: { c: {} } } } }, "requireToken.override.a.b.c"],
  ];
  it.each(rows)("%j is refused naming %s", (rules, option) => {
    expect(() => compileRules(rules)).toThrow(JwtConfigError);
    expect(() => compileRules(rules)).toThrow(expect.objectContaining({ option }));
  });

  it("at construction, through requireToken", () => {
    const t = initTRPC.context<ReturnType<ReturnType<typeof createJwtContext>>>().create();
    const { requireToken } = createJwtProcedures(t);
    expect(() => requireToken({ override: { roles: [] } })).toThrow(expect.objectContaining({ option: "requireToken.override.roles" }));
  });

  it("non-empty rules are kept as they were", () => {
    expect(compileRules({ claims: { groups: ["dev"], org: { id: "a" } }, scope: { admin: true } }).claims).toEqual({ groups: ["dev"], org: { id: "a" } });
  });
});

describe("dotted input keys: the runtime walks only paths the type allows", () => {
  it("an input holding both `user.name` and user -> name does not bind either way", () => {
    const binding = [{ claim: "sub", path: ["user", "name"] }];
    expect(matchInput(binding, { sub: "alice" }, { user: { name: "alice" } })).toBe(true);
    expect(matchInput(binding, { sub: "alice" }, { "user.name": "bob", user: { name: "alice" } })).toBe(false);
    expect(matchInput(binding, { sub: "alice" }, { "user.name": "alice" })).toBe(false);
    expect(matchInput([{ claim: "sub", path: ["a", "b", "c"] }], { sub: "x" }, { a: { "b.c": "y", b: { c: "x" } } })).toBe(false);
  });

  it("through tRPC: an input with both readings of the bound path is refused", async () => {
    const createContext = createJwtContext(auth);
    const t = initTRPC.context<typeof createContext>().create();
    const { authedProcedure, requireToken } = createJwtProcedures(t);
    const app = t.router({
      profile: authedProcedure
        // The type allows "user.name" as user -> name only; the handler reads the other key.
        .input(z.object({ user: z.object({ name: z.string() }), "user.name": z.string().optional() }))
        .use(requireToken({ input: { sub: "user.name" } }))
        .query(({ input }) => input["user.name"] ?? input.user.name),
    });
    const { signed } = await auth.authToken("alice");
    const send = async (input: unknown) =>
      (
        await fetchRequestHandler({
          endpoint: "/trpc",
          router: app,
          createContext,
          req: new Request(`http://localhost/trpc/profile?input=${encodeURIComponent(JSON.stringify(input))}`, {
            headers: { authorization: `Bearer ${signed}` },
          }),
        })
      ).status;
    expect(await send({ user: { name: "alice" } })).toBe(200);
    expect(await send({ user: { name: "alice" }, "user.name": "bob" })).toBe(403);
  });
});
