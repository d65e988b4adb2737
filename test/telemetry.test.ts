// OpenTelemetry (issue 31), with the SDK's in-memory span exporter and a metric reader, over real
// HTTP on 127.0.0.1: each request runs in a server span (as the HTTP instrumentation makes one),
// and the guards record on it. Refusals, cache hits and misses are counted exactly; nothing
// exported holds token text, key material or claim values other than `sub`.
import { createServer } from "node:http";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import { initTRPC } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  AuthManager,
  createJwtContext,
  createJwtProcedures,
  JwtConfigError,
  jwtErrorFormatter,
  memoryStore,
  RemoteIssuer,
  type JwtContextConfig,
  type JwtToken,
} from "trpc-jwt";
import { redisStore } from "trpc-jwt/redis";
import type { DataPoint, Histogram } from "@opentelemetry/sdk-metrics";
import { failingStore } from "./helpers/failingStore.js";
import { rsaSigningKey, signAccessToken, startJwksServer, type JwksServer } from "./helpers/jwksServer.js";
import { connectRedis, startRedisServer, type RedisServer } from "./helpers/redisServer.js";
import { listenOnLoopback } from "./helpers/httpServer.js";
import { optionsFor, secretFor } from "./helpers/keys.js";
import { startOpenTelemetrySdk, type OpenTelemetrySdk } from "./helpers/openTelemetrySdk.js";
import { openTelemetry, useOpenTelemetry } from "../src/telemetry/openTelemetry.js";
import { rejectionOf } from "./helpers/rejection.js";

const SECRET_CLAIM = "org-value-never-exported";
const SECRET_SCOPE = "scope-value-never-exported";
const auth = new AuthManager({ ...optionsFor("HS256"), store: memoryStore() });
const IDP = "https://idp.example.test/";
const idpKey = rsaSigningKey("idp-key-1");
const unpublishedKey = rsaSigningKey("idp-key-2");
const down = new AuthManager({ ...optionsFor("HS256", { issuer: "down" }), store: failingStore() });

function appFor(issuer: AuthManager | RemoteIssuer, config: JwtContextConfig = {}) {
  const createContext = createJwtContext(issuer, config);
  const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
  const { authedProcedure, refreshProcedure, requireToken } = createJwtProcedures(t);
  const rotateWith = (manager: AuthManager | RemoteIssuer, refresh: string | JwtToken) =>
    manager instanceof AuthManager ? manager.rotate(refresh).then(({ refreshToken }) => refreshToken.signed) : "";
  const router = t.router({
    // The refresh token in the input (a plain procedure) and in the header (refreshProcedure).
    rotate: t.procedure.input(z.object({ refresh: z.string() })).mutation(({ input }) => rotateWith(issuer, input.refresh)),
    refresh: refreshProcedure.mutation(({ ctx }) => rotateWith(issuer, ctx.token)),
    me: authedProcedure.query(({ ctx }) => ctx.token.sub),
    admin: authedProcedure.use(requireToken({ scope: "admin" })).query(() => "admin"),
    deploy: t.procedure.use(requireToken({ apiKey: true })).query(({ ctx }) => ctx.token.sub),
    org: authedProcedure
      .input(z.object({ org: z.string() }))
      .use(requireToken({ input: { org: "org" } }))
      .query(({ input }) => input.org),
  });
  return { router, handler: createHTTPHandler({ router, createContext }) };
}
type AppRouter = ReturnType<typeof appFor>["router"];

let sdk: OpenTelemetrySdk;
const servers: { url: string; close: () => Promise<void> }[] = [];
let url: string;
let anonymousUrl: string;
let downUrl: string;
let idpUrl: string;
let jwks: JwksServer;
let redis: RedisServer;
const serve = async ({ handler }: ReturnType<typeof appFor>) => {
  const server = await listenOnLoopback(createServer(sdk.traced(handler)));
  servers.push(server);
  return server.url;
};
// Every token sent in this file, for the check of everything exported.
const sent = new Set<string>();
const client = (at: string, token?: string) => {
  if (token !== undefined) sent.add(token);
  return createTRPCClient<AppRouter>({ links: [httpLink({ url: at, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })] });
};
const login = async (sub: string) => {
  const { authToken, refreshToken } = await auth.login(sub, undefined, { org: SECRET_CLAIM });
  sent.add(refreshToken.signed);
  return authToken.signed;
};

beforeAll(async () => {
  sdk = await startOpenTelemetrySdk();
  url = await serve(appFor(auth));
  anonymousUrl = await serve(appFor(auth, { telemetry: { subject: false } }));
  downUrl = await serve(appFor(down));
  jwks = await startJwksServer([idpKey]);
  idpUrl = await serve(appFor(new RemoteIssuer({ issuer: IDP, jwksUri: jwks.url, audience: "api", cooldownDuration: 0 })));
  redis = await startRedisServer();
});
afterAll(async () => {
  for (const server of servers) await server.close();
  await jwks.close();
  await redis.stop();
  await sdk.shutdown();
});

const codeOf = async (call: Promise<unknown>) => ((await rejectionOf(call)) as TRPCClientError<AppRouter>).data as { jwtCode: string; httpStatus: number };
// The server span of the one request `call` makes.
async function spanOf(call: () => Promise<unknown>) {
  sdk.exporter.reset();
  await call().catch(() => undefined);
  const spans = sdk.spans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe("traces", () => {
  it("an authed call's server span carries enduser.id (the sub) and trpc_jwt.token_type; no event", async () => {
    const token = await login("alice");
    const span = await spanOf(() => client(url, token).me.query());
    expect(span.attributes).toMatchObject({ "enduser.id": "alice", "trpc_jwt.token_type": "auth", "http.response.status_code": 200 });
    expect(span.events).toEqual([]);
    expect(span.status.code).toBe(0);
  });

  it("a refused call carries one trpc_jwt.refused event with its code and reason, and no error status (401 and 403)", async () => {
    const expired = (await new AuthManager({ ...optionsFor("HS256"), authMaxAge: 1, clock: () => Date.now() - 10_000 }).authToken("bob")).signed;
    const cases = [
      { call: () => client(url).me.query(), code: "TOKEN_MISSING", reason: "missing", status: 401 },
      { call: () => client(url, expired).me.query(), code: "TOKEN_EXPIRED", reason: "expired", status: 401 },
      { call: async () => client(url, (await auth.authToken("bob", SECRET_SCOPE)).signed).admin.query(), code: "SCOPE_MISMATCH", reason: "scope", status: 403 },
    ];
    for (const { call, code, reason, status } of cases) {
      const span = await spanOf(call);
      expect(span.events.map(({ name, attributes }) => ({ name, attributes }))).toEqual([{ name: "trpc_jwt.refused", attributes: { code, reason } }]);
      expect(span.status.code).toBe(0);
      expect(span.attributes["http.response.status_code"]).toBe(status);
    }
  });

  it("a 503 (the store is down) is the server's failure: error status with the code as its message", async () => {
    // `down` cannot issue (it reads the store first): the same key and issuer without a store can.
    const signed = (await new AuthManager({ ...optionsFor("HS256", { issuer: "down" }) }).authToken("carol")).signed;
    const span = await spanOf(() => client(downUrl, signed).me.query());
    expect(span.events.map(({ attributes }) => attributes)).toEqual([{ code: "STORE_UNAVAILABLE", reason: "store" }]);
    expect(span.status).toEqual({ code: 2, message: "STORE_UNAVAILABLE" });
  });

  it("an API key's call: trpc_jwt.token_type apikey, enduser.id the key's subject", async () => {
    const { key } = await auth.apiKeys.create("ci", { name: "ci deploy" });
    sent.add(key);
    const span = await spanOf(() => client(url, key).deploy.query());
    expect(span.attributes).toMatchObject({ "enduser.id": "ci", "trpc_jwt.token_type": "apikey", "http.response.status_code": 200 });
  });

  it("telemetry: { subject: false } leaves enduser.id out, and the token type in", async () => {
    const token = (await auth.authToken("dave")).signed;
    const span = await spanOf(() => client(anonymousUrl, token).me.query());
    expect(span.attributes["enduser.id"]).toBeUndefined();
    expect(span.attributes["trpc_jwt.token_type"]).toBe("auth");
  });

  it("an SDK that throws changes no answer: the call passes, the refusal keeps its code", async () => {
    const found = openTelemetry();
    const broken = () => {
      throw new Error("broken span processor");
    };
    useOpenTelemetry({ trace: { getActiveSpan: broken }, metrics: { getMeterProvider: broken } });
    try {
      const token = (await auth.authToken("kate")).signed;
      expect(await client(url, token).me.query()).toBe("kate");
      expect(await codeOf(client(url).me.query())).toMatchObject({ jwtCode: "TOKEN_MISSING", httpStatus: 401 });
    } finally {
      useOpenTelemetry(found);
    }
  });

  it("the telemetry option is checked at construction", () => {
    expect(() => createJwtContext(auth, { telemetry: { subject: "no" as never } })).toThrow(new JwtConfigError("telemetry.subject", "must be a boolean"));
    expect(() => createJwtContext(auth, { telemetry: { subjet: false } as never })).toThrow(expect.objectContaining({ option: "telemetry.subjet" }));
    expect(() => createJwtContext(auth, { telemetry: true as never })).toThrow(new JwtConfigError("telemetry", "must be an object"));
  });
});

describe("metrics", () => {
  it("trpc_jwt.refusals counts each refusal once, by code: 7 refusals of 3 codes", async () => {
    const before = {
      missing: await sdk.count("trpc_jwt.refusals", { code: "TOKEN_MISSING" }),
      invalid: await sdk.count("trpc_jwt.refusals", { code: "TOKEN_INVALID" }),
      claims: await sdk.count("trpc_jwt.refusals", { code: "CLAIMS_MISMATCH" }),
    };
    const total = await sdk.count("trpc_jwt.refusals");
    const token = await login("erin");
    const codes = [
      ...(await Promise.all([1, 2, 3].map(() => codeOf(client(url).me.query())))),
      ...(await Promise.all([1, 2].map(() => codeOf(client(url, `${token}x`).me.query())))),
      ...(await Promise.all(["a", "b"].map((org) => codeOf(client(url, token).org.query({ org }))))),
    ].map(({ jwtCode }) => jwtCode);
    expect(codes).toEqual(["TOKEN_MISSING", "TOKEN_MISSING", "TOKEN_MISSING", "TOKEN_INVALID", "TOKEN_INVALID", "CLAIMS_MISMATCH", "CLAIMS_MISMATCH"]);
    expect(await sdk.count("trpc_jwt.refusals", { code: "TOKEN_MISSING" })).toBe(before.missing + 3);
    expect(await sdk.count("trpc_jwt.refusals", { code: "TOKEN_INVALID" })).toBe(before.invalid + 2);
    expect(await sdk.count("trpc_jwt.refusals", { code: "CLAIMS_MISMATCH" })).toBe(before.claims + 2);
    expect(await sdk.count("trpc_jwt.refusals")).toBe(total + 7);
  });

  it("a session method's refusal is told once, from a plain procedure and through a guard: TOKEN_REUSED twice is 2", async () => {
    const reused = () => sdk.count("trpc_jwt.refusals", { code: "TOKEN_REUSED" });
    const before = await reused();
    // Two sessions, each with its refresh token used once already.
    const used = await Promise.all(
      ["hank", "ivy"].map(async (sub) => {
        const { refreshToken } = await auth.login(sub);
        sent.add(refreshToken.signed).add(await client(url).rotate.mutate({ refresh: refreshToken.signed }));
        return refreshToken.signed;
      }),
    );
    const plain = await spanOf(() => client(url).rotate.mutate({ refresh: used[0]! }));
    const guarded = await spanOf(() => client(url, used[1]).refresh.mutate());
    for (const span of [plain, guarded]) {
      expect(span.events.map(({ attributes }) => attributes)).toEqual([{ code: "TOKEN_REUSED", reason: "procedure" }]);
      expect(span.status.code).toBe(0);
    }
    expect(await reused()).toBe(before + 2);
  });

  it("trpc_jwt.cache.hits and .misses: a token is verified in full twice (admitted on its second sight), then answered by the cache", async () => {
    const token = (await auth.authToken("frank")).signed;
    const before = { hits: await sdk.count("trpc_jwt.cache.hits"), misses: await sdk.count("trpc_jwt.cache.misses") };
    for (let call = 0; call < 5; call++) expect(await client(url, token).me.query()).toBe("frank");
    expect({ hits: await sdk.count("trpc_jwt.cache.hits"), misses: await sdk.count("trpc_jwt.cache.misses") }).toEqual({
      hits: before.hits + 3,
      misses: before.misses + 2,
    });
  });

  it("trpc_jwt.store.duration: each command of redisStore on a real redis-server, by command (a script's name) and outcome", async () => {
    const redisClient = await connectRedis(redis.url);
    const store = redisStore(redisClient);
    try {
      const withRedis = new AuthManager({ ...optionsFor("HS256"), store });
      const before = await storeCounts();
      const { authToken } = await withRedis.login("gina");
      await withRedis.revokeSubject("gina");
      const after = await storeCounts();
      expect(after.get("create ok")! - (before.get("create ok") ?? 0)).toBe(1);
      expect(after.get("revokeSubject ok")! - (before.get("revokeSubject ok") ?? 0)).toBe(1);
      expect([...after.keys()].every((key) => / (ok|error)$/.test(key))).toBe(true);
      sent.add(authToken.signed);
    } finally {
      await store.close();
      await redisClient.close();
    }
  });

  it("trpc_jwt.keyset.fetches: each fetch of a remote issuer's key set, by outcome (ok, error, invalid)", async () => {
    const fetches = async () =>
      Object.fromEntries(
        await Promise.all(["ok", "error", "invalid"].map(async (outcome) => [outcome, await sdk.count("trpc_jwt.keyset.fetches", { outcome })])),
      );
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: IDP, aud: "api", sub: "idp-user", iat: now, exp: now + 600, scope: SECRET_SCOPE };
    const known = await signAccessToken(idpKey, claims);
    const unknown = await signAccessToken(unpublishedKey, claims);
    const start = await fetches();
    expect(await client(idpUrl, known).me.query()).toBe("idp-user");
    expect(await codeOf(client(idpUrl, unknown).me.query())).toMatchObject({ jwtCode: "TOKEN_INVALID" });
    jwks.setMode("error");
    expect(await codeOf(client(idpUrl, unknown).me.query())).toMatchObject({ jwtCode: "KEYS_UNAVAILABLE", httpStatus: 503 });
    jwks.setMode("private");
    expect(await codeOf(client(idpUrl, unknown).me.query())).toMatchObject({ jwtCode: "KEYS_UNAVAILABLE" });
    jwks.setMode("ok");
    expect(await fetches()).toEqual({ ok: start.ok + 2, error: start.error + 1, invalid: start.invalid + 1 });
  });
});

// Recorded store commands: "<command> <outcome>" -> how many.
async function storeCounts(): Promise<Map<string, number>> {
  const points = ((await sdk.collect()).get("trpc_jwt.store.duration")?.dataPoints ?? []) as DataPoint<Histogram>[];
  return new Map(points.map((point) => [`${String(point.attributes["command"])} ${String(point.attributes["outcome"])}`, point.value.count]));
}

describe("what is exported", () => {
  it("no span, event, attribute or metric holds token text, key material, or a claim value other than sub", async () => {
    const spans = sdk.allSpans().map(({ name, attributes, events, status, links }) => ({ name, attributes, events, status, links }));
    const metrics = [...(await sdk.collect()).values()].map(({ descriptor, dataPoints }) => ({ descriptor, dataPoints }));
    const exported = JSON.stringify({ spans, metrics });
    expect(spans.length).toBeGreaterThan(10);
    expect(exported).toContain("enduser.id");
    expect(exported).toContain("trpc_jwt.store.duration");
    expect(exported).toContain("trpc_jwt.keyset.fetches");
    const keyMaterial = [idpKey, unpublishedKey].flatMap(({ publicJwk, privateJwk }) => [publicJwk.n, privateJwk.d, privateJwk.p, privateJwk.q, privateJwk.dp]);
    const forbidden = new Set<string>([secretFor("HS256"), SECRET_CLAIM, SECRET_SCOPE, ...keyMaterial.map(String)]);
    expect(sent.size).toBeGreaterThan(5);
    for (const token of sent) {
      forbidden.add(token);
      // A JWT's segments; an API key's parts (prefix_id_secret...).
      for (const segment of token.split(/[._]/)) if (segment.length >= 8) forbidden.add(segment);
      if (token.split(".").length !== 3) continue;
      // Every string claim (sid, jti, csrf, iss, org, ...) but sub, and type ("auth" or "refresh",
      // which trpc_jwt.token_type tells by design); numbers (exp, iat) are left out: a
      // timestamp's digits may well appear in a span's own times.
      const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
      for (const [name, value] of Object.entries(claims)) if (name !== "sub" && name !== "type") for (const text of stringsIn(value)) forbidden.add(text);
    }
    const found = [...forbidden].filter((text) => exported.includes(text));
    expect(found).toEqual([]);
  });
});

function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return value.length >= 4 ? [value] : [];
  if (typeof value !== "object" || value === null) return [];
  return Object.values(value).flatMap(stringsIn);
}
