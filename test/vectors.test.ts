// Interop with the real Flask_PyJWT 1.0.0: its tokens verify here, and ours carry what it requires.
import { createHmac, createPublicKey, verify as rsaVerify } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AuthManager, JwtError, type AuthType } from "trpc-jwt";
import { flaskVectors } from "./helpers/keys.js";

function managerFor(alg: AuthType, issuer = flaskVectors.issuer) {
  const secret = alg.startsWith("HS") ? flaskVectors.hmacSecret : flaskVectors.rsaPrivateKeyPem;
  return new AuthManager({ issuer, authType: alg, secret, ...(alg.startsWith("RS") ? { publicKey: flaskVectors.rsaPublicKeyPem } : {}) });
}

/**
 * Flask_PyJWT 1.0.0's acceptance rule, re-implemented independently of jose with node:crypto:
 * convert_token (header has alg and typ; iss, iat, exp, sub, type present and non-null; type is
 * auth/refresh) then PyJWT.decode (signature under the configured algorithm, iss equal, exp > now,
 * iat <= now, no aud).
 */
function flaskWouldAccept(signed: string, alg: AuthType, issuer: string): boolean {
  const [h, p, s] = signed.split(".") as [string, string, string];
  const header = decodeSegment(h);
  const claims = decodeSegment(p);
  if (!("alg" in header) || !("typ" in header) || header["alg"] !== alg) return false;
  if (["exp", "iss", "sub", "iat", "type"].some((c) => claims[c] === undefined || claims[c] === null)) return false;
  if (!["auth", "refresh"].includes(String(claims["type"]).toLowerCase())) return false;
  const data = `${h}.${p}`;
  const hash = alg.endsWith("256") ? "sha256" : "sha512";
  const signatureOk = alg.startsWith("HS")
    ? createHmac(hash, flaskVectors.hmacSecret).update(data).digest("base64url") === s
    : rsaVerify(hash, Buffer.from(data), createPublicKey(flaskVectors.rsaPublicKeyPem), Buffer.from(s, "base64url"));
  const now = Math.floor(Date.now() / 1000);
  return signatureOk && claims["iss"] === issuer && (claims["exp"] as number) > now && (claims["iat"] as number) <= now && !claims["aud"];
}

function decodeSegment(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
}

const sharedVectors = fileURLToPath(new URL("../../shared/vectors/flask_pyjwt.json", import.meta.url));

describe("Flask_PyJWT vectors", () => {
  it("the fixture is the project's shared vector file, unchanged (when it is beside the repository)", () => {
    expect(flaskVectors.vectors.length).toBeGreaterThanOrEqual(24);
    if (existsSync(sharedVectors)) expect(flaskVectors).toEqual(JSON.parse(readFileSync(sharedVectors, "utf8")));
  });

  for (const vector of flaskVectors.vectors.filter((v) => v.expect === "valid")) {
    it(`verifies a valid ${vector.alg} ${vector.kind} token for ${vector.sub}`, async () => {
      const token = await managerFor(vector.alg).verifyToken(vector.token, vector.kind);
      expect(token.sub).toBe(vector.sub);
      expect(token.tokenType).toBe(vector.kind);
      expect(token.scope).toEqual(vector.scope ?? undefined);
      expect(token.claims).toEqual(vector.claims);
      expect(token.jti).toBeUndefined();
      expect(token.signed).toBe(vector.token);
    });
  }

  it("the independent Flask_PyJWT check agrees with the vectors' expectations", () => {
    for (const vector of flaskVectors.vectors) {
      expect(flaskWouldAccept(vector.token, vector.alg, flaskVectors.issuer)).toBe(vector.expect === "valid");
    }
  });

  for (const vector of flaskVectors.vectors.filter((v) => v.expect !== "valid")) {
    it(`rejects an ${vector.expect} ${vector.alg} token`, async () => {
      const error = await managerFor(vector.alg)
        .verifyToken(vector.token)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JwtError);
      expect((error as JwtError).code).toBe(vector.expect === "expired" ? "TOKEN_EXPIRED" : "TOKEN_INVALID");
    });
  }

  it("rejects every vector under another algorithm's manager", async () => {
    for (const vector of flaskVectors.vectors) {
      for (const alg of ["HS256", "HS512", "RS256", "RS512"] as const) {
        if (alg === vector.alg) continue;
        await expect(managerFor(alg).verifyToken(vector.token)).rejects.toMatchObject({ code: "TOKEN_INVALID" });
      }
    }
  });

  it("rejects a refresh vector where an auth token is required, with the wrong-type code", async () => {
    const refresh = flaskVectors.vectors.find((v) => v.kind === "refresh" && v.expect === "valid")!;
    await expect(managerFor(refresh.alg).verifyToken(refresh.token, "auth")).rejects.toMatchObject({ code: "TOKEN_WRONG_TYPE" });
  });

  describe.each(["HS256", "HS512", "RS256", "RS512"] as const)("tokens we issue under %s", (alg) => {
    it("carry the typ header and every claim Flask_PyJWT requires, and no aud", async () => {
      const auth = managerFor(alg);
      for (const token of [await auth.authToken("alice", { admin: true }, { custom_claim: "x" }), await auth.refreshToken("alice")]) {
        const [header, payload] = token.signed.split(".") as [string, string];
        // Asymmetric tokens name their key (the thumbprint); PyJWT ignores kid.
        expect(decodeSegment(header)).toEqual(alg.startsWith("RS") ? { alg, typ: "JWT", kid: auth.keyId } : { alg, typ: "JWT" });
        const claims = decodeSegment(payload);
        for (const name of ["iss", "iat", "exp", "sub", "type"]) expect(claims[name]).not.toBeNull();
        expect(claims).toMatchObject({ iss: flaskVectors.issuer, sub: "alice", type: token.tokenType });
        expect(Number.isInteger(claims["iat"]) && Number.isInteger(claims["exp"])).toBe(true);
        expect(claims).not.toHaveProperty("aud");
        expect(flaskWouldAccept(token.signed, alg, flaskVectors.issuer)).toBe(true);
        await expect(auth.verifyToken(token.signed, token.tokenType)).resolves.toMatchObject({ sub: "alice" });
      }
    });
  });
});
