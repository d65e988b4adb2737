// idp.backchannelLogout({ clientId }) (issue #30, OpenID Connect Back-Channel Logout 1.0) against
// a RemoteIssuer with a store: a good logout token ends that provider session's access tokens
// (guards answer TOKEN_REVOKED), a sub-only one every session of the subject; every adversarial
// logout token gets 400 and revokes nothing (counted at the store); one issuer's sid never
// revokes another issuer's or our own tokens; a logout token is never an access token. The e2e test with oidc-provider, two processes and
// Redis is backchannelLogout.oidc.test.ts.
import { createServer } from "node:http";
import { Readable } from "node:stream";
import { initTRPC } from "@trpc/server";
import express from "express";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AuthManager, createJwtContext, createJwtProcedures, JwtConfigError, jwtErrorFormatter, memoryStore, RemoteIssuer, type TokenStore } from "trpc-jwt";
import { forgeHmac, forgeRsa, forgeUnsigned, forgeWith } from "./helpers/forge.js";
import { listenOnLoopback, startServer } from "./helpers/httpServer.js";
import { fakeClock, optionsFor, otherRsa, RSA_PUBLIC_PEM } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";
import { createRemoteApp, failure, remoteClient } from "./helpers/remoteApp.js";

const IDP = "https://idp.example.com/";
const OTHER_IDP = "https://other-idp.example.com/";
const API = "https://api.example.com";
const CLIENT_ID = "my-app";
const EVENT = "http://schemas.openid.net/event/backchannel-logout";
const clock = fakeClock(Date.now());
const nowSeconds = () => Math.floor(clock.now() / 1000);
const keys = new AuthManager(optionsFor("RS256")).jwks();

// A memoryStore that counts what revokes: "revokes nothing" is measured here. `failRevokes` makes
// the next revokeSession or revokeSubject calls fail (a timeout, a failover).
const writes = { revokeSession: 0, revokeSubject: 0, revokeToken: 0 };
let failRevokes = 0;
const failing = () => failRevokes > 0 && failRevokes-- > 0;
function countingStore(): TokenStore {
  const store = memoryStore({ clock: clock.now });
  return Object.assign(Object.create(store) as TokenStore, {
    revokeSession: (...args: Parameters<TokenStore["revokeSession"]>) =>
      failing() ? Promise.reject(new Error("connection reset")) : (writes.revokeSession++, store.revokeSession(...args)),
    revokeSubject: (...args: Parameters<TokenStore["revokeSubject"]>) =>
      failing() ? Promise.reject(new Error("connection reset")) : (writes.revokeSubject++, store.revokeSubject(...args)),
    revokeToken: (...args: Parameters<TokenStore["revokeToken"]>) => (writes.revokeToken++, store.revokeToken(...args)),
  });
}
const store = countingStore();
const idp = new RemoteIssuer({ issuer: IDP, audience: API, keys, store, clock: clock.now });
const otherIdp = new RemoteIssuer({ issuer: OTHER_IDP, audience: API, keys, store, clock: clock.now });
const auth = new AuthManager({ ...optionsFor("HS256"), issuer: "my-api", store, clock: clock.now });
const logout = idp.backchannelLogout({ clientId: CLIENT_ID });

const createContext = createJwtContext([auth, idp, otherIdp]);
const t = initTRPC.context<typeof createContext>().create({ errorFormatter: jwtErrorFormatter });
const { authedProcedure } = createJwtProcedures(t);
const router = t.router({ me: authedProcedure.query(({ ctx }) => ctx.token.sub) });
const call = (token: string) =>
  t
    .createCallerFactory(router)(createContext({ req: new Request("http://x", { headers: { authorization: `Bearer ${token}` } }) }))
    .me();
const codeOf = async (token: string) =>
  call(token).then(
    () => "ok",
    (error: { cause?: { code?: string } }) => error.cause?.code,
  );

const accessToken = (claims: Record<string, unknown>, iss = IDP) =>
  forgeWith("RS256", { iss, aud: API, sub: "alice", iat: nowSeconds(), exp: nowSeconds() + 600, jti: crypto.randomUUID(), ...claims }, { typ: "at+jwt" });
const logoutClaims = (claims: Record<string, unknown> = {}) => ({
  iss: IDP,
  aud: CLIENT_ID,
  iat: nowSeconds(),
  exp: nowSeconds() + 120,
  jti: crypto.randomUUID(),
  sub: "alice",
  sid: "session-1",
  events: { [EVENT]: {} },
  ...claims,
});
const logoutToken = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = { typ: "logout+jwt" }) =>
  forgeWith("RS256", logoutClaims(claims), header);
const post = (body: string, contentType = "application/x-www-form-urlencoded") =>
  logout(new Request("https://api.example.com/backchannel-logout", { method: "POST", headers: { "content-type": contentType }, body }));
const form = (token: string) => new URLSearchParams({ logout_token: token }).toString();
// A sub-wide logout refuses the provider's tokens with an iat up to 61 s after it (an accepted iat
// may be 60 s ahead of our clock, plus a second for its whole-second resolution): later ones pass.
const PAST_SKEW_S = 62;

beforeEach(() => {
  failRevokes = 0;
  for (const key of Object.keys(writes) as (keyof typeof writes)[]) writes[key] = 0;
});

describe("a good logout token", () => {
  it("ends that provider session everywhere its access tokens are checked: 200, then TOKEN_REVOKED; another session keeps working", async () => {
    const session1 = await accessToken({ sid: "s-a1" });
    const session2 = await accessToken({ sid: "s-a2" });
    expect([await codeOf(session1), await codeOf(session2)]).toEqual(["ok", "ok"]);
    const response = await post(form(await logoutToken({ sid: "s-a1" })));
    expect([response.status, response.headers.get("cache-control"), await response.text()]).toEqual([200, "no-store", ""]);
    expect([await codeOf(session1), await codeOf(session2)]).toEqual(["TOKEN_REVOKED", "ok"]);
    expect(((await rejectionOf(idp.verifyToken(session1))) as { code: string }).code).toBe("TOKEN_REVOKED");
    expect(writes).toEqual({ revokeSession: 1, revokeSubject: 0, revokeToken: 0 });
  });

  it("without sid, ends every session of the subject; a login afterwards works", async () => {
    const before = [await accessToken({ sub: "bob", sid: "s-b1" }), await accessToken({ sub: "bob" })];
    const response = await post(form(await logoutToken({ sub: "bob", sid: undefined })));
    expect(response.status).toBe(200);
    for (const token of before) expect(await codeOf(token)).toBe("TOKEN_REVOKED");
    clock.advance(PAST_SKEW_S);
    expect(await codeOf(await accessToken({ sub: "bob", sid: "s-b2" }))).toBe("ok");
    expect(writes).toEqual({ revokeSession: 0, revokeSubject: 1, revokeToken: 0 });
  });

  it("without sid, reaches a provider's token that claims a sub_gen (only our own tokens' is trusted)", async () => {
    const claimsLater = await accessToken({ sub: "hal", sub_gen: Number.MAX_SAFE_INTEGER });
    expect((await post(form(await logoutToken({ sub: "hal", sid: undefined })))).status).toBe(200);
    expect(await codeOf(claimsLater)).toBe("TOKEN_REVOKED");
  });

  it("without sid, ends a token issued just before it by a provider whose clock is 5 s ahead (such an iat is accepted)", async () => {
    const ahead = nowSeconds() + 5;
    const access = await accessToken({ sub: "gina", sid: undefined, iat: ahead, exp: ahead + 600 });
    expect(await codeOf(access)).toBe("ok");
    const response = await post(form(await logoutToken({ sub: "gina", sid: undefined, iat: ahead + 1, exp: ahead + 121 })));
    expect([response.status, await codeOf(access)]).toEqual([200, "TOKEN_REVOKED"]);
  });

  it("of one issuer never revokes another issuer's tokens, nor our own, with the same sid or sub", async () => {
    const own = await auth.login("carol");
    const ownSid = own.authToken.claims["sid"] as string;
    const theirs = await accessToken({ sub: "carol", sid: ownSid }, OTHER_IDP);
    const mine = await accessToken({ sub: "carol", sid: ownSid });
    expect((await post(form(await logoutToken({ sub: "carol", sid: ownSid })))).status).toBe(200);
    expect([await codeOf(mine), await codeOf(theirs), await codeOf(own.authToken.signed)]).toEqual(["TOKEN_REVOKED", "ok", "ok"]);
    expect((await post(form(await logoutToken({ sub: "carol", sid: undefined })))).status).toBe(200);
    expect([await codeOf(theirs), await codeOf(own.authToken.signed)]).toEqual(["ok", "ok"]);
    // And the other way round: our revokeSession of that sid leaves the provider's token alone.
    const again = await accessToken({ sub: "dave", sid: "shared-sid" });
    await auth.revokeSession("shared-sid");
    expect(await codeOf(again)).toBe("ok");
  });

  it("is served by the Node adapter over HTTP, and behind Express's urlencoded parser", async () => {
    const node = await listenOnLoopback(createServer((req, res) => void logout.node(req, res)));
    const app = express();
    app.post("/logout", express.urlencoded({ extended: false }), (req, res) => void logout.node(req, res));
    const viaExpress = await listenOnLoopback(createServer(app));
    try {
      for (const [url, sid] of [
        [node.url, "s-node"],
        [`${viaExpress.url}/logout`, "s-express"],
      ] as const) {
        const token = await accessToken({ sid });
        const headers = { "content-type": "application/x-www-form-urlencoded" };
        const response = await fetch(url, { method: "POST", headers, body: form(await logoutToken({ sid })) });
        expect([response.status, response.headers.get("cache-control")]).toEqual([200, "no-store"]);
        expect(await codeOf(token)).toBe("TOKEN_REVOKED");
        const bad = await fetch(url, { method: "POST", headers, body: form(await logoutToken({ sid, nonce: "n" })) });
        expect([bad.status, await bad.text()]).toEqual([400, ""]);
      }
      expect((await fetch(node.url)).status).toBe(405);
    } finally {
      await Promise.all([node.close(), viaExpress.close()]);
    }
  });
});

describe("the Node adapter behind a body parser of another type", () => {
  it("reads the form when an earlier parser left req.body = {} without reading the stream (Express 4's json())", async () => {
    const access = await accessToken({ sid: "s-express4" });
    // What Express 4's app.use(express.json()) leaves for a urlencoded POST: req.body = {}, stream unread.
    const req = Object.assign(Readable.from([Buffer.from(form(await logoutToken({ sid: "s-express4" })))]), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: {},
    });
    let status = 0;
    await logout.node(req, { writeHead: (code: number) => (status = code), end: () => undefined });
    expect([status, await codeOf(access)]).toEqual([200, "TOKEN_REVOKED"]);
  });

  it("a parsed body without logout_token whose stream was read is 400 (nothing is read twice)", async () => {
    const req = Object.assign(Readable.from([]), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: {} });
    for await (const _ of req);
    let status = 0;
    await logout.node(req, { writeHead: (code: number) => (status = code), end: () => undefined });
    expect(status).toBe(400);
  });
});

describe("adversarial logout tokens: each 400, nothing revoked", () => {
  let victim: string;
  beforeAll(async () => {
    victim = await accessToken({ sub: "victim", sid: "victim-session" });
  });
  afterAll(async () => {
    expect(await codeOf(victim)).toBe("ok");
  });

  const victimClaims = { sub: "victim", sid: "victim-session" };
  const cases: [string, () => Promise<string> | string][] = [
    ["a wrong signature (another key)", () => forgeRsa({ header: { typ: "logout+jwt" }, payload: logoutClaims(victimClaims) }, otherRsa.privateKey)],
    ["another issuer", () => logoutToken({ ...victimClaims, iss: OTHER_IDP })],
    ["a wrong aud", () => logoutToken({ ...victimClaims, aud: "someone-else" })],
    ["our API as aud (an access token's audience)", () => logoutToken({ ...victimClaims, aud: API })],
    ["missing events", () => logoutToken({ ...victimClaims, events: undefined })],
    ["events without the back-channel-logout member", () => logoutToken({ ...victimClaims, events: { "http://example.com/other": {} } })],
    ["an events member that is not an object", () => logoutToken({ ...victimClaims, events: { [EVENT]: "yes" } })],
    ["a nonce present (an ID token)", () => logoutToken({ ...victimClaims, nonce: "n-0S6_WzA2Mj" })],
    ["neither sid nor sub", () => logoutToken({ sid: undefined, sub: undefined })],
    ["an empty sid", () => logoutToken({ ...victimClaims, sid: "" })],
    ["no jti", () => logoutToken({ ...victimClaims, jti: undefined })],
    ["alg none", () => forgeUnsigned({ header: { alg: "none", typ: "logout+jwt" }, payload: logoutClaims(victimClaims) })],
    [
      "HMAC keyed with the provider's public key",
      () => forgeHmac({ header: { alg: "HS256", typ: "logout+jwt" }, payload: logoutClaims(victimClaims) }, RSA_PUBLIC_PEM),
    ],
    ["an expired iat (six minutes old), its exp still ahead", () => logoutToken({ ...victimClaims, iat: nowSeconds() - 360, exp: nowSeconds() + 60 })],
    ["no exp (REQUIRED by section 2.4)", () => logoutToken({ ...victimClaims, exp: undefined })],
    ["an exp that is not a number", () => logoutToken({ ...victimClaims, exp: String(nowSeconds() + 120) })],
    ["an expired exp", () => logoutToken({ ...victimClaims, iat: nowSeconds() - 130, exp: nowSeconds() - 10 })],
    ["an iat in the future", () => logoutToken({ ...victimClaims, iat: nowSeconds() + 600 })],
    ['typ "JWT+at"', () => logoutToken(victimClaims, { typ: "JWT+at" })],
    ['typ "at+jwt" (an access token)', () => logoutToken(victimClaims, { typ: "at+jwt" })],
    ["a jku header", () => logoutToken(victimClaims, { typ: "logout+jwt", jku: "https://evil.example/jwks" })],
    ["not a JWT", () => "not.a.jwt"],
  ];
  it.each(cases)("%s", async (_name, make) => {
    const response = await post(form(await make()));
    expect([response.status, await response.text()]).toEqual([400, ""]);
    expect(writes).toEqual({ revokeSession: 0, revokeSubject: 0, revokeToken: 0 });
    expect(await codeOf(victim)).toBe("ok");
  });

  it("a replayed jti: the second delivery revokes nothing", async () => {
    const token = await logoutToken({ sub: "erin", sid: undefined });
    expect((await post(form(token))).status).toBe(200);
    clock.advance(PAST_SKEW_S);
    const later = await accessToken({ sub: "erin" }); // issued after the logout: valid
    expect(await codeOf(later)).toBe("ok");
    expect([(await post(form(token))).status, writes.revokeSubject]).toEqual([400, 1]);
    expect(await codeOf(later)).toBe("ok"); // a replay acted upon would have revoked it
  });

  it("malformed requests: another content type, no token, two tokens, a body too large; GET is 405", async () => {
    const token = await logoutToken(victimClaims);
    expect((await post(JSON.stringify({ logout_token: token }), "application/json")).status).toBe(400);
    expect((await post("")).status).toBe(400);
    expect((await post(`${form(token)}&${form(token)}`)).status).toBe(400);
    expect((await post(`${form(token)}&pad=${"x".repeat(70_000)}`)).status).toBe(400);
    expect((await logout(new Request("https://api.example.com/x"))).status).toBe(405);
    expect(writes).toEqual({ revokeSession: 0, revokeSubject: 0, revokeToken: 0 });
  });
});

describe("a logout token is never an access token (RFC 8417 section 4.3)", () => {
  // A provider whose access tokens are addressed to the client id, as Keycloak's or Entra ID's can
  // be: a logout token's aud then passes the access-token audience check, and without a typ
  // header only its events claim tells it apart.
  const clientAudience = new RemoteIssuer({ issuer: IDP, audience: CLIENT_ID, keys, store, clock: clock.now });
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    const { router, createContext } = createRemoteApp(clientAudience);
    server = await startServer({ router, createContext });
  });
  afterAll(() => server.close());
  const untyped = { typ: undefined };
  const headerOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[0] as string, "base64url").toString()) as unknown;

  it("without a typ header, sent as a Bearer access token over HTTP: 401 TOKEN_INVALID; the logout endpoint accepts the same token", async () => {
    const token = await logoutToken({ sid: "s-confused" }, untyped);
    expect(headerOf(token)).toEqual({ alg: "RS256" });
    // The same claims without events pass as an access token: the events claim is what refuses it.
    const access = await logoutToken({ sid: "s-confused", events: undefined }, untyped);
    await expect(remoteClient(server.url, access).whoami.query()).resolves.toMatchObject({ iss: IDP, sub: "alice", tokenType: "auth" });
    expect(await failure(remoteClient(server.url, token).whoami.query())).toMatchObject({ status: 401, jwtCode: "TOKEN_INVALID" });
    expect(((await rejectionOf(clientAudience.verifyToken(token))) as { code: string }).code).toBe("TOKEN_INVALID");
    const response = await post(form(token));
    expect(response.status).toBe(200);
    expect(await failure(remoteClient(server.url, access).whoami.query())).toMatchObject({ status: 401, jwtCode: "TOKEN_REVOKED" });
  });

  it("nor is any other Security Event Token (an events claim without the logout member), typed or not", async () => {
    const risc = { "https://schemas.openid.net/secevent/risc/event-type/sessions-revoked": {} };
    for (const header of [untyped, { typ: "JWT" }, { typ: "at+jwt" }]) {
      const token = await logoutToken({ sid: "s-other-set", events: risc }, header);
      expect(await failure(remoteClient(server.url, token).whoami.query())).toMatchObject({ status: 401, jwtCode: "TOKEN_INVALID" });
    }
  });
});

describe("a store failure while revoking: 503, and the provider's retry", () => {
  it("a logout answered 503 (the revocation failed) is carried out when the provider sends it again; a replay after that is 400", async () => {
    const access = await accessToken({ sid: "s-retry" });
    const token = await logoutToken({ sid: "s-retry" });
    failRevokes = 1;
    expect((await post(form(token))).status).toBe(503);
    expect(await codeOf(access)).toBe("ok");
    expect([(await post(form(token))).status, await codeOf(access)]).toEqual([200, "TOKEN_REVOKED"]);
    expect([(await post(form(token))).status, writes.revokeSession]).toEqual([400, 1]);
  });

  it("a sub-wide logout retried after a 503 revokes as of its first delivery: a token issued in between keeps working", async () => {
    const before = await accessToken({ sub: "frank" });
    const token = await logoutToken({ sub: "frank", sid: undefined });
    failRevokes = 1;
    expect((await post(form(token))).status).toBe(503);
    clock.advance(PAST_SKEW_S);
    const between = await accessToken({ sub: "frank" });
    expect((await post(form(token))).status).toBe(200);
    expect([await codeOf(before), await codeOf(between)]).toEqual(["TOKEN_REVOKED", "ok"]);
    expect([(await post(form(token))).status, writes.revokeSubject]).toEqual([400, 1]);
  });
});

describe("misuse fails at construction", () => {
  it("needs a store and a client id", () => {
    const storeless = new RemoteIssuer({ issuer: IDP, audience: API, keys });
    expect(() => storeless.backchannelLogout({ clientId: CLIENT_ID })).toThrow(
      new JwtConfigError("store", "backchannelLogout() needs a TokenStore: new RemoteIssuer({ ..., store })"),
    );
    expect(() => idp.backchannelLogout({ clientId: "" })).toThrow(
      new JwtConfigError("clientId", "must be your client id at the provider (a logout token's aud)"),
    );
    expect(() => idp.backchannelLogout({ clientID: "x" } as never)).toThrow(/clientID: is not a backchannelLogout option/);
    expect(() => new RemoteIssuer({ issuer: IDP, audience: API, keys, store: {} as never })).toThrow(
      new JwtConfigError("store", "must be a TokenStore (memoryStore() or redisStore(client))"),
    );
    expect(() => new RemoteIssuer({ issuer: IDP, audience: API, keys, store, maxTokenLifetime: 0 })).toThrow(JwtConfigError);
  });

  it("with a store, an access token claiming a longer life than maxTokenLifetime is refused", async () => {
    const long = await forgeWith("RS256", { iss: IDP, aud: API, sub: "alice", iat: nowSeconds(), exp: nowSeconds() + 86_401 }, { typ: "at+jwt" });
    expect(await codeOf(long)).toBe("TOKEN_INVALID");
  });
});

describe('revoke: "subject"', () => {
  it("ends every token of the logout token's sub, whatever sid the access tokens carry (or none)", async () => {
    const bySubject = idp.backchannelLogout({ clientId: CLIENT_ID, revoke: "subject" });
    const tokens = [await accessToken({ sub: "frank" }), await accessToken({ sub: "frank", sid: "unrelated" })];
    const body = form(await logoutToken({ sub: "frank", sid: "provider-session" }));
    const response = await bySubject(
      new Request("https://api.example.com/x", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body }),
    );
    expect(response.status).toBe(200);
    for (const token of tokens) expect(await codeOf(token)).toBe("TOKEN_REVOKED");
    expect(writes).toEqual({ revokeSession: 0, revokeSubject: 1, revokeToken: 0 });
    expect(() => idp.backchannelLogout({ clientId: CLIENT_ID, revoke: "all" } as never)).toThrow(
      new JwtConfigError("revoke", "must be one of session, subject"),
    );
  });
});

describe("the audit option", () => {
  it("is told of each logout done, never of a refused one", async () => {
    const events: unknown[] = [];
    const audited = new RemoteIssuer({
      issuer: IDP,
      audience: API,
      keys,
      store: memoryStore({ clock: clock.now }),
      clock: clock.now,
      audit: (event) => events.push(event),
    });
    const endpoint = audited.backchannelLogout({ clientId: CLIENT_ID });
    const send = async (token: string) => {
      const init = { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form(token) };
      return (await endpoint(new Request("https://api.example.com/x", init))).status;
    };
    expect(await send(await logoutToken({ sub: "gina", sid: "s-g" }))).toBe(200);
    expect(await send(await logoutToken({ sub: undefined, sid: "s-h" }))).toBe(200);
    expect(await send(await logoutToken({ sub: "gina", nonce: "n" }))).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 10)); // the hook runs after the response
    expect(events).toEqual([
      { event: "backchannelLogout", sub: "gina", sid: "s-g", at: clock.now() },
      { event: "backchannelLogout", sub: "", sid: "s-h", at: clock.now() },
    ]);
  });
});
