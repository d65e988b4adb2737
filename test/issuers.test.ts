// RemoteIssuer against a JWKS server of our own: options, the access-token profile, and every
// failure mode of the key set (unreachable, slow, huge, garbage, private or symmetric keys, a
// flood of unknown kids), over real HTTP on 127.0.0.1.
import { createHmac, generateKeyPairSync, randomUUID, sign } from "node:crypto";
import { SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { JwtConfigError, JwtError, JwtToken, RemoteIssuer, type RemoteIssuerOptions } from "trpc-jwt";
import type { DiscoveryOptions } from "trpc-jwt/types";
import { rsaSigningKey, signAccessToken, startJwksServer, type JwksServer } from "./helpers/jwksServer.js";
import { fakeClock } from "./helpers/keys.js";
import { rejectionOf } from "./helpers/rejection.js";

const ISSUER = "https://idp.example.test/";
const AUDIENCE = "https://api.example.test";
const key = rsaSigningKey("key-1");
const nextKey = rsaSigningKey("key-2");
let server: JwksServer;
let clock: ReturnType<typeof fakeClock>;

beforeAll(async () => {
  server = await startJwksServer([key]);
});
afterAll(() => server.close());
afterEach(async () => {
  server.setMode("ok");
  server.publish([key]);
  await server.start().catch(() => undefined); // restart after a stop; already listening otherwise
});

function issuer(extra: Partial<DiscoveryOptions> = {}) {
  clock = fakeClock(Date.now());
  return new RemoteIssuer({
    issuer: ISSUER,
    jwksUri: server.url,
    audience: AUDIENCE,
    cooldownDuration: 30_000,
    timeoutDuration: 500,
    clock: clock.now,
    ...extra,
  });
}

function claims(extra: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: ISSUER, sub: "user-1", aud: AUDIENCE, iat: now, exp: now + 600, jti: randomUUID(), client_id: "spa", scope: "read write", ...extra };
}

const codeOf = async (promise: Promise<unknown>) => ((await rejectionOf(promise)) as JwtError).code;

describe("RemoteIssuer options", () => {
  const base = { issuer: ISSUER, jwksUri: "https://idp.example.test/jwks", audience: AUDIENCE };
  const optionOf = (options: unknown) => {
    try {
      new RemoteIssuer(options as RemoteIssuerOptions);
    } catch (error) {
      expect(error).toBeInstanceOf(JwtConfigError);
      return (error as JwtConfigError).option;
    }
    return expect.fail("constructed");
  };

  it("requires an audience, and takes false only with requiredClaims pinning client_id or token_use", () => {
    expect(optionOf({ ...base, audience: undefined })).toBe("audience");
    expect(optionOf({ ...base, audience: "" })).toBe("audience");
    expect(optionOf({ ...base, audience: false })).toBe("audience");
    expect(optionOf({ ...base, audience: false, requiredClaims: { scope: "read" } })).toBe("audience");
    expect(new RemoteIssuer({ ...base, audience: false, requiredClaims: { token_use: "access" } }).audience).toBe(false);
    expect(new RemoteIssuer({ ...base, audience: false, requiredClaims: { client_id: "abc" } }).audience).toBe(false);
  });

  it("takes asymmetric algorithms only, RS256 by default", () => {
    expect(new RemoteIssuer(base).algorithms).toEqual(["RS256"]);
    for (const alg of ["HS256", "none", "RS1", "es256"]) expect(optionOf({ ...base, algorithms: [alg] })).toBe("algorithms");
    expect(optionOf({ ...base, algorithms: [] })).toBe("algorithms");
    expect(new RemoteIssuer({ ...base, algorithms: ["ES256", "PS256", "EdDSA"] }).algorithms).toEqual(["ES256", "PS256", "EdDSA"]);
  });

  it("requires https for the key set, except on loopback hosts", () => {
    expect(optionOf({ ...base, jwksUri: "http://idp.example.test/jwks" })).toBe("jwksUri");
    expect(optionOf({ ...base, jwksUri: "ftp://idp.example.test/jwks" })).toBe("jwksUri");
    expect(optionOf({ ...base, jwksUri: "not a url" })).toBe("jwksUri");
    expect(optionOf({ ...base, jwksUri: "https://user:pw@idp.example.test/jwks" })).toBe("jwksUri");
    for (const loopback of ["http://127.0.0.1:8080/jwks", "http://localhost/jwks", "http://[::1]:9/jwks", "http://keycloak.localhost/jwks"]) {
      expect(new RemoteIssuer({ ...base, jwksUri: loopback }).jwksUri).toBe(new URL(loopback).href);
    }
  });

  it("names every other bad option", () => {
    expect(optionOf({ ...base, issuer: "" })).toBe("issuer");
    expect(optionOf({ ...base, clockTolerance: 301 })).toBe("clockTolerance");
    expect(optionOf({ ...base, clockTolerance: 1.5 })).toBe("clockTolerance");
    expect(optionOf({ ...base, authorizedParties: [] })).toBe("authorizedParties");
    expect(optionOf({ ...base, authorizedParties: [""] })).toBe("authorizedParties");
    expect(optionOf({ ...base, requiredClaims: {} })).toBe("requiredClaims");
    expect(optionOf({ ...base, requiredClaims: { a: undefined } })).toBe("requiredClaims");
    expect(optionOf({ ...base, cooldownDuration: -1 })).toBe("cooldownDuration");
    expect(optionOf({ ...base, timeoutDuration: 0 })).toBe("timeoutDuration");
    expect(optionOf({ ...base, cacheMaxAge: Number.NaN })).toBe("cacheMaxAge");
    expect(optionOf({ ...base, jwks: "x" })).toBe("jwks");
    expect(optionOf(null)).toBe("options");
    for (const tokenProfile of ["AT+JWT", "id_token", "", null, true]) expect(optionOf({ ...base, tokenProfile })).toBe("tokenProfile");
  });
});

describe("RemoteIssuer access tokens (RFC 9068)", () => {
  it("verifies an access token into a JwtToken of type auth, with its scope", async () => {
    const idp = issuer();
    const signed = await signAccessToken(key, claims());
    const token = await idp.verifyToken(signed);
    expect(token).toBeInstanceOf(JwtToken);
    expect(token).toMatchObject({ tokenType: "auth", sub: "user-1", iss: ISSUER, scope: "read write", signed });
    expect(token.claims["client_id"]).toBe("spa");
    expect(Object.isFrozen(token.claims)).toBe(true);
    expect(await codeOf(idp.verifyToken(signed, "refresh"))).toBe("TOKEN_WRONG_TYPE");
    await expect(idp.verifyToken(signed, "auth")).resolves.toMatchObject({ signed, tokenType: "auth" });
  });

  it("accepts typ at+jwt, application/at+jwt, JWT or none, and refuses any other", async () => {
    const idp = issuer();
    for (const typ of ["at+jwt", "application/at+jwt", "JWT", "AT+JWT", undefined]) {
      await expect(idp.verifyToken(await signAccessToken(key, claims(), { typ }))).resolves.toBeInstanceOf(JwtToken);
    }
    for (const typ of ["dpop+jwt", "JOSE", "id_token+jwt", "", 1]) {
      expect(await codeOf(idp.verifyToken(await signAccessToken(key, claims(), { typ })))).toBe("TOKEN_INVALID");
    }
  });

  it("requires iss, aud, sub, iat and exp", async () => {
    const idp = issuer();
    for (const name of ["iss", "aud", "sub", "iat", "exp"]) {
      expect(await codeOf(idp.verifyToken(await signAccessToken(key, claims({ [name]: undefined }))))).toBe("TOKEN_INVALID");
    }
  });

  it("checks the issuer exactly, trailing slash included", async () => {
    const idp = issuer();
    for (const iss of ["https://idp.example.test", "https://evil.example.test/", "HTTPS://IDP.EXAMPLE.TEST/"]) {
      expect(await codeOf(idp.verifyToken(await signAccessToken(key, claims({ iss }))))).toBe("TOKEN_INVALID");
    }
  });

  it("requires the audience, as a string or in an array", async () => {
    const idp = issuer();
    await expect(idp.verifyToken(await signAccessToken(key, claims({ aud: ["https://other.example.test", AUDIENCE] })))).resolves.toBeInstanceOf(JwtToken);
    for (const aud of ["https://other.example.test", [], ["https://other.example.test"], [AUDIENCE, 1], `${AUDIENCE}/`]) {
      expect(await codeOf(idp.verifyToken(await signAccessToken(key, claims({ aud }))))).toBe("TOKEN_INVALID");
    }
  });

  it("with audience false, refuses tokens that name one and requires the pinned claims (Cognito)", async () => {
    const idp = issuer({ audience: false, requiredClaims: { token_use: "access", client_id: "spa" } });
    await expect(idp.verifyToken(await signAccessToken(key, claims({ aud: undefined, token_use: "access" }), { typ: undefined }))).resolves.toBeInstanceOf(
      JwtToken,
    );
    expect(await codeOf(idp.verifyToken(await signAccessToken(key, claims({ token_use: "access" }))))).toBe("TOKEN_INVALID");
    expect(await codeOf(idp.verifyToken(await signAccessToken(key, claims({ aud: undefined, token_use: "id" }))))).toBe("TOKEN_INVALID");
    expect(await codeOf(idp.verifyToken(await signAccessToken(key, claims({ aud: undefined, token_use: "access", client_id: "other" }))))).toBe(
      "TOKEN_INVALID",
    );
  });

  it("requires an azp from authorizedParties when they are set (Keycloak, Clerk)", async () => {
    const idp = issuer({ authorizedParties: ["web", "mobile"] });
    await expect(idp.verifyToken(await signAccessToken(key, claims({ azp: "mobile" })))).resolves.toBeInstanceOf(JwtToken);
    for (const azp of ["evil", undefined, ["web"]]) {
      expect(await codeOf(idp.verifyToken(await signAccessToken(key, claims({ azp }))))).toBe("TOKEN_INVALID");
    }
  });

  it("reads claims and typ own-only: a polluted Object.prototype supplies no aud, azp or typ", async () => {
    const idp = issuer({ authorizedParties: ["web"] });
    const proto = Object.prototype as Record<string, unknown>;
    Object.assign(proto, { aud: AUDIENCE, azp: "web", typ: "at+jwt" });
    try {
      expect(await codeOf(idp.verifyToken(await signAccessToken(key, claims({ aud: undefined, azp: "web" }))))).toBe("TOKEN_INVALID");
      expect(await codeOf(idp.verifyToken(await signAccessToken(key, claims({ azp: undefined }))))).toBe("TOKEN_INVALID");
    } finally {
      for (const name of ["aud", "azp", "typ"]) delete proto[name];
    }
    await expect(idp.verifyToken(await signAccessToken(key, claims({ azp: "web" })))).resolves.toBeInstanceOf(JwtToken);
  });

  describe("an ID token never poses as an access token (RFC 9068 section 4)", () => {
    // The confusing case: the API's audience is the client id, so an ID token of that client
    // (same keys, same iss, typ JWT or none) passes every registered-claim check.
    const CLIENT_ID = "spa";
    const idTokenClaims = (extra: Record<string, unknown> = {}) => claims({ aud: CLIENT_ID, azp: CLIENT_ID, scope: undefined, ...extra });
    const ID_TOKEN_ONLY: Record<string, string>[] = [
      { nonce: "n-0S6_WzA2Mj" },
      { at_hash: "77QmUPtjPfzWtF2AnpK9RQ" },
      { c_hash: "LDktKdoQak3Pk0cnXxCltA" },
      { s_hash: "x2Gn1Kd8Mk" },
    ];

    it("by default, refuses a token carrying nonce, at_hash, c_hash or s_hash, typed JWT or not typed", async () => {
      const idp = issuer({ audience: CLIENT_ID });
      await expect(idp.verifyToken(await signAccessToken(key, idTokenClaims(), { typ: "JWT" }))).resolves.toBeInstanceOf(JwtToken);
      for (const extra of ID_TOKEN_ONLY) {
        for (const typ of ["JWT", undefined, "at+jwt"]) {
          expect(await codeOf(idp.verifyToken(await signAccessToken(key, idTokenClaims(extra), { typ })))).toBe("TOKEN_INVALID");
        }
      }
    });

    it('tokenProfile "at+jwt" requires the at+jwt typ: an ID token without those claims is refused too', async () => {
      const idp = issuer({ audience: CLIENT_ID, tokenProfile: "at+jwt" });
      for (const typ of ["at+jwt", "application/at+jwt", "AT+JWT"]) {
        await expect(idp.verifyToken(await signAccessToken(key, idTokenClaims(), { typ }))).resolves.toBeInstanceOf(JwtToken);
      }
      for (const typ of ["JWT", undefined, "id_token+jwt"]) {
        expect(await codeOf(idp.verifyToken(await signAccessToken(key, idTokenClaims(), { typ })))).toBe("TOKEN_INVALID");
      }
      expect(await codeOf(idp.verifyToken(await signAccessToken(key, idTokenClaims({ nonce: "n-0S6_WzA2Mj" }))))).toBe("TOKEN_INVALID");
    });

    it('tokenProfile "id" takes the provider\'s ID tokens as the credential (Google sign-in)', async () => {
      const idp = issuer({ audience: CLIENT_ID, tokenProfile: "id" });
      for (const extra of ID_TOKEN_ONLY) {
        await expect(idp.verifyToken(await signAccessToken(key, idTokenClaims(extra), { typ: "JWT" }))).resolves.toBeInstanceOf(JwtToken);
      }
      expect(await codeOf(idp.verifyToken(await signAccessToken(key, idTokenClaims({ events: {} }), { typ: "JWT" })))).toBe("TOKEN_INVALID");
    });

    it("the refusal is a fixed code: the message names no claim and no value", async () => {
      const error = await rejectionOf(issuer({ audience: CLIENT_ID }).verifyToken(await signAccessToken(key, idTokenClaims({ nonce: "n-secret-value" }))));
      expect(error).toBeInstanceOf(JwtError);
      expect((error as JwtError).message).not.toMatch(/nonce|n-secret-value/);
    });
  });

  it("refuses a type claim other than auth: a trpc-jwt refresh token is never an access token", async () => {
    const idp = issuer();
    await expect(idp.verifyToken(await signAccessToken(key, claims({ type: "auth" })))).resolves.toBeInstanceOf(JwtToken);
    expect(await codeOf(idp.verifyToken(await signAccessToken(key, claims({ type: "refresh" }))))).toBe("TOKEN_INVALID");
  });

  it("expires at exp, honours nbf, refuses a far-future iat, all within clockTolerance", async () => {
    const idp = issuer({ clockTolerance: 30 });
    const now = Math.floor(Date.now() / 1000);
    const signed = await signAccessToken(key, claims({ exp: now + 10 }));
    await expect(idp.verifyToken(signed)).resolves.toBeInstanceOf(JwtToken);
    clock.advance(39);
    await expect(idp.verifyToken(signed)).resolves.toBeInstanceOf(JwtToken);
    clock.advance(2);
    expect(await codeOf(idp.verifyToken(signed))).toBe("TOKEN_EXPIRED");
    const strict = issuer();
    expect(await codeOf(strict.verifyToken(await signAccessToken(key, claims({ nbf: now + 5 }))))).toBe("TOKEN_INVALID");
    await expect(idp.verifyToken(await signAccessToken(key, claims({ nbf: now + 5 })))).resolves.toBeInstanceOf(JwtToken);
    await expect(strict.verifyToken(await signAccessToken(key, claims({ iat: now + 50 })))).resolves.toBeInstanceOf(JwtToken);
    expect(await codeOf(strict.verifyToken(await signAccessToken(key, claims({ iat: now + 120 }))))).toBe("TOKEN_INVALID");
  });

  it("refuses header parameters that point at keys, and algorithms outside the list", async () => {
    const idp = issuer();
    for (const header of [{ jku: "https://evil.example.test/jwks" }, { jwk: key.publicJwk }, { x5u: "https://evil.example.test/cert" }]) {
      expect(await codeOf(idp.verifyToken(await signAccessToken(key, claims(), header)))).toBe("TOKEN_INVALID");
    }
    const rs384 = await new SignJWT(claims()).setProtectedHeader({ alg: "RS384", typ: "at+jwt", kid: key.kid }).sign(key.privateKey);
    expect(await codeOf(idp.verifyToken(rs384))).toBe("TOKEN_INVALID");
    // alg none, and HS256 keyed with the public key's bytes (the classic confusion attack).
    const none = `${b64({ alg: "none", typ: "at+jwt", kid: key.kid })}.${b64(claims())}.`;
    expect(await codeOf(idp.verifyToken(none))).toBe("TOKEN_INVALID");
    const input = `${b64({ alg: "HS256", typ: "at+jwt", kid: key.kid })}.${b64(claims())}`;
    const hs = `${input}.${createHmac("sha256", JSON.stringify(key.publicJwk)).update(input).digest("base64url")}`;
    expect(await codeOf(idp.verifyToken(hs))).toBe("TOKEN_INVALID");
  });

  it("verifies PS256 and refuses a key too weak for its algorithm (RSA under 2048 bits)", async () => {
    const pss = rsaSigningKey("pss-1", "PS256");
    const weak = generateKeyPairSync("rsa", { modulusLength: 1024 });
    server.publish([
      key,
      pss,
      { kid: "weak", privateKey: weak.privateKey, publicJwk: { ...weak.publicKey.export({ format: "jwk" }), kid: "weak" }, privateJwk: {} },
    ]);
    const idp = issuer({ algorithms: ["RS256", "PS256"] });
    const ps = await new SignJWT(claims()).setProtectedHeader({ alg: "PS256", typ: "at+jwt", kid: "pss-1" }).sign(pss.privateKey);
    await expect(idp.verifyToken(ps)).resolves.toMatchObject({ sub: "user-1" });
    const weakToken = `${b64({ alg: "RS256", typ: "at+jwt", kid: "weak" })}.${b64(claims())}`;
    const signedWeak = `${weakToken}.${sign("sha256", Buffer.from(weakToken), weak.privateKey).toString("base64url")}`;
    expect(await codeOf(idp.verifyToken(signedWeak))).toBe("TOKEN_INVALID");
    await expect(idp.verifyToken(await signAccessToken(key, claims()))).resolves.toBeInstanceOf(JwtToken);
  });

  it("verifies ES256 when configured, with the EC key from the set", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const ec = { kid: "ec-1", privateKey, publicJwk: { ...publicKey.export({ format: "jwk" }), kid: "ec-1" }, privateJwk: {} };
    server.publish([key, ec]);
    const idp = issuer({ algorithms: ["ES256"] });
    const signed = await new SignJWT(claims()).setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: "ec-1" }).sign(privateKey);
    await expect(idp.verifyToken(signed)).resolves.toMatchObject({ sub: "user-1" });
    expect(await codeOf(idp.verifyToken(await signAccessToken(key, claims())))).toBe("TOKEN_INVALID");
  });
});

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("RemoteIssuer key set failures (503 KEYS_UNAVAILABLE, never a token through)", () => {
  it("answers KEYS_UNAVAILABLE while the JWKS is unreachable and nothing is cached, and recovers by itself", async () => {
    await server.stop();
    const idp = issuer();
    const signed = await signAccessToken(key, claims());
    const error = await rejectionOf(idp.verifyToken(signed));
    expect(error).toBeInstanceOf(JwtError);
    expect(error).toMatchObject({ code: "KEYS_UNAVAILABLE", message: "Signing keys are unavailable" });
    await server.start();
    // Within the retry gap nothing is fetched; after it, the keys are.
    expect(await codeOf(idp.verifyToken(signed))).toBe("KEYS_UNAVAILABLE");
    const before = server.requests;
    clock.advance(5);
    await expect(idp.verifyToken(signed)).resolves.toBeInstanceOf(JwtToken);
    expect(server.requests).toBe(before + 1);
  });

  it.each(["garbage", "huge", "private", "symmetric", "error"] as const)(
    "answers KEYS_UNAVAILABLE when the JWKS serves %s, and keeps serving",
    async (mode) => {
      server.setMode(mode);
      const idp = issuer();
      const signed = await signAccessToken(key, claims());
      expect(await codeOf(idp.verifyToken(signed))).toBe("KEYS_UNAVAILABLE");
      // The server process is unharmed: the next good key set is used.
      server.setMode("ok");
      clock.advance(5);
      await expect(idp.verifyToken(signed)).resolves.toBeInstanceOf(JwtToken);
    },
  );

  it("never accepts an HS256 token keyed with a symmetric key the JWKS served", async () => {
    server.setMode("symmetric");
    const idp = issuer();
    const input = `${b64({ alg: "HS256", typ: "at+jwt", kid: "hmac" })}.${b64(claims())}`;
    const forged = `${input}.${createHmac("sha256", "a-shared-secret-of-32-bytes-long").update(input).digest("base64url")}`;
    expect(await codeOf(idp.verifyToken(forged))).toBe("TOKEN_INVALID");
    expect(await codeOf(idp.verifyToken(await signAccessToken(key, claims())))).toBe("KEYS_UNAVAILABLE");
  });

  it("gives up on a slow JWKS after timeoutDuration, with one request for all the callers waiting", async () => {
    server.setMode("slow");
    const idp = issuer({ timeoutDuration: 300 });
    const signed = await signAccessToken(key, claims());
    const before = server.requests;
    const codes = await Promise.all(Array.from({ length: 20 }, () => codeOf(idp.verifyToken(signed))));
    expect(codes).toEqual(Array(20).fill("KEYS_UNAVAILABLE"));
    expect(server.requests).toBe(before + 1);
  });

  it("costs at most one JWKS request per cooldown for a flood of unknown kids", async () => {
    const idp = issuer({ cooldownDuration: 60_000 });
    await idp.verifyToken(await signAccessToken(key, claims()));
    expect(server.requests).toBeGreaterThan(0);
    const unknownKid = () => signAccessToken(key, claims(), { kid: randomUUID() });
    const flood = async () => {
      const tokens = await Promise.all(Array.from({ length: 100 }, unknownKid));
      return Promise.all(tokens.map((signed) => codeOf(idp.verifyToken(signed))));
    };
    const start = server.requests;
    // Just loaded: inside the cooldown, nothing is fetched.
    expect(new Set(await flood())).toEqual(new Set(["TOKEN_INVALID"]));
    expect(server.requests).toBe(start);
    clock.advance(61);
    expect(new Set(await flood())).toEqual(new Set(["TOKEN_INVALID"]));
    expect(new Set(await flood())).toEqual(new Set(["TOKEN_INVALID"]));
    expect(server.requests).toBe(start + 1);
    clock.advance(61);
    await flood();
    expect(server.requests).toBe(start + 2);
  });

  it("picks up a rotated key when a token names its kid, without a restart", async () => {
    const idp = issuer({ cooldownDuration: 60_000 });
    await idp.verifyToken(await signAccessToken(key, claims()));
    server.publish([nextKey, key]);
    clock.advance(61);
    await expect(idp.verifyToken(await signAccessToken(nextKey, claims()))).resolves.toMatchObject({ sub: "user-1" });
    await expect(idp.verifyToken(await signAccessToken(key, claims()))).resolves.toMatchObject({ sub: "user-1" });
  });

  it("stops accepting a key the provider no longer publishes, once the set is fetched again", async () => {
    const idp = issuer({ cooldownDuration: 1_000, cacheSize: 0 });
    await expect(idp.verifyToken(await signAccessToken(key, claims()))).resolves.toBeInstanceOf(JwtToken);
    server.publish([nextKey]);
    clock.advance(2);
    // The new kid makes the set be fetched again; the key it dropped is refused from then on.
    await expect(idp.verifyToken(await signAccessToken(nextKey, claims()))).resolves.toBeInstanceOf(JwtToken);
    expect(await codeOf(idp.verifyToken(await signAccessToken(key, claims())))).toBe("TOKEN_INVALID");
  });

  it("keeps serving cached keys when a refresh after cacheMaxAge fails", async () => {
    const idp = issuer({ cacheMaxAge: 60_000, cacheSize: 0 });
    await idp.verifyToken(await signAccessToken(key, claims()));
    await server.stop();
    clock.advance(120);
    await expect(idp.verifyToken(await signAccessToken(key, claims()))).resolves.toBeInstanceOf(JwtToken);
  });

  it("answers KEYS_UNAVAILABLE for an unknown kid when the JWKS cannot be asked again", async () => {
    const idp = issuer();
    await idp.verifyToken(await signAccessToken(key, claims()));
    await server.stop();
    clock.advance(31);
    expect(await codeOf(idp.verifyToken(await signAccessToken(nextKey, claims())))).toBe("KEYS_UNAVAILABLE");
  });

  it("checks the key set's answer before any claim: a token from an unknown key is TOKEN_INVALID", async () => {
    const idp = issuer();
    const stranger = rsaSigningKey("key-1"); // same kid, other key: the signature fails
    expect(await codeOf(idp.verifyToken(await signAccessToken(stranger, claims())))).toBe("TOKEN_INVALID");
  });
});
