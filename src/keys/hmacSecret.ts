import type { KeyInput } from "./KeyInput.js";
import { JwtConfigError } from "../errors.js";
import { ALGORITHM_PARAMS, type AuthType } from "../jws/algorithms.js";
import { isKeyMaterial } from "./isKeyMaterial.js";

/**
 * The bytes of an HMAC secret (a string is used as its UTF-8 bytes), checked: at least the hash's
 * size, and nothing that parses as a key in any format (see `isKeyMaterial`). Throws
 * `JwtConfigError` naming `option`, never echoing the secret.
 *
 * @example
 * ```ts
 * hmacSecret(process.env.JWT_SECRET!, "HS256", "secret"); // Uint8Array of >= 32 bytes
 * ```
 */
export function hmacSecret(value: KeyInput | undefined, alg: AuthType, option: string): Uint8Array<ArrayBuffer> {
  const minBytes = ALGORITHM_PARAMS[alg].minSecretBytes ?? 0;
  if (value === undefined || value === "") throw new JwtConfigError(option, "is missing");
  if (typeof value !== "string" && !(value instanceof Uint8Array)) {
    const what = typeof value === "object" && value !== null ? "is a key object" : "must be a string or bytes";
    throw new JwtConfigError(option, `${what}; ${alg} needs a random shared secret (a string or bytes)`);
  }
  if (isKeyMaterial(value)) throw new JwtConfigError(option, `parses as a key (PEM, DER, JWK or SSH); ${alg} needs a random shared secret, never a key`);
  const bytes = typeof value === "string" ? new TextEncoder().encode(value) : new Uint8Array(value);
  if (bytes.byteLength < minBytes) throw new JwtConfigError(option, `must be at least ${minBytes} bytes for ${alg}`);
  return bytes;
}
