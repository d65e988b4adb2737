// Bad configuration fails at construction, naming the option, never echoing the secret.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AuthManager, JwtConfigError, type AuthManagerOptions } from "trpc-jwt";
import { HS256_SECRET, HS512_SECRET, otherRsa, PAIRS, RSA_PRIVATE_PEM, RSA_PUBLIC_PEM } from "./helpers/keys.js";
import { nextRsaPemPair } from "./helpers/rsaKeys.js";

const weakRsa = generateKeyPairSync("rsa", {
  modulusLength: 1024,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});
const ecKey = generateKeyPairSync("ec", {
  namedCurve: "P-256",
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});
const pkcs1Private = nextRsaPemPair("pkcs1");

function construction(options: Partial<AuthManagerOptions> & Record<string, unknown>) {
  try {
    new AuthManager(options as AuthManagerOptions);
  } catch (error) {
    return error as JwtConfigError;
  }
  throw new Error("expected construction to fail");
}

const hs = { issuer: "api", authType: "HS256", secret: HS256_SECRET } as const;
const rs = { issuer: "api", authType: "RS256", secret: RSA_PRIVATE_PEM } as const;

describe("AuthManager construction refuses bad configuration", () => {
  const rows: [string, Partial<AuthManagerOptions> & Record<string, unknown>, string, string?][] = [
    ["unknown authType", { ...hs, authType: "HS1024" as never }, "authType"],
    ["lowercase authType", { ...hs, authType: "hs256" as never }, "authType"],
    ["algorithm none", { ...hs, authType: "none" as never }, "authType"],
    ["empty issuer", { ...hs, issuer: "" }, "issuer"],
    ["blank issuer", { ...hs, issuer: "  " }, "issuer"],
    ["short HS256 secret", { ...hs, secret: "SECRETKEY" }, "secret", "SECRETKEY"],
    ["31-byte HS256 secret", { ...hs, secret: "s".repeat(31) }, "secret", "s".repeat(31)],
    ["HS512 secret shorter than 64 bytes", { ...hs, authType: "HS512", secret: HS256_SECRET }, "secret", HS256_SECRET],
    ["public key PEM as HMAC secret", { ...hs, secret: RSA_PUBLIC_PEM }, "secret", "MIIBIjAN"],
    ["private key PEM as HMAC secret", { ...hs, authType: "HS512", secret: RSA_PRIVATE_PEM }, "secret", "MIIEvg"],
    ["empty secret", { ...hs, secret: "" }, "secret"],
    ["publicKey with HS256", { ...hs, publicKey: RSA_PUBLIC_PEM }, "publicKey"],
    ["RSA key under 2048 bits", { ...rs, secret: weakRsa.privateKey }, "secret", weakRsa.privateKey.slice(40, 80)],
    ["EC key for RS256", { ...rs, secret: ecKey.privateKey }, "secret"],
    ["public key where the private key belongs", { ...rs, secret: RSA_PUBLIC_PEM }, "secret", "MIIBIjAN"],
    ["private key where the public key belongs", { ...rs, publicKey: RSA_PRIVATE_PEM }, "publicKey", "MIIEvg"],
    ["public key of another pair", { ...rs, publicKey: otherRsa.publicKey }, "publicKey"],
    ["garbage private key", { ...rs, secret: "not a key" }, "secret", "not a key"],
    ["HMAC secret for RS256", { ...rs, secret: HS512_SECRET }, "secret", HS512_SECRET],
    ["non-integer authMaxAge", { ...hs, authMaxAge: 1.5 }, "authMaxAge"],
    ["zero authMaxAge", { ...hs, authMaxAge: 0 }, "authMaxAge"],
    ["negative refreshMaxAge", { ...hs, refreshMaxAge: -1 }, "refreshMaxAge"],
    ["string max age", { ...hs, refreshMaxAge: "60" as never }, "refreshMaxAge"],
    ["boolean max age (Flask accepted True)", { ...hs, authMaxAge: true as never }, "authMaxAge"],
    ["NaN cacheSize", { ...hs, cacheSize: Number.NaN }, "cacheSize"],
    ["tiny maxTokenLength", { ...hs, maxTokenLength: 10 }, "maxTokenLength"],
    ["misspelt option", { ...hs, authmaxage: 60 }, "authmaxage"],
  ];
  it.each(rows)("%s", (_name, options, option, secretFragment) => {
    const error = construction(options);
    expect(error).toBeInstanceOf(JwtConfigError);
    expect(error).toBeInstanceOf(TypeError);
    expect(error.option).toBe(option);
    expect(error.message.startsWith(`${option}: `)).toBe(true);
    if (secretFragment) expect(error.message).not.toContain(secretFragment);
    expect(error.cause).toBeUndefined();
  });

  it("accepts each supported key form", () => {
    expect(new AuthManager(hs).authType).toBe("HS256");
    expect(new AuthManager({ ...hs, secret: new TextEncoder().encode(HS256_SECRET) }).authType).toBe("HS256");
    expect(new AuthManager({ ...hs, authType: "HS512", secret: HS512_SECRET }).authType).toBe("HS512");
    expect(new AuthManager(rs).authType).toBe("RS256");
    expect(new AuthManager({ ...rs, authType: "RS512", publicKey: RSA_PUBLIC_PEM }).authType).toBe("RS512");
    expect(new AuthManager({ ...rs, secret: pkcs1Private.privateKey, publicKey: pkcs1Private.publicKey }).authType).toBe("RS256");
  });

  it("accepts an OpenSSH public key, as Flask_PyJWT's own fixtures use", async () => {
    const { n, e } = createPublicKey(otherRsa.publicKey).export({ format: "jwk" }) as { n: string; e: string };
    const field = (b: Buffer) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(b.length);
      return Buffer.concat([length, b]);
    };
    const mpint = (b64: string) => {
      const raw = Buffer.from(b64, "base64url");
      return raw[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), raw]) : raw;
    };
    const blob = Buffer.concat([field(Buffer.from("ssh-rsa")), field(mpint(e)), field(mpint(n))]);
    const manager = new AuthManager({ ...rs, secret: otherRsa.privateKey, publicKey: `ssh-rsa ${blob.toString("base64")} test` });
    const token = await manager.authToken("alice");
    await expect(manager.verifyToken(token.signed)).resolves.toMatchObject({ sub: "alice" });
    expect(() => new AuthManager({ ...rs, publicKey: `ssh-rsa ${blob.toString("base64")} test` })).toThrow(/publicKey: is not the public half/);
  });

  it("fills in Flask_PyJWT's defaults", () => {
    const auth = new AuthManager(hs);
    expect([auth.authMaxAge, auth.refreshMaxAge]).toEqual([3600, 604800]);
    expect(Object.isFrozen(auth)).toBe(true);
  });
});

describe("AuthManager.fromEnv", () => {
  const env = { JWT_ISSUER: "api", JWT_AUTHTYPE: "HS256", JWT_SECRET: HS256_SECRET };

  it("reads Flask_PyJWT's variable names", async () => {
    const auth = AuthManager.fromEnv({ ...env, JWT_AUTHMAXAGE: "60", JWT_REFRESHMAXAGE: "120" });
    expect([auth.issuer, auth.authType, auth.authMaxAge, auth.refreshMaxAge]).toEqual(["api", "HS256", 60, 120]);
    const token = await auth.authToken("alice");
    expect(token.exp - token.iat).toBe(60);
  });

  it("reads RS keys, including PEM with escaped newlines", async () => {
    const auth = AuthManager.fromEnv({ ...env, JWT_AUTHTYPE: "RS512", JWT_SECRET: RSA_PRIVATE_PEM.replace(/\n/g, "\\n"), JWT_PUBLICKEY: RSA_PUBLIC_PEM });
    await expect(auth.verifyToken((await auth.refreshToken("a")).signed, "refresh")).resolves.toMatchObject({ sub: "a" });
  });

  const rows: [string, Record<string, string>, string][] = [
    ["missing issuer", { JWT_AUTHTYPE: "HS256", JWT_SECRET: HS256_SECRET }, "JWT_ISSUER"],
    ["missing secret", { JWT_ISSUER: "api", JWT_AUTHTYPE: "HS256" }, "JWT_SECRET"],
    ["bad auth type", { ...env, JWT_AUTHTYPE: "RS1024" }, "JWT_AUTHTYPE"],
    ["non-numeric max age", { ...env, JWT_AUTHMAXAGE: "abc" }, "JWT_AUTHMAXAGE"],
    ["fractional max age", { ...env, JWT_REFRESHMAXAGE: "1.5" }, "JWT_REFRESHMAXAGE"],
    ["zero max age", { ...env, JWT_AUTHMAXAGE: "0" }, "JWT_AUTHMAXAGE"],
    ["short secret", { ...env, JWT_SECRET: "SECRETKEY" }, "JWT_SECRET"],
    ["private key as public key", { ...env, JWT_AUTHTYPE: "RS256", JWT_SECRET: RSA_PRIVATE_PEM, JWT_PUBLICKEY: RSA_PRIVATE_PEM }, "JWT_PUBLICKEY"],
  ];
  it.each(rows)("names the variable: %s", (_name, vars, variable) => {
    expect(() => AuthManager.fromEnv(vars)).toThrow(expect.objectContaining({ option: variable }));
    try {
      AuthManager.fromEnv(vars);
    } catch (error) {
      expect((error as Error).message).not.toContain("SECRETKEY");
      expect((error as Error).message).not.toContain("MIIEvg");
    }
  });
});

// Issue 9: every algorithm's key checks; issue 17.4: anything that parses as a key is no HMAC secret.
describe("key checks for every algorithm", () => {
  const ec256 = PAIRS["P-256"];
  const ed = PAIRS.Ed25519;
  const sec1 = generateKeyPairSync("ec", {
    namedCurve: "P-384",
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "sec1", format: "pem" },
  });
  const es = (authType: "ES256" | "ES384" | "ES512", secret: unknown, extra: Record<string, unknown> = {}) =>
    ({ issuer: "api", authType, secret, ...extra }) as never;
  const body = (pem: string) => pem.split("\n")[1]!.slice(0, 24);
  const rows: [string, Partial<AuthManagerOptions> & Record<string, unknown>, string, string?][] = [
    ["P-256 key for ES384", es("ES384", ec256.privateKey), "secret", body(ec256.privateKey)],
    ["P-384 key for ES256", es("ES256", sec1.privateKey), "secret", body(sec1.privateKey)],
    ["P-256 key for ES512", es("ES512", ec256.privateKey), "secret"],
    ["Ed25519 key for ES256", es("ES256", ed.privateKey), "secret"],
    ["EC key for EdDSA", { issuer: "api", authType: "EdDSA", secret: ec256.privateKey }, "secret"],
    ["RSA key for EdDSA", { issuer: "api", authType: "EdDSA", secret: RSA_PRIVATE_PEM }, "secret"],
    ["RSA key under 2048 bits for PS256", { issuer: "api", authType: "PS256", secret: weakRsa.privateKey }, "secret", body(weakRsa.privateKey)],
    ["EC key for PS384", { issuer: "api", authType: "PS384", secret: ec256.privateKey }, "secret"],
    ["HS384 secret under 48 bytes", { issuer: "api", authType: "HS384", secret: "x".repeat(47) }, "secret", "x".repeat(47)],
    ["EC public key where the private key belongs", es("ES256", ec256.publicKey), "secret", body(ec256.publicKey)],
    [
      "Ed25519 public JWK where the private key belongs",
      { issuer: "api", authType: "EdDSA", secret: createPublicKey(ed.publicKey).export({ format: "jwk" }) },
      "secret",
    ],
    ["EC private key where the public key belongs", es("ES256", ec256.privateKey, { publicKey: ec256.privateKey }), "publicKey", body(ec256.privateKey)],
    [
      "private JWK where the public key belongs",
      es("ES256", ec256.privateKey, { publicKey: createPrivateKey(ec256.privateKey).export({ format: "jwk" }) }),
      "publicKey",
    ],
    ["private KeyObject where the public key belongs", es("ES256", ec256.privateKey, { publicKey: createPrivateKey(ec256.privateKey) }), "publicKey"],
    ["public KeyObject where the private key belongs", es("ES256", createPublicKey(ec256.publicKey)), "secret"],
    ["mismatched EC pair", es("ES256", ec256.privateKey, { publicKey: generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey }), "publicKey"],
    ["mismatched Ed25519 pair", { issuer: "api", authType: "EdDSA", secret: ed.privateKey, publicKey: generateKeyPairSync("ed25519").publicKey }, "publicKey"],
    ["a JWK Set as the private key", es("ES256", { keys: [createPrivateKey(ec256.privateKey).export({ format: "jwk" })] }), "secret"],
    ["an HMAC secret for ES256", es("ES256", HS512_SECRET), "secret", HS512_SECRET],
    ["a number as the key", es("ES256", 42), "secret"],
  ];
  it.each(rows)("%s", (_name, options, option, secretFragment) => {
    const error = construction(options);
    expect(error).toBeInstanceOf(JwtConfigError);
    expect(error.option).toBe(option);
    expect(error.message.startsWith(`${option}: `)).toBe(true);
    if (secretFragment) expect(error.message).not.toContain(secretFragment);
  });

  it("a private JWK that does not read (an RSA JWK without p) is refused as a broken private key, not as a public one", () => {
    const { p: _p, ...jwk } = createPrivateKey(RSA_PRIVATE_PEM).export({ format: "jwk" });
    const error = construction({ issuer: "api", authType: "RS256", secret: jwk });
    expect(error).toBeInstanceOf(JwtConfigError);
    expect(error.message).toMatch(/^secret: must be a private key as /);
  });
});

describe("HMAC secrets that parse as a key are refused (issue 9, issue 17.4)", () => {
  const rsaPublic = createPublicKey(RSA_PUBLIC_PEM);
  const spkiDer = rsaPublic.export({ type: "spki", format: "der" });
  const pkcs1Der = rsaPublic.export({ type: "pkcs1", format: "der" });
  const ecPrivate = createPrivateKey(PAIRS["P-256"].privateKey);
  const jwk = rsaPublic.export({ format: "jwk" });
  const sshBlob = (type: string, ...fields: Buffer[]) =>
    Buffer.concat([type, ...fields].map((f) => (typeof f === "string" ? Buffer.from(f) : f)).flatMap((f) => [Buffer.from([0, 0, 0, f.length]), f])).toString(
      "base64",
    );
  const ed25519Raw = createPublicKey(PAIRS.Ed25519.publicKey).export({ format: "jwk" }).x!;
  const edBlob = sshBlob("ssh-ed25519", Buffer.from(ed25519Raw, "base64url"));
  const skBlob = sshBlob("sk-ssh-ed25519@openssh.com", Buffer.from(ed25519Raw, "base64url"), Buffer.from("ssh:"));
  const ecdsaBlob = sshBlob("ecdsa-sha2-nistp256", Buffer.from("nistp256"), Buffer.alloc(65, 4));
  const forms: [string, string | Uint8Array][] = [
    ["SPKI PEM", RSA_PUBLIC_PEM],
    ["PKCS#8 PEM", RSA_PRIVATE_PEM],
    ["PKCS#1 PEM", rsaPublic.export({ type: "pkcs1", format: "pem" }).toString()],
    ["SEC1 PEM", ecPrivate.export({ type: "sec1", format: "pem" }).toString()],
    ["PEM with escaped newlines", RSA_PUBLIC_PEM.replace(/\n/g, "\\n")],
    ["quoted PEM", JSON.stringify(RSA_PUBLIC_PEM)],
    ["PEM after openssl text lines", `Public-Key: (2048 bit)\nModulus:\n    00:c3:1f\nExponent: 65537 (0x10001)\n${RSA_PUBLIC_PEM}`],
    ["PEM as bytes", new TextEncoder().encode(RSA_PUBLIC_PEM)],
    ["raw SPKI DER bytes", new Uint8Array(spkiDer)],
    ["raw PKCS#1 DER bytes", new Uint8Array(pkcs1Der)],
    ["raw PKCS#8 DER bytes", new Uint8Array(ecPrivate.export({ type: "pkcs8", format: "der" }))],
    ["raw SEC1 DER bytes", new Uint8Array(ecPrivate.export({ type: "sec1", format: "der" }))],
    ["base64 SPKI DER", spkiDer.toString("base64")],
    ["base64 PKCS#1 DER", pkcs1Der.toString("base64")],
    ["base64url SPKI DER", spkiDer.toString("base64url")],
    ["hex SPKI DER", spkiDer.toString("hex")],
    ["OpenSSH ssh-rsa line", `ssh-rsa ${sshBlob("ssh-rsa", Buffer.from([1, 0, 1]), Buffer.alloc(257, 7))} me@host`],
    ["OpenSSH ssh-ed25519 line", `ssh-ed25519 ${edBlob} me@host`],
    ["OpenSSH sk-ssh-ed25519@openssh.com line", `sk-ssh-ed25519@openssh.com ${skBlob} me@host`],
    ["OpenSSH ecdsa-sha2-nistp256 line", `ecdsa-sha2-nistp256 ${ecdsaBlob}`],
    ["a bare OpenSSH key blob", edBlob],
    ["OpenSSH private key", `-----BEGIN OPENSSH PRIVATE KEY-----\n${edBlob}\n-----END OPENSSH PRIVATE KEY-----\n`],
    ["JWK JSON text", JSON.stringify(jwk)],
    ["JWK Set JSON text", JSON.stringify({ keys: [jwk] })],
    ["quoted JWK JSON text", `'${JSON.stringify(jwk)}'`],
  ];
  it.each(forms)("%s", (_name, secret) => {
    for (const authType of ["HS256", "HS384", "HS512"] as const) {
      const error = construction({ issuer: "api", authType, secret });
      expect(error).toBeInstanceOf(JwtConfigError);
      expect(error.option).toBe("secret");
      expect(error.message).toMatch(/parses as a key/);
      for (const fragment of [jwk.n!.slice(0, 16), spkiDer.toString("base64").slice(30, 50), edBlob.slice(20, 40)])
        expect(error.message).not.toContain(fragment);
    }
  });
  it.each([
    ["JWK object", jwk],
    ["JWK Set object", { keys: [jwk] }],
    ["KeyObject", rsaPublic],
  ])("%s", (_name, secret) => {
    const error = construction({ issuer: "api", authType: "HS256", secret: secret as never });
    expect(error.option).toBe("secret");
    expect(error.message).not.toContain(jwk.n!.slice(0, 16));
  });
  it("still accepts random secrets, as text, base64 text and bytes", () => {
    for (let i = 0; i < 200; i++) {
      const bytes = randomBytes(64);
      for (const secret of [bytes, bytes.toString("base64"), bytes.toString("base64url"), bytes.toString("hex")]) {
        expect(new AuthManager({ issuer: "api", authType: "HS512", secret }).authType).toBe("HS512");
      }
    }
  });
});

describe("issue 16: a missing secret says so, an unknown option suggests the real one", () => {
  it.each([undefined, "", new Uint8Array(0), null])("secret %s is missing", (secret) => {
    for (const authType of ["HS256", "ES256"] as const) {
      expect(() => new AuthManager({ issuer: "api", authType, secret: secret as never })).toThrow("secret: is missing");
    }
  });
  it("an unset or empty JWT_SECRET is missing", () => {
    expect(() => AuthManager.fromEnv({ JWT_ISSUER: "api", JWT_AUTHTYPE: "HS256" })).toThrow("JWT_SECRET: is missing");
    expect(() => AuthManager.fromEnv({ JWT_ISSUER: "api", JWT_AUTHTYPE: "HS256", JWT_SECRET: "" })).toThrow("JWT_SECRET: is missing");
    // A service that cannot start without a variable hears about that one first, and that it is missing.
    expect(() => AuthManager.fromEnv({ JWT_ISSUER: "api", JWT_AUTHTYPE: "HS256", JWT_AUTHMAXAGE: "1h" })).toThrow("JWT_SECRET: is missing");
    expect(() => AuthManager.fromEnv({ JWT_AUTHTYPE: "HS256", JWT_SECRET: "x".repeat(32) })).toThrow("JWT_ISSUER: is missing");
  });
  it.each([
    ["expiresIn", "authMaxAge"],
    ["expires_in", "authMaxAge"],
    ["algorithm", "authType"],
    ["privateKey", "secret"],
    ["leeway", "clockTolerance"],
    ["authMaxAeg", "authMaxAge"],
    ["authmaxage", "authMaxAge"],
    ["refreshMaxage", "refreshMaxAge"],
    ["isuer", "issuer"],
    ["audiance", "audience"],
    ["previousKey", "previousKeys"],
  ])("%s suggests %s", (name, suggestion) => {
    const error = construction({ ...hs, [name]: 60 });
    expect(error.option).toBe(name);
    expect(error.message).toBe(`${name}: is not an AuthManager option; did you mean "${suggestion}"?`);
  });
  it("suggests nothing for a name far from every option", () => {
    expect(construction({ ...hs, frobnicate: 1 }).message).toBe("frobnicate: is not an AuthManager option");
  });
});

describe("issue 17.13: sizes and ages are capped, naming the option", () => {
  const TEN_YEARS = 10 * 365 * 24 * 3600;
  it.each([
    ["cacheSize", { cacheSize: 100_000_000 }],
    ["cacheSize", { cacheSize: 1_000_001 }],
    ["authMaxAge", { authMaxAge: 9007199254740991 }],
    ["authMaxAge", { authMaxAge: TEN_YEARS + 1 }],
    ["refreshMaxAge", { refreshMaxAge: TEN_YEARS + 1 }],
    ["clockTolerance", { clockTolerance: 301 }],
    ["clockTolerance", { clockTolerance: -1 }],
    ["clockTolerance", { clockTolerance: 1.5 }],
  ])("%s %o", (option, extra) => {
    expect(construction({ ...hs, ...extra }).option).toBe(option);
  });
  it.each([
    ["JWT_CACHESIZE", "100000000"],
    ["JWT_CACHESIZE", "99999999999999999999999999"],
    ["JWT_AUTHMAXAGE", "9007199254740991"],
    ["JWT_REFRESHMAXAGE", "1".repeat(400)],
    ["JWT_CLOCKTOLERANCE", "301"],
  ])("%s=%s is a JwtConfigError naming the variable, never a RangeError", (variable, value) => {
    let error: unknown;
    try {
      AuthManager.fromEnv({ JWT_ISSUER: "api", JWT_AUTHTYPE: "HS256", JWT_SECRET: HS256_SECRET, [variable]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(JwtConfigError);
    expect((error as JwtConfigError).option).toBe(variable);
  });
  it("the longest ages allowed still give tokens the manager accepts", async () => {
    const auth = new AuthManager({ ...hs, authMaxAge: TEN_YEARS, refreshMaxAge: TEN_YEARS, cacheSize: 1_000_000 });
    for (const token of [await auth.authToken("alice"), await auth.refreshToken("alice")]) {
      await expect(auth.verifyToken(token.signed)).resolves.toMatchObject({ sub: "alice" });
    }
  });
});

describe("previous keys are checked like the current one (issue 9)", () => {
  const es = { issuer: "api", authType: "ES256", secret: PAIRS["P-256"].privateKey } as const;
  const rows: [string, Record<string, unknown>, string][] = [
    ["a previous key on another curve", { ...es, previousKeys: [{ publicKey: PAIRS["P-384"].publicKey }] }, "previousKeys[0].publicKey"],
    ["a private key as previous key", { ...es, previousKeys: [{ publicKey: PAIRS["P-256"].privateKey }] }, "previousKeys[0].publicKey"],
    ["a previous key without its key", { ...es, previousKeys: [{ keyId: "old" }] }, "previousKeys[0].publicKey"],
    ["a secret as an asymmetric previous key", { ...es, previousKeys: [{ keyId: "old", secret: HS256_SECRET }] }, "previousKeys[0].secret"],
    ["an unknown member", { ...es, previousKeys: [{ publicKey: PAIRS["P-256"].publicKey, kid: "x" }] }, "previousKeys[0].kid"],
    ["an empty keyId", { ...es, previousKeys: [{ keyId: " ", publicKey: PAIRS["P-256"].publicKey }] }, "previousKeys[0].keyId"],
    ["the current key again (same thumbprint)", { ...es, previousKeys: [{ publicKey: PAIRS["P-256"].publicKey }] }, "previousKeys[0].keyId"],
    [
      "two keys with one id",
      { ...es, keyId: "k", previousKeys: [{ keyId: "k", publicKey: generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey }] },
      "previousKeys[0].keyId",
    ],
    ["previousKeys not an array", { ...es, previousKeys: { publicKey: PAIRS["P-256"].publicKey } }, "previousKeys"],
    ["an HMAC previous key without keyId", { ...hs, previousKeys: [{ secret: "an-old-hs256-secret-of-32-bytes!" }] }, "previousKeys[0].keyId"],
    ["a public key as HMAC previous key", { ...hs, previousKeys: [{ keyId: "old", publicKey: RSA_PUBLIC_PEM }] }, "previousKeys[0].publicKey"],
    ["a short HMAC previous secret", { ...hs, previousKeys: [{ keyId: "old", secret: "short" }] }, "previousKeys[0].secret"],
    ["a PEM as HMAC previous secret", { ...hs, previousKeys: [{ keyId: "old", secret: RSA_PUBLIC_PEM }] }, "previousKeys[0].secret"],
    ["an empty keyId", { ...hs, keyId: "" }, "keyId"],
    ["an empty audience", { ...hs, audience: "" }, "audience"],
  ];
  it.each(rows)("%s", (_name, options, option) => {
    const error = construction(options);
    expect(error).toBeInstanceOf(JwtConfigError);
    expect(error.option).toBe(option);
    expect(error.message).not.toContain("MIIBIjAN");
    expect(error.message).not.toContain(PAIRS["P-256"].publicKey.split("\n")[1]!.slice(0, 20));
  });
});
