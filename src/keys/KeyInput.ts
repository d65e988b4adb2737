/**
 * node:crypto's `KeyObject`, as far as the options need to name it: the package's declarations
 * never import node's types, so projects without `@types/node` compile against them. At run time
 * a key is recognised with `instanceof KeyObject`, never by this shape.
 */
export interface KeyObjectLike {
  readonly type: "secret" | "public" | "private";
  readonly asymmetricKeyType?: string | undefined;
  equals(otherKeyObject: never): boolean;
}

/** A JSON Web Key (RFC 7517) as an object: `kty` and its members. */
export interface JwkObject {
  readonly kty?: string | undefined;
  readonly [member: string]: unknown;
}

/**
 * A key, in any form trpc-jwt imports: PEM text or bytes (PKCS#8, SPKI; PKCS#1 for RSA; SEC1 for
 * EC), a JWK object or its JSON text, a node `KeyObject`, or a WebCrypto `CryptoKey`.
 *
 * @example
 * ```ts
 * const key: KeyInput = readFileSync("private.pem", "utf8");
 * ```
 */
export type KeyInput = string | Uint8Array | KeyObjectLike | CryptoKey | JwkObject;

/**
 * A key that still verifies tokens during a rotation but never signs. Asymmetric algorithms:
 * `{ publicKey, keyId? }` (`keyId` defaults to the key's RFC 7638 thumbprint). HMAC:
 * `{ secret, keyId }` (required: an HMAC key has no public thumbprint).
 *
 * @example
 * ```ts
 * const previousKeys: PreviousKey[] = [{ keyId: "2026-10", publicKey: oldPublicPem }];
 * ```
 */
export interface PreviousKey {
  /** The `kid` its tokens carry. */
  keyId?: string | undefined;
  /** Asymmetric algorithms: the old public key. */
  publicKey?: KeyInput | undefined;
  /**
   * HMAC: the old shared secret. Asymmetric algorithms, optional: the old private key (`publicKey`
   * then optional, checked to be its half), kept only so that the API keys made under it stay
   * valid (docs/api-keys.md); it never signs.
   */
  secret?: KeyInput | undefined;
}
