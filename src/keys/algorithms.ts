import type { AuthType } from "../config/options.js";

/** What one JOSE algorithm needs from a key: its family, curve, size and WebCrypto parameters. */
export interface AlgorithmParams {
  /** `secret` for HMAC; otherwise node's `asymmetricKeyType` the key must have. */
  readonly keyType: "secret" | "rsa" | "ec" | "ed25519";
  /** EC: node's name of the curve (`asymmetricKeyDetails.namedCurve`); its JOSE name in `crv`. */
  readonly curve?: { readonly node: string; readonly crv: string };
  /** HMAC: the shortest secret, the hash's output size (RFC 7518 section 3.2). */
  readonly minSecretBytes?: number;
  /** node:crypto's name of the hash it signs with; none for EdDSA, whose hash is part of Ed25519. */
  readonly hash?: "sha256" | "sha384" | "sha512";
  /** RSA: PKCS#1 v1.5 (RS*) or PSS with a salt as long as the hash (PS*, RFC 7518 section 3.5). */
  readonly padding?: "pkcs1" | "pss";
  /** How WebCrypto (and so jose) imports the key for this algorithm. */
  readonly webCrypto: AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams | HmacImportParams;
}

const hmac = (bits: 256 | 384 | 512): AlgorithmParams => ({
  keyType: "secret",
  minSecretBytes: bits / 8,
  hash: `sha${bits}`,
  webCrypto: { name: "HMAC", hash: `SHA-${bits}` },
});
const rsa = (name: "RSASSA-PKCS1-v1_5" | "RSA-PSS", bits: 256 | 384 | 512): AlgorithmParams => ({
  keyType: "rsa",
  hash: `sha${bits}`,
  padding: name === "RSA-PSS" ? "pss" : "pkcs1",
  webCrypto: { name, hash: `SHA-${bits}` },
});
const ec = (node: string, crv: "P-256" | "P-384" | "P-521", bits: 256 | 384 | 512): AlgorithmParams => ({
  keyType: "ec",
  curve: { node, crv },
  hash: `sha${bits}`,
  webCrypto: { name: "ECDSA", namedCurve: crv },
});

/**
 * The one table of algorithms: adding an `AuthType` without its row fails to compile.
 *
 * @example
 * ```ts
 * ALGORITHM_PARAMS.ES256.curve?.crv; // "P-256"
 * ```
 */
export const ALGORITHM_PARAMS: Readonly<Record<AuthType, AlgorithmParams>> = {
  HS256: hmac(256),
  HS384: hmac(384),
  HS512: hmac(512),
  RS256: rsa("RSASSA-PKCS1-v1_5", 256),
  RS384: rsa("RSASSA-PKCS1-v1_5", 384),
  RS512: rsa("RSASSA-PKCS1-v1_5", 512),
  PS256: rsa("RSA-PSS", 256),
  PS384: rsa("RSA-PSS", 384),
  PS512: rsa("RSA-PSS", 512),
  ES256: ec("prime256v1", "P-256", 256),
  ES384: ec("secp384r1", "P-384", 384),
  ES512: ec("secp521r1", "P-521", 512),
  EdDSA: { keyType: "ed25519", webCrypto: { name: "Ed25519" } },
};
