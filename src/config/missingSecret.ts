import { algorithmOf } from "../jws/algorithms.js";

/**
 * What "secret: is missing" goes on to say for this algorithm: what belongs there, and for an
 * asymmetric one, how a service that only verifies is configured instead.
 *
 * @example
 * ```ts
 * throw new JwtConfigError("secret", missingSecret("HS256"));
 * ```
 */
export function missingSecret(authType: string): string {
  const algorithm = algorithmOf(authType);
  if (algorithm === undefined) return "is missing";
  if (algorithm.keyType === "secret")
    return `is missing: ${authType} signs and verifies with a shared secret of at least ${algorithm.minSecretBytes} random bytes`;
  return `is missing: the private key that signs ${authType} tokens (a service that only verifies: new AuthManager({ issuer, authType, publicKey }), without secret)`;
}
