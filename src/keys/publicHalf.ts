// The public members of each key type: the ones a public key and its private half share.
const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = { RSA: ["n", "e"], EC: ["crv", "x", "y"], OKP: ["crv", "x"] };

/**
 * The public half of a JWK: `kty` and its type's public members, in one fixed order, and nothing
 * else (no `d`, `p`, `q`, ..., no `ext` or `key_ops`). What a key is compared and published by,
 * the same on every runtime.
 *
 * @example
 * ```ts
 * publicHalf(await crypto.subtle.exportKey("jwk", privateKey)); // { kty: "EC", crv: "P-256", x, y }
 * ```
 */
export function publicHalf(jwk: JsonWebKey): JsonWebKey {
  const kty = jwk.kty ?? "";
  return Object.fromEntries([["kty", kty], ...(PUBLIC_MEMBERS[kty] ?? []).map((name) => [name, (jwk as Record<string, unknown>)[name]])]) as JsonWebKey;
}
