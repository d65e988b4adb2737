// Issue 24 (review P4): every option parser checks its options with one toolkit against one
// LIMITS table, so an option two parsers take is bounded the same in both, and every bad option is
// a JwtConfigError naming it (never a RangeError from deep inside).
import { initTRPC } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthManager,
  createJwtContext,
  createJwtProcedures,
  JwtConfigError,
  memoryStore,
  RemoteIssuer,
  type AuthManagerOptions,
  type JwtContextConfig,
  type RemoteIssuerOptions,
} from "trpc-jwt";
import { redisStore, type RedisStoreOptions } from "trpc-jwt/redis";
import { HS256_SECRET } from "./helpers/keys.js";
import { connectRedis, hasRedisServer, startRedisServer, type RedisServer } from "./helpers/redisServer.js";

const manager = { issuer: "api", authType: "HS256", secret: HS256_SECRET } as const;
const remote = { issuer: "https://idp.example.test/", jwksUri: "https://idp.example.test/jwks", audience: "https://api.example.test" } as const;

/** The JwtConfigError `make` throws, or undefined when it constructs. */
function configError(make: () => unknown): JwtConfigError | undefined {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(JwtConfigError);
    return error as JwtConfigError;
  }
  return undefined;
}
const newManager = (extra: Record<string, unknown>) => configError(() => new AuthManager({ ...manager, ...extra } as AuthManagerOptions));
const newRemote = (extra: Record<string, unknown>) => configError(() => new RemoteIssuer({ ...remote, ...extra } as RemoteIssuerOptions));

describe("an option AuthManager and RemoteIssuer both take is bounded the same in both", () => {
  it.each([
    ["cacheSize", 2 ** 27],
    ["cacheSize", 2 ** 33],
    ["cacheSize", 1_000_001],
    ["cacheSize", -1],
    ["clockTolerance", 301],
    ["clockTolerance", 0.5],
    ["maxTokenLength", 63],
    ["maxTokenLength", Number.POSITIVE_INFINITY],
  ])("%s: %d is the same JwtConfigError from both", (option, value) => {
    const own = newManager({ [option]: value });
    const idp = newRemote({ [option]: value });
    expect(own?.option).toBe(option);
    expect(idp?.option).toBe(option);
    expect(idp?.message).toBe(own?.message);
  });

  it.each([
    ["cacheSize", 0],
    ["cacheSize", 1_000_000],
    ["clockTolerance", 300],
    ["maxTokenLength", 64],
  ])("%s: %d is accepted by both", (option, value) => {
    expect(newManager({ [option]: value })).toBeUndefined();
    expect(newRemote({ [option]: value })).toBeUndefined();
  });

  it("an issuer or audience of only whitespace is refused by both", () => {
    for (const option of ["issuer", "audience"]) {
      expect(newManager({ [option]: "  " })?.option).toBe(option);
      expect(newRemote({ [option]: " \t" })?.option).toBe(option);
    }
  });
});

describe("a clock is checked wherever it is taken", () => {
  it("memoryStore refuses a clock that is not a function, as AuthManager and RemoteIssuer do (it failed only when first used)", () => {
    const own = newManager({ clock: Date.now() });
    expect(own?.option).toBe("clock");
    expect(newRemote({ clock: Date.now() })?.message).toBe(own?.message);
    expect(configError(() => memoryStore({ clock: Date.now() } as never))?.message).toBe(own?.message);
    expect(configError(() => memoryStore({ clok: () => 0 } as never))?.message).toBe('clok: is not a memoryStore option; did you mean "clock"?');
  });
});

describe("an unknown option is named, with the nearest real one", () => {
  it("RemoteIssuer suggests as AuthManager does", () => {
    expect(newRemote({ audiance: "x" })?.message).toBe('audiance: is not a RemoteIssuer option; did you mean "audience"?');
    expect(newRemote({ leeway: 5 })?.message).toBe('leeway: is not a RemoteIssuer option; did you mean "clockTolerance"?');
    expect(newRemote({ frobnicate: 1 })?.message).toBe("frobnicate: is not a RemoteIssuer option");
    expect(newManager({ leeway: 5 })?.message).toBe('leeway: is not an AuthManager option; did you mean "clockTolerance"?');
  });
});

describe("createJwtContext and requireToken name an unknown option", () => {
  const auth = new AuthManager(manager);
  const newContext = (config: Record<string, unknown>) => configError(() => createJwtContext(auth, config as JwtContextConfig));

  it("a misspelt createJwtContext option is refused, not silently ignored (cookies would be off)", () => {
    expect(newContext({ cookie: { secure: true } })?.message).toBe('cookie: is not a createJwtContext option; did you mean "cookies"?');
    expect(newContext({ onRefuse: () => undefined })?.option).toBe("onRefuse");
    expect(newContext({ connectionParam: " " })?.option).toBe("connectionParam");
    expect(newContext({ connectionParam: "auth", onRefused: () => undefined, cookies: {} })).toBeUndefined();
  });

  it("a misspelt cookies option or cookie role is refused, not silently ignored (sameSite would stay lax)", () => {
    expect(newContext({ cookies: { samesite: "strict" } })?.message).toBe('cookies.samesite: is not a cookies option; did you mean "sameSite"?');
    expect(newContext({ cookies: { names: { refesh: "r" } } })?.message).toBe(
      'cookies.names.refesh: is not a cookie (auth, refresh, csrf, expires); did you mean "refresh"?',
    );
    expect(newContext({ cookies: { names: "session" } })?.option).toBe("cookies.names");
    expect(newContext({ cookies: { sameSite: "strict", names: { auth: "__Host-a" }, allowedOrigins: [] } })).toBeUndefined();
  });

  const createContext = createJwtContext(auth);
  const { requireToken } = createJwtProcedures(initTRPC.context<typeof createContext>().create());
  const rules = (value: Record<string, unknown>) => configError(() => requireToken(value as never));

  it("requireToken's issuer must hold more than whitespace, as AuthManager's and RemoteIssuer's: no token could match it", () => {
    expect(rules({ issuer: " " })?.message).toBe("requireToken.issuer: must be an issuer string, an AuthManager or a RemoteIssuer");
    expect(rules({ issuer: auth })).toBeUndefined();
  });

  it("a misspelt rule names the nearest rule", () => {
    const list = "issuer, type, cookie, input, claims, scope, override, allow, maxAuthAge, acr, amr, apiKey";
    expect(rules({ scopes: "read" })?.message).toBe(`requireToken.scopes: is not a rule (${list}); did you mean "scope"?`);
    expect(rules({ frobnicate: 1 })?.message).toBe(`requireToken.frobnicate: is not a rule (${list})`);
    expect(rules({ type: "access" })?.message).toBe('requireToken.type: must be "auth" or "refresh"');
    // The misspelt rule is the mistake to name, even beside a rule that is invalid on its own.
    expect(rules({ overide: { admin: true }, claims: {} })?.message).toBe(`requireToken.overide: is not a rule (${list}); did you mean "override"?`);
  });
});

describe.runIf(hasRedisServer())("redisStore options", () => {
  let server: RedisServer;
  let client: Awaited<ReturnType<typeof connectRedis>>;
  beforeAll(async () => {
    server = await startRedisServer();
    client = await connectRedis(server.url);
  });
  afterAll(async () => {
    await client.close();
    await server.stop();
  });
  const newStore = (options: Record<string, unknown>) => configError(() => redisStore(client, options as RedisStoreOptions));

  it("timeout is a timer's milliseconds, at most 2**31 - 1 as RemoteIssuer's timeoutDuration: a longer one fired at once and failed every command", async () => {
    expect(newStore({ timeout: 2 ** 31 })?.problem).toBe(newRemote({ timeoutDuration: 2 ** 31 })?.problem);
    for (const timeout of [0, 1.5, "1000", Number.POSITIVE_INFINITY]) expect(newStore({ timeout })?.option).toBe("timeout");
    const store = redisStore(client, { timeout: 2 ** 31 - 1, pubsub: false });
    await expect(store.ready()).resolves.toBeUndefined();
    const auth = new AuthManager({ ...manager, store });
    const { authToken } = await auth.login("alice");
    await expect(auth.verifyToken(authToken.signed)).resolves.toMatchObject({ sub: "alice" });
    await store.close();
  });

  it('pubsub must be a boolean, as allowEviction: the string "false" turned pub/sub on', () => {
    for (const pubsub of ["false", 0, null]) expect(newStore({ pubsub })?.option).toBe("pubsub");
    expect(newStore({ allowEviction: "yes" })?.option).toBe("allowEviction");
  });

  it("an unknown option names the nearest real one", () => {
    expect(newStore({ timeOut: 5 })?.message).toBe('timeOut: is not a redisStore option; did you mean "timeout"?');
    expect(newStore({ keyPrefix: "app:" })?.message).toBe('keyPrefix: is not a redisStore option; did you mean "prefix"?');
  });
});
