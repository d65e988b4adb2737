// Issue 9: the key options and auth.jwks() as users type them.
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { expectTypeOf, it } from "vitest";
import { AuthManager, type AuthManagerOptions, type AuthType, type JwkSet } from "trpc-jwt";
import type { PublicJwk } from "trpc-jwt/types";

it("authType names the 13 algorithms and nothing else", () => {
  expectTypeOf<AuthType>().toEqualTypeOf<
    "HS256" | "HS384" | "HS512" | "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" | "ES256" | "ES384" | "ES512" | "EdDSA"
  >();
  // @ts-expect-error: "none" is never an algorithm
  const none: AuthManagerOptions = { issuer: "api", authType: "none", secret: "x" };
  void none;
});

it("keys are PEM, bytes, JWK objects, KeyObjects or CryptoKeys; previous keys likewise", () => {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  expectTypeOf(privateKey).toEqualTypeOf<KeyObject>();
  const options: AuthManagerOptions = {
    issuer: "api",
    authType: "EdDSA",
    secret: privateKey.export({ format: "jwk" }),
    publicKey,
    keyId: "2026-11",
    previousKeys: [{ keyId: "2026-10", publicKey: "-----BEGIN PUBLIC KEY-----..." }],
    audience: "https://api.example.com",
    clockTolerance: 30,
  };
  expectTypeOf<CryptoKey>().toMatchTypeOf<AuthManagerOptions["secret"]>();
  // @ts-expect-error: a number is no key
  const bad: AuthManagerOptions = { ...options, secret: 42 };
  void bad;
});

it("jwks() is a typed JWK Set; keyId and audience are readable", () => {
  expectTypeOf<AuthManager["jwks"]>().returns.toEqualTypeOf<JwkSet>();
  expectTypeOf<JwkSet["keys"][number]>().toEqualTypeOf<PublicJwk>();
  expectTypeOf<PublicJwk["use"]>().toEqualTypeOf<"sig">();
  expectTypeOf<PublicJwk["alg"]>().toEqualTypeOf<AuthType>();
  expectTypeOf<AuthManager["keyId"]>().toEqualTypeOf<string | undefined>();
  expectTypeOf<AuthManager["audience"]>().toEqualTypeOf<string | undefined>();
});
