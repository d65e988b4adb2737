// A real OpenID provider (oidc-provider) in-process on 127.0.0.1: its JWT access tokens
// (client credentials + resource indicator) verify through RemoteIssuer and discover().
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JwtConfigError, JwtError, JwtToken, RemoteIssuer } from "trpc-jwt";
import { API_AUDIENCE, OTHER_AUDIENCE, startOidcProvider, type OidcProvider } from "./helpers/oidcProvider.js";
import { startMetadataServer } from "./helpers/metadataServer.js";
import { startSessionProvider, WEB_CLIENT, type SessionProvider } from "./helpers/oidcSessionProvider.js";
import { rejectionOf } from "./helpers/rejection.js";

let provider: OidcProvider;
let otherProvider: OidcProvider;

beforeAll(async () => {
  [provider, otherProvider] = await Promise.all([startOidcProvider(), startOidcProvider()]);
});
afterAll(async () => {
  await Promise.all([provider.close(), otherProvider.close()]);
});

const codeOf = async (promise: Promise<unknown>) => ((await rejectionOf(promise)) as JwtError).code;

describe("RemoteIssuer with oidc-provider", () => {
  it("discovers the provider and verifies its access tokens, scope included", async () => {
    const idp = await RemoteIssuer.discover(provider.issuer, { audience: API_AUDIENCE });
    expect(idp.jwksUri).toBe(`${provider.issuer}/jwks`);
    const signed = await provider.accessToken("read write");
    const token = await idp.verifyToken(signed);
    expect(token).toBeInstanceOf(JwtToken);
    expect(token).toMatchObject({ tokenType: "auth", iss: provider.issuer, scope: "read write", sub: "service-client" });
    expect(token.claims["aud"]).toBe(API_AUDIENCE);
    expect(token.claims["client_id"]).toBe("service-client");
  });

  it("refuses tokens for another audience and tokens of another issuer", async () => {
    const idp = new RemoteIssuer({ issuer: provider.issuer, jwksUri: `${provider.issuer}/jwks`, audience: API_AUDIENCE });
    expect(await codeOf(idp.verifyToken(await provider.accessToken("read", OTHER_AUDIENCE)))).toBe("TOKEN_INVALID");
    expect(await codeOf(idp.verifyToken(await otherProvider.accessToken("read")))).toBe("TOKEN_INVALID");
    // The other provider's token, even checked against this provider's keys by mistake, stays refused.
    const confused = new RemoteIssuer({ issuer: otherProvider.issuer, jwksUri: `${provider.issuer}/jwks`, audience: API_AUDIENCE });
    expect(await codeOf(confused.verifyToken(await otherProvider.accessToken("read")))).toBe("TOKEN_INVALID");
  });

  it("verifies tokens signed with a rotated key without a restart", async () => {
    const idp = new RemoteIssuer({ issuer: provider.issuer, jwksUri: `${provider.issuer}/jwks`, audience: API_AUDIENCE, cooldownDuration: 0 });
    const before = await provider.accessToken("read");
    await expect(idp.verifyToken(before)).resolves.toBeInstanceOf(JwtToken);
    const oldKid = provider.currentKid;
    provider.rotateKey();
    const after = await provider.accessToken("read");
    expect(JSON.parse(Buffer.from(after.split(".")[0]!, "base64url").toString()).kid).not.toBe(oldKid);
    await expect(idp.verifyToken(after)).resolves.toMatchObject({ scope: "read" });
    await expect(idp.verifyToken(before)).resolves.toBeInstanceOf(JwtToken);
  });
});

describe("an ID token of oidc-provider used as an access token (RFC 9068 section 4)", () => {
  // The API's audience set to the client id: the provider's ID tokens for that client are then
  // signed by the same keys, carry the same iss and name that audience. Only what makes them ID
  // tokens (their nonce and at_hash, their typ) can refuse them.
  let sessions: SessionProvider;
  beforeAll(async () => {
    sessions = await startSessionProvider();
    sessions.configure("http://127.0.0.1:9/backchannel-logout"); // never called: nobody signs out here
  });
  afterAll(() => sessions.close());

  const decode = (segment: string | undefined) => JSON.parse(Buffer.from(segment ?? "", "base64url").toString()) as Record<string, unknown>;
  const clientAudience = (extra: { tokenProfile?: "access" | "at+jwt" | "id" } = {}) =>
    new RemoteIssuer({ issuer: sessions.issuer, jwksUri: `${sessions.issuer}/jwks`, audience: WEB_CLIENT.id, ...extra });

  it("is refused by default when it carries a nonce, and always by tokenProfile at+jwt; the access token still verifies", async () => {
    const login = await sessions.login("alice", { nonce: "n-0S6_WzA2Mj" });
    const [header, payload] = login.idToken.split(".");
    expect(decode(payload)).toMatchObject({ iss: sessions.issuer, aud: WEB_CLIENT.id, sub: "alice", nonce: "n-0S6_WzA2Mj" });
    expect(decode(header)["typ"]).not.toBe("at+jwt");
    expect(await codeOf(clientAudience().verifyToken(login.idToken))).toBe("TOKEN_INVALID");
    expect(await codeOf(clientAudience({ tokenProfile: "at+jwt" }).verifyToken(login.idToken))).toBe("TOKEN_INVALID");
    // Everything else about it passes: taken as the credential on purpose, it verifies.
    await expect(clientAudience({ tokenProfile: "id" }).verifyToken(login.idToken)).resolves.toMatchObject({ sub: "alice" });
    // Without a nonce asked, its ID token carries none of the ID-token claims: only the typ tells.
    const plain = await sessions.login("bob");
    expect(Object.keys(decode(plain.idToken.split(".")[1])).filter((claim) => ["nonce", "at_hash", "c_hash", "s_hash"].includes(claim))).toEqual([]);
    await expect(clientAudience().verifyToken(plain.idToken)).resolves.toMatchObject({ sub: "bob" }); // the limit of the default, documented
    expect(await codeOf(clientAudience({ tokenProfile: "at+jwt" }).verifyToken(plain.idToken))).toBe("TOKEN_INVALID");
    const api = new RemoteIssuer({ issuer: sessions.issuer, jwksUri: `${sessions.issuer}/jwks`, audience: API_AUDIENCE, tokenProfile: "at+jwt" });
    await expect(api.verifyToken(login.accessToken)).resolves.toMatchObject({ sub: "alice", iss: sessions.issuer });
  });
});

describe("RemoteIssuer.discover", () => {
  it("requires the metadata's issuer to equal the argument exactly", async () => {
    // The provider's issuer has no trailing slash; asked with one, its document does not match.
    const error = await rejectionOf(RemoteIssuer.discover(`${provider.issuer}/`, { audience: API_AUDIENCE }));
    expect(error).toBeInstanceOf(JwtConfigError);
    expect(error).toMatchObject({ option: "issuer" });
    const lying = await startMetadataServer((origin) => ({
      "/.well-known/openid-configuration": { issuer: "https://evil.example.test", jwks_uri: `${origin}/jwks` },
    }));
    try {
      const mismatch = await rejectionOf(RemoteIssuer.discover(lying.origin, { audience: API_AUDIENCE }));
      expect(mismatch).toBeInstanceOf(JwtConfigError);
      expect(mismatch).toMatchObject({ option: "issuer" });
    } finally {
      await lying.close();
    }
  });

  it("falls back to RFC 8414 OAuth metadata, path inserted after the host", async () => {
    const oauth = await startMetadataServer((origin) => ({
      "/.well-known/oauth-authorization-server/tenant-1": { issuer: `${origin}/tenant-1`, jwks_uri: `${origin}/tenant-1/keys` },
    }));
    try {
      const idp = await RemoteIssuer.discover(`${oauth.origin}/tenant-1`, { audience: API_AUDIENCE });
      expect(idp.jwksUri).toBe(`${oauth.origin}/tenant-1/keys`);
      expect(oauth.paths).toEqual(["/tenant-1/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/tenant-1"]);
    } finally {
      await oauth.close();
    }
  });

  it("refuses an insecure jwks_uri, an insecure issuer, and bad options before any request", async () => {
    const insecure = await startMetadataServer((origin) => ({
      "/.well-known/openid-configuration": { issuer: origin, jwks_uri: "http://idp.example.test/jwks" },
    }));
    try {
      expect(await rejectionOf(RemoteIssuer.discover(insecure.origin, { audience: API_AUDIENCE }))).toMatchObject({ option: "jwks_uri" });
      expect(await rejectionOf(RemoteIssuer.discover("http://idp.example.test", { audience: API_AUDIENCE }))).toMatchObject({ option: "issuer" });
      expect(await rejectionOf(RemoteIssuer.discover(insecure.origin, { audience: "" }))).toMatchObject({ option: "audience" });
      expect(insecure.paths).toEqual(["/.well-known/openid-configuration"]);
    } finally {
      await insecure.close();
    }
  });

  it("rejects with KEYS_UNAVAILABLE when no metadata can be fetched", async () => {
    const empty = await startMetadataServer(() => ({}));
    await empty.close();
    expect(await codeOf(RemoteIssuer.discover(empty.origin, { audience: API_AUDIENCE }))).toBe("KEYS_UNAVAILABLE");
  });
});
