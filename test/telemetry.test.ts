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
import { AuthManager, createJwtContext, createJwtProcedures, JwtConfigError, jwtErrorFormatter, memoryStore, type JwtContextConfig } from "trpc-jwt";
import { failingStore } from "./helpers/failingStore.js";
import { listenOnLoopback } from "./helpers/httpServer.js";
import { optionsFor, secretFor } from "./helpers/keys.js";
import { startOpenTelemetrySdk, type OpenTelemetrySdk } from "./helpers/openTelemetrySdk.js";
import { rejectionOf } from "./helpers/rejection.js";

const SECRET_CLAIM = "org-value-never-exported";
const SECRET_SCOPE = "scope-value-never-exported";
const auth = new AuthManager({ ...optionsFor("HS256"), store: memoryStore() });
const down = new AuthManager({ ...optionsFor("HS256", { issuer: "down" }), store: failingStore() });

function appFor(issuer: AuthManager, config: JwtContextConfig = {}) {
  const createContext = createJwtContext(issuer, config);
  const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
  const { authedProcedure, requireToken } = createJwtProcedures(t);
  const router = t.router({
    me: authedProcedure.query(({ ctx }) => ctx.token.sub),
    admin: authedProcedure.use(requireToken({ scope: "admin" })).query(() => "admin"),
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
});
afterAll(async () => {
  for (const server of servers) await server.close();
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

  it("telemetry: { subject: false } leaves enduser.id out, and the token type in", async () => {
    const token = (await auth.authToken("dave")).signed;
    const span = await spanOf(() => client(anonymousUrl, token).me.query());
    expect(span.attributes["enduser.id"]).toBeUndefined();
    expect(span.attributes["trpc_jwt.token_type"]).toBe("auth");
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
});

describe("what is exported", () => {
  it("no span, event, attribute or metric holds token text, key material, or a claim value other than sub", async () => {
    const spans = sdk.allSpans().map(({ name, attributes, events, status, links }) => ({ name, attributes, events, status, links }));
    const metrics = [...(await sdk.collect()).values()].map(({ descriptor, dataPoints }) => ({ descriptor, dataPoints }));
    const exported = JSON.stringify({ spans, metrics });
    expect(spans.length).toBeGreaterThan(10);
    expect(exported).toContain("enduser.id");
    const forbidden = new Set<string>([secretFor("HS256"), SECRET_CLAIM, SECRET_SCOPE]);
    expect(sent.size).toBeGreaterThan(5);
    for (const token of sent) {
      forbidden.add(token);
      for (const segment of token.split(".")) if (segment.length >= 8) forbidden.add(segment);
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
