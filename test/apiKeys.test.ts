// API keys for machine clients (issue 28, DESIGN-scale section 3): created, listed and revoked by
// auth.apiKeys, sent as `Authorization: Bearer <key>`, accepted only where
// requireToken({ apiKey: true }) says so, with every rule applying; over real HTTP with the typed client.
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import {
  AuthManager,
  createJwtContext,
  createJwtProcedures,
  JwtConfigError,
  jwtErrorFormatter,
  memoryStore,
  unguardedProcedures,
  type AuthManagerOptions,
  type TokenStore,
} from "trpc-jwt";
import { idle, openSubscription } from "./helpers/endingSubscription.js";
import { startServer } from "./helpers/httpServer.js";
import { HS256_SECRET, RSA_PRIVATE_PEM } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";

function createApp(auth: AuthManager) {
  const createContext = createJwtContext(auth);
  const t = initTRPC.context<typeof createContext>().create({ transformer: superjson, errorFormatter: jwtErrorFormatter });
  const { authedProcedure, requireToken } = createJwtProcedures(t);
  const router = t.router({
    health: t.procedure.query(() => "ok"),
    me: authedProcedure.query(({ ctx }) => ctx.token.sub),
    deploy: t.procedure
      .use(requireToken({ apiKey: true, scope: { deploy: true } }))
      .query(({ ctx }) => ({ sub: ctx.token.sub, type: ctx.token.type, scope: ctx.token.scope, claims: ctx.token.claims })),
    reports: t.procedure.use(requireToken({ apiKey: true, scope: { reports: "read" } })).query(({ ctx }) => ctx.token.sub),
    repo: t.procedure
      .input(z.object({ owner: z.string() }))
      .use(requireToken({ apiKey: true, input: { sub: "owner" } }))
      .query(({ input }) => input.owner),
    team: t.procedure.use(requireToken({ apiKey: true, claims: { team: "platform" } })).query(({ ctx }) => ctx.token.claims["team"]),
    owner: t.procedure
      .input(z.object({ name: z.string() }))
      .use(requireToken({ apiKey: true, allow: ({ token, input }) => token.sub === input.name }))
      .query(() => "allowed"),
    // A key passes the first guard, then meets one that takes auth tokens only.
    mixed: t.procedure
      .use(requireToken({ apiKey: true }))
      .use(requireToken())
      .query(() => "both"),
    watch: t.procedure.use(requireToken({ apiKey: true })).subscription(idle),
  });
  return { router, createContext };
}
type Router = ReturnType<typeof createApp>["router"];

const clock = { now: Date.now() };
const options = (store?: TokenStore): AuthManagerOptions => ({
  issuer: "api-keys",
  authType: "HS256",
  secret: HS256_SECRET,
  clock: () => clock.now,
  ...(store === undefined ? {} : { store }),
});

async function refusal(call: Promise<unknown>): Promise<{ status: number | undefined; code: string | undefined; text: string }> {
  const error = await rejectionOf(call);
  expect(error).toBeInstanceOf(TRPCClientError);
  const data = (error as TRPCClientError<Router>).data as { httpStatus?: number; jwtCode?: string } | undefined;
  return { status: data?.httpStatus, code: data?.jwtCode, text: JSON.stringify(error) + String((error as Error).message) };
}

describe("API keys over HTTP with the typed client", () => {
  const store = memoryStore({ clock: () => clock.now });
  const auth = new AuthManager(options(store));
  const app = createApp(auth);
  let server: Awaited<ReturnType<typeof startServer>>;
  const client = (key?: string) =>
    createTRPCClient<Router>({
      links: [httpLink({ url: server.url, transformer: superjson, headers: key === undefined ? {} : { authorization: `Bearer ${key}` } })],
    });
  beforeAll(async () => {
    server = await startServer({ router: app.router, createContext: app.createContext });
  });
  afterAll(() => server.close());

  it("a key for ci with scope { deploy: true } calls a procedure that requires that scope; ctx.token.type is apikey", async () => {
    const { key, id } = await auth.apiKeys.create("ci", { name: "ci deploy", scope: { deploy: true }, claims: { team: "platform" } });
    expect(key).toMatch(/^tjk_[0-9a-z]{26}_[0-9a-z]{39}$/);
    expect(key).toContain(id);
    const result = await client(key).deploy.query();
    expect(result).toMatchObject({ sub: "ci", type: "apikey", scope: { deploy: true }, claims: { team: "platform", jti: id, iss: "api-keys" } });
    // Claims rules apply to a key as to an auth token.
    expect(await client(key).team.query()).toBe("platform");
  });

  it("the same key is 401 TOKEN_INVALID at authedProcedure, and 403 SCOPE_MISMATCH where its scope does not fit", async () => {
    const { key } = await auth.apiKeys.create("ci", { name: "ci", scope: { deploy: true } });
    expect(await refusal(client(key).me.query())).toMatchObject({ status: 401, code: "TOKEN_INVALID" });
    expect(await refusal(client(key).reports.query())).toMatchObject({ status: 403, code: "SCOPE_MISMATCH" });
    // A guard that takes auth tokens only refuses a key an earlier guard accepted.
    expect(await refusal(client(key).mixed.query())).toMatchObject({ status: 401, code: "TOKEN_INVALID" });
  });

  it("input binding and allow work with the key's sub", async () => {
    const { key } = await auth.apiKeys.create("ci", { name: "ci" });
    expect(await client(key).repo.query({ owner: "ci" })).toBe("ci");
    expect(await refusal(client(key).repo.query({ owner: "bob" }))).toMatchObject({ status: 403, code: "CLAIMS_MISMATCH" });
    expect(await client(key).owner.query({ name: "ci" })).toBe("allowed");
    expect(await refusal(client(key).owner.query({ name: "bob" }))).toMatchObject({ status: 403, code: "CLAIMS_MISMATCH" });
  });

  it("auth tokens still work where keys are accepted", async () => {
    const token = await auth.authToken("ci", { deploy: true });
    expect(await client(token.signed).deploy.query()).toMatchObject({ sub: "ci", type: "auth" });
  });

  it("random, mistyped and forged keys are 401 TOKEN_INVALID; no refusal contains the key", async () => {
    const { key } = await auth.apiKeys.create("ci", { name: "ci", scope: { deploy: true } });
    const typo = key.slice(0, 10) + (key[10] === "a" ? "b" : "a") + key.slice(11);
    const forged = await forgedKey(key);
    for (const bad of ["tjk_garbage", typo, forged, key + "x", `tjk_${"0".repeat(26)}_${"0".repeat(39)}`]) {
      const refused = await refusal(client(bad).deploy.query());
      expect(refused).toMatchObject({ status: 401, code: "TOKEN_INVALID" });
      expect(refused.text).not.toContain(bad.slice(4, 30));
    }
  });

  it("a revoked key is 401 TOKEN_REVOKED; an expired one TOKEN_EXPIRED", async () => {
    const { key, id } = await auth.apiKeys.create("ci", { name: "short", scope: { deploy: true }, expiresIn: 60 });
    expect(await client(key).deploy.query()).toMatchObject({ sub: "ci" });
    clock.now += 61_000;
    try {
      expect(await refusal(client(key).deploy.query())).toMatchObject({ status: 401, code: "TOKEN_EXPIRED" });
    } finally {
      clock.now -= 61_000;
    }
    await auth.apiKeys.revoke(id);
    const refused = await refusal(client(key).deploy.query());
    expect(refused).toMatchObject({ status: 401, code: "TOKEN_REVOKED" });
    expect(refused.text).not.toContain(key);
  });

  it("list gives names and ids, newest first, never a key; revoked keys leave it", async () => {
    const manager = new AuthManager(options(memoryStore()));
    const first = await manager.apiKeys.create("partner", { name: "first", scope: { reports: "read" }, expiresIn: 3600 });
    clock.now += 1;
    const second = await manager.apiKeys.create("partner", { name: "second" });
    clock.now -= 1;
    const listed = await manager.apiKeys.list("partner");
    expect(listed.map(({ id, name }) => ({ id, name }))).toEqual([
      { id: second.id, name: "second" },
      { id: first.id, name: "first" },
    ]);
    expect(listed[1]).toEqual({
      id: first.id,
      name: "first",
      createdAt: clock.now,
      expiresAt: clock.now + 3_600_000,
      scope: { reports: "read" },
      claims: undefined,
    });
    expect(JSON.stringify(listed)).not.toContain(first.key.slice(31));
    await manager.apiKeys.revoke(first.id);
    expect((await manager.apiKeys.list("partner")).map(({ id }) => id)).toEqual([second.id]);
    expect(await manager.apiKeys.list("nobody")).toEqual([]);
  });

  it("unguardedProcedures shows which procedures a key can call", () => {
    expect(unguardedProcedures(app.router)).toEqual(["health"]);
    expect(unguardedProcedures(app.router, { apiKey: true })).toEqual(["deploy", "health", "owner", "repo", "reports", "team", "watch"]);
  });

  it("an open subscription authenticated by a key ends with TOKEN_REVOKED when the key is revoked", async () => {
    const { key, id } = await auth.apiKeys.create("ci", { name: "stream" });
    const subscription = await openSubscription(app.router, app.createContext as never, key, { path: "watch", transport: "httpSubscriptionLink (SSE)" });
    try {
      expect(await subscription.ending(50)).toBe("still open");
      const revokedAt = Date.now();
      await auth.apiKeys.revoke(id);
      const ending = await subscription.ending(5000);
      expect(ending).toMatchObject({ code: "TOKEN_REVOKED" });
      console.log(`subscription ended ${(ending as { atMs: number }).atMs - revokedAt} ms after the revocation (bound: 1000 ms)`);
      expect((ending as { atMs: number }).atMs - revokedAt).toBeLessThan(1000);
    } finally {
      await subscription.close();
    }
  });
});

describe("API key rules and options", () => {
  it("keys need a store: create, revoke and list throw JwtConfigError('store') without one", async () => {
    const auth = new AuthManager(options());
    for (const call of [auth.apiKeys.create("ci", { name: "x" }), auth.apiKeys.list("ci"), auth.apiKeys.revoke("0".repeat(26))]) {
      const error = await rejectionOf(call);
      expect(error).toBeInstanceOf(JwtConfigError);
      expect((error as JwtConfigError).option).toBe("store");
    }
  });

  it("bad arguments throw JwtConfigError naming them", async () => {
    const auth = new AuthManager(options(memoryStore()));
    const optionOf = async (call: Promise<unknown>) => ((await rejectionOf(call)) as JwtConfigError).option;
    expect(await optionOf(auth.apiKeys.create("", { name: "x" }))).toBe("sub");
    expect(await optionOf(auth.apiKeys.create("ci", { name: "" }))).toBe("name");
    expect(await optionOf(auth.apiKeys.create("ci", { name: "x", expiresIn: 0 }))).toBe("expiresIn");
    expect(await optionOf(auth.apiKeys.create("ci", { name: "x", claims: { sub: "root" } }))).toBe("claims.sub");
    expect(await optionOf(auth.apiKeys.create("ci", { name: "x", nmae: "y" } as never))).toBe("nmae");
    expect(await optionOf(auth.apiKeys.revoke("not-an-id"))).toBe("id");
    expect(() => new AuthManager({ ...options(), apiKeyPrefix: "Bad-" })).toThrow(JwtConfigError);
    const createContext = createJwtContext(auth);
    const { requireToken } = createJwtProcedures(initTRPC.context<typeof createContext>().create());
    expect(() => requireToken({ apiKey: true, type: "refresh" })).toThrow(/requireToken.apiKey/);
    expect(() => requireToken({ apiKey: true, cookie: "session" })).toThrow(/requireToken.apiKey/);
    expect(() => requireToken({ apiKey: "yes" as never })).toThrow(/requireToken.apiKey/);
  });

  it("create and revoke are told to the audit hook with the key's id, never the key; revoking an unknown id is not", async () => {
    const told: unknown[] = [];
    const auth = new AuthManager({ ...options(memoryStore()), audit: (event) => void told.push(event) });
    const { key, id } = await auth.apiKeys.create("ci", { name: "audited" });
    await auth.apiKeys.revoke(id);
    await auth.apiKeys.revoke(id);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(told).toEqual([
      { event: "apikey.create", sub: "ci", keyId: id, at: clock.now },
      { event: "apikey.revoke", sub: "ci", keyId: id, at: clock.now },
    ]);
    expect(JSON.stringify(told)).not.toContain(key.slice(31));
  });

  it("a configured prefix; a verify-only manager cannot make keys", async () => {
    const auth = new AuthManager({ ...options(memoryStore()), apiKeyPrefix: "acme_" });
    const { key } = await auth.apiKeys.create("ci", { name: "x" });
    expect(key.startsWith("acme_")).toBe(true);
    const { createPublicKey } = await import("node:crypto");
    const verifyOnly = new AuthManager({ issuer: "v", authType: "RS256", publicKey: createPublicKey(RSA_PRIVATE_PEM), store: memoryStore() });
    expect(((await rejectionOf(verifyOnly.apiKeys.create("ci", { name: "x" }))) as JwtConfigError).option).toBe("secret");
  });

  it("previousKeys keep keys made under an old secret valid; without them such keys are invalid", async () => {
    const store = memoryStore();
    const old = new AuthManager(options(store));
    const { key } = await old.apiKeys.create("ci", { name: "before the rotation" });
    const rotated = new AuthManager({ ...options(store), secret: "a-new-secret-of-at-least-32-bytes", previousKeys: [{ keyId: "old", secret: HS256_SECRET }] });
    const alone = new AuthManager({ ...options(store), secret: "a-new-secret-of-at-least-32-bytes" });
    const call = async (manager: AuthManager) => {
      const { router, createContext } = createApp(manager);
      const caller = router.createCaller(createContext({ headers: new Headers({ authorization: `Bearer ${key}` }) } as never) as never);
      return caller.repo({ owner: "ci" });
    };
    expect(await call(rotated)).toBe("ci");
    expect(await rejectionOf(call(alone))).toMatchObject({ code: "UNAUTHORIZED", cause: { code: "TOKEN_INVALID" } });
    // A key made now is under the new secret.
    const { key: fresh } = await rotated.apiKeys.create("ci", { name: "after" });
    expect(fresh).not.toBe(key);
  });
});

describe("API keys when the store fails", () => {
  it("a key whose record cannot be read is 503 STORE_UNAVAILABLE, never 401; create, list and revoke reject with 503 TRPCErrors", async () => {
    const healthy = memoryStore();
    let down = false;
    const failing =
      <T extends unknown[], R>(call: (...args: T) => Promise<R>) =>
      (...args: T) =>
        down ? Promise.reject(new Error("connection refused")) : call(...args);
    const apiKeys = healthy.apiKeys!;
    const store = {
      ...healthy,
      apiKeys: { save: failing(apiKeys.save), load: failing(apiKeys.load), list: failing(apiKeys.list), revoke: failing(apiKeys.revoke) },
    };
    // No channel: every use asks the store, as while Redis is unreachable.
    delete (store as { subscribe?: unknown }).subscribe;
    const auth = new AuthManager(options(store));
    const { key, id } = await auth.apiKeys.create("ci", { name: "outage" });
    const { router, createContext } = createApp(auth);
    const call = () => router.createCaller(createContext({ headers: new Headers({ authorization: `Bearer ${key}` }) } as never) as never).repo({ owner: "ci" });
    expect(await call()).toBe("ci");
    down = true;
    expect(await rejectionOf(call())).toMatchObject({ code: "SERVICE_UNAVAILABLE", cause: { code: "STORE_UNAVAILABLE" } });
    for (const management of [auth.apiKeys.create("ci", { name: "x" }), auth.apiKeys.list("ci"), auth.apiKeys.revoke(id)]) {
      expect(await rejectionOf(management)).toMatchObject({ code: "SERVICE_UNAVAILABLE", cause: { code: "STORE_UNAVAILABLE" } });
    }
    down = false;
    expect(await call()).toBe("ci");
  });
});

describe("API keys across a rotation of an asymmetric key", () => {
  it("a previous key given with its private key keeps keys made under it valid; by its public key alone it does not", async () => {
    const { generateKeyPairSync } = await import("node:crypto");
    const pem = () =>
      generateKeyPairSync("ec", {
        namedCurve: "P-256",
        privateKeyEncoding: { type: "pkcs8", format: "pem" },
        publicKeyEncoding: { type: "spki", format: "pem" },
      });
    const [old, next] = [pem(), pem()];
    const store = memoryStore();
    const base = { issuer: "es", authType: "ES256" as const, store, clock: () => clock.now };
    const before = new AuthManager({ ...base, secret: old.privateKey });
    const { key } = await before.apiKeys.create("ci", { name: "made under the old key" });
    const withPrivate = new AuthManager({ ...base, secret: next.privateKey, previousKeys: [{ publicKey: old.publicKey, secret: old.privateKey }] });
    const publicOnly = new AuthManager({ ...base, secret: next.privateKey, previousKeys: [{ publicKey: old.publicKey }] });
    const call = (manager: AuthManager) => {
      const { router, createContext } = createApp(manager);
      return router.createCaller(createContext({ headers: new Headers({ authorization: `Bearer ${key}` }) } as never) as never).repo({ owner: "ci" });
    };
    expect(await call(withPrivate)).toBe("ci");
    expect(await rejectionOf(call(publicOnly))).toMatchObject({ cause: { code: "TOKEN_INVALID" } });
    // The old key still verifies the old tokens, and never signs.
    const oldToken = await before.authToken("alice");
    expect((await withPrivate.verifyToken(oldToken.signed, "auth")).sub).toBe("alice");
    expect((await withPrivate.authToken("alice")).signed.split(".")[0]).not.toBe(oldToken.signed.split(".")[0]);
    // A private key that is not the half of the public key given is refused, naming the option.
    expect(() => new AuthManager({ ...base, secret: next.privateKey, previousKeys: [{ publicKey: next.publicKey, secret: old.privateKey }] })).toThrow(
      expect.objectContaining({ option: "previousKeys[0].publicKey" }),
    );
  });
});

describe("a key never appears in what the library tells anyone", () => {
  it("onRefused events, console output and error messages of refused, revoked and expired keys hold neither the key nor its secret", async () => {
    const auth = new AuthManager(options(memoryStore()));
    const events: unknown[] = [];
    const createContext = createJwtContext(auth, { onRefused: (event) => void events.push(event) });
    const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
    const { requireToken, authedProcedure } = createJwtProcedures(t);
    const router = t.router({
      deploy: t.procedure.use(requireToken({ apiKey: true, scope: { deploy: true } })).query(() => "ok"),
      me: authedProcedure.query(() => "me"),
    });
    const logged: string[] = [];
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" "))),
    );
    const { key, id } = await auth.apiKeys.create("ci", { name: "secretive", scope: { reports: "read" }, expiresIn: 60 });
    const typo = key.slice(0, -1) + (key.endsWith("a") ? "b" : "a");
    const errors: unknown[] = [];
    try {
      const call = (credential: string, path: "deploy" | "me") =>
        router
          .createCaller(createContext({ headers: new Headers({ authorization: `Bearer ${credential}` }) }))
          [path]()
          .catch((error: unknown) => void errors.push(error));
      await call(key, "deploy"); // 403 SCOPE_MISMATCH
      await call(key, "me"); // 401 TOKEN_INVALID
      await call(typo, "deploy");
      clock.now += 61_000;
      await call(key, "deploy"); // TOKEN_EXPIRED
      clock.now -= 61_000;
      await auth.apiKeys.revoke(id);
      await call(key, "deploy"); // TOKEN_REVOKED
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(errors).toHaveLength(5);
    expect(events.map((event) => (event as { code: string }).code)).toEqual([
      "SCOPE_MISMATCH",
      "TOKEN_INVALID",
      "TOKEN_INVALID",
      "TOKEN_EXPIRED",
      "TOKEN_REVOKED",
    ]);
    const told =
      JSON.stringify(events) +
      logged.join("\n") +
      errors.map((error) => `${String(error)} ${JSON.stringify(error, Object.getOwnPropertyNames(error))}`).join("\n");
    for (const secret of [key, typo, key.slice(31, 63)]) expect(told).not.toContain(secret);
  });
});

describe("API keys with several issuers in one context", () => {
  it("each manager verifies the keys of its own prefix; two managers with one prefix are refused", async () => {
    const store = memoryStore();
    const first = new AuthManager(options(store));
    const second = new AuthManager({ ...options(store), issuer: "partners", secret: "another-secret-of-at-least-32-bytes", apiKeyPrefix: "ptk_" });
    const createContext = createJwtContext([first, second]);
    const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
    const { requireToken } = createJwtProcedures(t);
    const router = t.router({ who: t.procedure.use(requireToken({ apiKey: true })).query(({ ctx }) => `${ctx.token.iss}:${ctx.token.sub}`) });
    const call = (key: string) => router.createCaller(createContext({ headers: new Headers({ authorization: `Bearer ${key}` }) }) as never).who();
    expect(await call((await first.apiKeys.create("ci", { name: "a" })).key)).toBe("api-keys:ci");
    expect(await call((await second.apiKeys.create("acme", { name: "b" })).key)).toBe("partners:acme");
    // A key in the other's form, with this one's prefix: its secret is not this manager's.
    const { key } = await second.apiKeys.create("acme", { name: "c" });
    const { formatApiKey } = await import("../src/apiKeys/apiKeyFormat.js");
    expect(await rejectionOf(call(formatApiKey("tjk_", key.slice(4, 30), key.slice(31, 63))))).toMatchObject({ cause: { code: "TOKEN_INVALID" } });
    const clash = new AuthManager({ ...options(store), issuer: "clash" });
    expect(() => createJwtContext([first, clash])).toThrow(/apiKeyPrefix/);
  });
});

describe("API keys of managers sharing a store: each manager's keys are its own", () => {
  // One procedure that pins the manager's issuer, called in-process with a key.
  const deployOf = (auth: AuthManager) => {
    const createContext = createJwtContext(auth);
    const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
    const { requireToken } = createJwtProcedures(t);
    const router = t.router({ deploy: t.procedure.use(requireToken({ apiKey: true, issuer: auth })).query(({ ctx }) => `${ctx.token.iss}:${ctx.token.sub}`) });
    return (key: string) =>
      router
        .createCaller(createContext({ headers: new Headers({ authorization: `Bearer ${key}` }) }) as never)
        .deploy()
        .catch((error: { cause?: { code?: string } }) => error.cause?.code);
  };

  it("a key of manager 'billing' is 401 TOKEN_INVALID at manager 'admin' with the same secret and store, as its JWTs are", async () => {
    const store = memoryStore();
    const billing = new AuthManager({ ...options(store), issuer: "billing" });
    const admin = new AuthManager({ ...options(store), issuer: "admin" });
    await expect(admin.verifyToken((await billing.login("ci")).authToken.signed)).rejects.toMatchObject({ code: "TOKEN_INVALID" });
    const { key } = await billing.apiKeys.create("ci", { name: "billing ci" });
    expect([await deployOf(billing)(key), await deployOf(admin)(key)]).toEqual(["billing:ci", "TOKEN_INVALID"]);
  });

  it("another manager (its own secret and issuer) neither lists nor revokes this manager's keys", async () => {
    const store = memoryStore();
    const billing = new AuthManager({ ...options(store), issuer: "billing" });
    const admin = new AuthManager({ ...options(store), issuer: "admin", secret: "another-secret-of-at-least-32-bytes" });
    const { key, id } = await billing.apiKeys.create("ci", { name: "billing ci" });
    const own = await admin.apiKeys.create("ci", { name: "admin ci" });
    expect([(await admin.apiKeys.list("ci")).map((info) => info.id), (await billing.apiKeys.list("ci")).map((info) => info.id)]).toEqual([[own.id], [id]]);
    await admin.apiKeys.revoke(id);
    expect([await deployOf(billing)(key), (await billing.apiKeys.list("ci")).length]).toEqual(["billing:ci", 1]);
    await billing.apiKeys.revoke(id);
    expect(await deployOf(billing)(key)).toBe("TOKEN_REVOKED");
  });

  it("a key whose record in the store names another issuer is 401 TOKEN_INVALID (the record is checked as well as the secret)", async () => {
    const store = memoryStore();
    const billing = new AuthManager({ ...options(store), issuer: "billing" });
    const { key, id } = await billing.apiKeys.create("ci", { name: "billing ci" });
    const record = await store.apiKeys?.load(id);
    expect(record?.issuer).toBe("billing");
    await store.apiKeys?.save({ ...(record as NonNullable<typeof record>), issuer: "admin" }, undefined);
    expect(await deployOf(billing)(key)).toBe("TOKEN_INVALID");
  });
});

// A key with a valid checksum and a secret that is not the HMAC of its id.
async function forgedKey(real: string): Promise<string> {
  const { formatApiKey } = await import("../src/apiKeys/apiKeyFormat.js");
  const id = real.slice(4, 30);
  const secret = real.slice(31, 63);
  return formatApiKey("tjk_", id, secret.slice(1) + (secret[0] === "a" ? "b" : "a"));
}
