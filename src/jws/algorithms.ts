/** The signing algorithms trpc-jwt supports: every JOSE signature algorithm but `none` (RFC 7518, RFC 8037). */
export type AuthType = "HS256" | "HS384" | "HS512" | "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" | "ES256" | "ES384" | "ES512" | "EdDSA";

/** The HMAC algorithms: their key is a shared secret. */
export type HmacAlgorithm = Extract<AuthType, `HS${string}`>;

/** The algorithms whose key is a key pair: all but HMAC (what an identity provider may sign with). */
export type AsymmetricAlgorithm = Exclude<AuthType, HmacAlgorithm>;

/** What one JOSE algorithm needs from a key: its family, curve, size and WebCrypto parameters. */
export interface AlgorithmParams {
  /** `secret` for HMAC; otherwise node's `asymmetricKeyType` the key must have. */
  readonly keyType: "secret" | "rsa" | "ec" | "ed25519";
  /** EC: node's name of the curve (`asymmetricKeyDetails.namedCurve`); its JOSE name in `crv`. */
  readonly curve?: { readonly node: string; readonly crv: string };
  /** HMAC: the shortest secret, the hash's output size (RFC 7518 section 3.2). */
  readonly minSecretBytes?: number;
  /** RSA: the smallest modulus accepted, in bits (RFC 7518 sections 3.3 and 3.5). */
  readonly minRsaBits?: number;
  /**
   * The exact signature length in bytes (RFC 7518 3.2 and 3.4, RFC 8037 3.1): HMAC output,
   * ECDSA's fixed-width R || S (never DER), Ed25519's R || S. None for RSA, whose signature is
   * as long as the key's modulus (RFC 8017 8.1.2 and 8.2.2 step 1).
   */
  readonly signatureBytes?: number;
  /** node:crypto's name of the hash it signs with; none for EdDSA, whose hash is part of Ed25519. */
  readonly hash?: "sha256" | "sha384" | "sha512";
  /** RSA: PKCS#1 v1.5 (RS*) or PSS with a salt as long as the hash (PS*, RFC 7518 section 3.5). */
  readonly padding?: "pkcs1" | "pss";
  /**
   * How WebCrypto (and so jose) imports the key for this algorithm (written without the DOM's
   * type names: the public declarations reach this file, and compile without the DOM library).
   */
  readonly webCrypto: { readonly name: string; readonly hash?: string; readonly namedCurve?: string };
}

type Bits = 256 | 384 | 512;

const hmac = (bits: Bits) =>
  ({ keyType: "secret", minSecretBytes: bits / 8, signatureBytes: bits / 8, hash: `sha${bits}`, webCrypto: { name: "HMAC", hash: `SHA-${bits}` } }) as const;
const rsa = (name: "RSASSA-PKCS1-v1_5" | "RSA-PSS", bits: Bits) =>
  ({ keyType: "rsa", minRsaBits: 2048, hash: `sha${bits}`, padding: name === "RSA-PSS" ? "pss" : "pkcs1", webCrypto: { name, hash: `SHA-${bits}` } }) as const;
const ec = (node: string, crv: "P-256" | "P-384" | "P-521", bits: Bits, signatureBytes: number) =>
  ({ keyType: "ec", curve: { node, crv }, signatureBytes, hash: `sha${bits}`, webCrypto: { name: "ECDSA", namedCurve: crv } }) as const;

/**
 * The one table of algorithms: everything the key import, the signature checks and the option
 * checks know about an algorithm is read from its row. Adding an `AuthType` without its row fails
 * to compile, and so does a row whose key type disagrees with `HmacAlgorithm`.
 *
 * @example
 * ```ts
 * ALGORITHM_PARAMS.ES256.curve?.crv; // "P-256"
 * ```
 */
export const ALGORITHM_PARAMS: {
  readonly [A in AuthType]: AlgorithmParams & { readonly keyType: A extends HmacAlgorithm ? "secret" : "rsa" | "ec" | "ed25519" };
} = {
  HS256: hmac(256),
  HS384: hmac(384),
  HS512: hmac(512),
  RS256: rsa("RSASSA-PKCS1-v1_5", 256),
  RS384: rsa("RSASSA-PKCS1-v1_5", 384),
  RS512: rsa("RSASSA-PKCS1-v1_5", 512),
  PS256: rsa("RSA-PSS", 256),
  PS384: rsa("RSA-PSS", 384),
  PS512: rsa("RSA-PSS", 512),
  ES256: ec("prime256v1", "P-256", 256, 64),
  ES384: ec("secp384r1", "P-384", 384, 96),
  ES512: ec("secp521r1", "P-521", 512, 132),
  EdDSA: { keyType: "ed25519", signatureBytes: 64, webCrypto: { name: "Ed25519" } },
};

/**
 * Every supported `authType`, in a stable order.
 *
 * @example
 * ```ts
 * if (!AUTH_TYPES.includes(process.env.JWT_AUTHTYPE as AuthType)) throw new Error("unsupported");
 * ```
 */
export const AUTH_TYPES: readonly AuthType[] = Object.freeze(Object.keys(ALGORITHM_PARAMS) as AuthType[]);

/** The asymmetric algorithms, in the same order (an identity provider never shares an HMAC secret with us). */
export const ASYMMETRIC_ALGORITHMS: readonly AsymmetricAlgorithm[] = Object.freeze(
  AUTH_TYPES.filter((alg): alg is AsymmetricAlgorithm => ALGORITHM_PARAMS[alg].keyType !== "secret"),
);

/**
 * The row of `name` when it names a supported algorithm (an own key of the table, so never
 * `__proto__` and the like), else `undefined`: for checking an option before it is known to be one.
 *
 * @example
 * ```ts
 * algorithmOf(options.authType)?.keyType === "secret"; // an HMAC algorithm
 * ```
 */
export function algorithmOf(name: unknown): AlgorithmParams | undefined {
  return typeof name === "string" && Object.hasOwn(ALGORITHM_PARAMS, name) ? ALGORITHM_PARAMS[name as AuthType] : undefined;
}
