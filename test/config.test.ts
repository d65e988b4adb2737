// Bad configuration fails at construction, naming the option, never echoing the secret.
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AuthManager, JwtConfigError, type AuthManagerOptions } from "trpc-jwt";
import { HS256_SECRET, HS512_SECRET, otherRsa, RSA_PRIVATE_PEM, RSA_PUBLIC_PEM } from "./helpers/keys.js";

const weakRsa = generateKeyPairSync("rsa", {
  modulusLength: 1024,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
});
const ecKey = generateKeyPairSync("ec", { namedCurve: "P-256", publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
const pkcs1Private = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "pkcs1", format: "pem" }, privateKeyEncoding: { type: "pkcs1", format: "pem" } });

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
    ["unknown authType", { ...hs, authType: "HS384" as never }, "authType"],
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
    ["bad auth type", { ...env, JWT_AUTHTYPE: "RS384" }, "JWT_AUTHTYPE"],
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
