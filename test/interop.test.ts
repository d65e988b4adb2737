// Issue 9: interop under every algorithm. Our tokens verify in jose's jwtVerify and in fast-jwt;
// tokens that jsonwebtoken and fast-jwt issue with the same key, issuer and claims verify here.
import { createPrivateKey, createPublicKey, createSecretKey } from "node:crypto";
import { createSigner, createVerifier } from "fast-jwt";
import { jwtVerify } from "jose";
import jsonwebtoken from "jsonwebtoken";
import { describe, expect, it } from "vitest";
import { AuthManager, type AuthType } from "trpc-jwt";
import { ALGORITHMS, optionsFor, pairFor, secretFor } from "./helpers/keys.js";

const ISSUER = "Flask_PyJWT";
const isHmac = (alg: AuthType) => alg.startsWith("HS");
/** What another library verifies with: the shared secret, or the public key PEM. */
const verifyMaterial = (alg: AuthType) => (isHmac(alg) ? secretFor(alg) : pairFor(alg).publicKey);
const scope = { admin: true };
const claims = { custom_claim: "x", orgs: ["a", "b"] };

describe.each(ALGORITHMS)("interop under %s", (alg) => {
  const auth = new AuthManager(optionsFor(alg));

  it("our auth and refresh tokens verify in jose's jwtVerify and in fast-jwt", async () => {
    const joseKey = isHmac(alg) ? createSecretKey(Buffer.from(secretFor(alg))) : createPublicKey(pairFor(alg).publicKey);
    const fast = createVerifier({ key: verifyMaterial(alg), algorithms: [alg], allowedIss: ISSUER });
    for (const token of [await auth.authToken("alice", scope, claims), await auth.refreshToken("alice")]) {
      const { payload, protectedHeader } = await jwtVerify(token.signed, joseKey, { issuer: ISSUER, algorithms: [alg], typ: "JWT" });
      expect(payload).toEqual(token.claims);
      expect(protectedHeader.kid).toBe(auth.keyId);
      expect(fast(token.signed)).toEqual(token.claims);
    }
  });

  // jsonwebtoken has no EdDSA (checked at the end): fast-jwt issues those, below.
  if (alg !== "EdDSA")
    it("tokens jsonwebtoken issues with the same key, issuer and claims verify here", async () => {
      const key = isHmac(alg) ? secretFor(alg) : createPrivateKey(pairFor(alg).privateKey);
      const signed = jsonwebtoken.sign({ sub: "bob", type: "auth", scope, ...claims }, key, {
        algorithm: alg as jsonwebtoken.Algorithm,
        issuer: ISSUER,
        expiresIn: 60,
      });
      const token = await auth.verifyToken(signed, "auth");
      expect(token).toMatchObject({ sub: "bob", scope, iss: ISSUER, tokenType: "auth" });
      expect(token.claims).toMatchObject(claims);
    });

  it("tokens fast-jwt issues with the same key, issuer and claims verify here (with and without kid)", async () => {
    const key = isHmac(alg) ? secretFor(alg) : pairFor(alg).privateKey;
    for (const kid of [undefined, auth.keyId]) {
      const sign = createSigner({ key, algorithm: alg, iss: ISSUER, expiresIn: 60_000, ...(kid === undefined ? {} : { kid }) });
      const token = await auth.verifyToken(sign({ sub: "carol", type: "refresh" }), "refresh");
      expect(token).toMatchObject({ sub: "carol", tokenType: "refresh", iss: ISSUER });
    }
  });
});

describe("jsonwebtoken has no EdDSA", () => {
  it("so EdDSA interop with other issuers is covered by fast-jwt above", () => {
    expect(() => jsonwebtoken.sign({ sub: "x" }, createPrivateKey(pairFor("EdDSA").privateKey), { algorithm: "EdDSA" as never })).toThrow();
  });
});
