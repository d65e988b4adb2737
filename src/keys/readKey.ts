import type { JsonWebKey, JsonWebKeyInput, KeyObject } from "node:crypto";
import type { KeyInput } from "./KeyInput.js";
import { JwtConfigError } from "../errors.js";
import type { AuthType } from "../jws/algorithms.js";
import { attempt } from "./attempt.js";
import { isJwkLike } from "./isKeyMaterial.js";
import { keyMisfit } from "./keyMisfit.js";
import { wrongHalf } from "./KeyBackend.js";
import { nodeCrypto } from "./nodeCrypto.js";
import { openSshPublicKey } from "./openSshPublicKey.js";

// readKey runs only where node:crypto exists (importKeys checks); edge runtimes use Web Crypto.
const node = () => nodeCrypto as NonNullable<typeof nodeCrypto>;

const FORMS = "PEM, a JWK, a KeyObject or a CryptoKey";

/**
 * Reads one half of an asymmetric key pair for `alg`, from any {@link KeyInput} form, and checks
 * it fits the algorithm: the right half, the right family, the algorithm's EC curve, Ed25519
 * for EdDSA, RSA of at least 2048 bits. Throws `JwtConfigError` naming `option`; the message
 * never holds key text.
 *
 * @example
 * ```ts
 * const key = readKey(pem, "ES256", "secret", "private");
 * ```
 */
export function readKey(value: KeyInput, alg: AuthType, option: string, half: "private" | "public"): KeyObject {
  const key = toKeyObject(value, option, half);
  const misfit = keyMisfit(key, alg, half);
  if (misfit !== undefined) throw new JwtConfigError(option, misfit);
  return key;
}

function toKeyObject(value: KeyInput, option: string, half: "private" | "public"): KeyObject {
  if (value instanceof node().KeyObject) return value as KeyObject;
  if (value instanceof globalThis.CryptoKey) return node().KeyObject.from(value);
  if (typeof value === "string" || value instanceof Uint8Array) {
    const text = keyText(value);
    // JSON text that does not parse is no JWK either.
    if (text.startsWith("{")) return fromJwk(attempt(() => JSON.parse(text) as object) ?? {}, option, half);
    // An OpenSSH public key line (Flask_PyJWT's fixtures use them); one that does not read is refused as PEM would be.
    const ssh = half === "public" && text.startsWith("ssh-rsa ") ? attempt(() => openSshPublicKey(text)) : undefined;
    return parsed(ssh === undefined ? { key: text, format: "pem" } : { key: ssh, format: "jwk" }, option, half);
  }
  if (typeof value === "object" && value !== null) return fromJwk(value, option, half);
  throw new JwtConfigError(option, `must be ${FORMS}`);
}

function fromJwk(jwk: object, option: string, half: "private" | "public"): KeyObject {
  if (!isJwkLike(jwk) || "keys" in jwk) throw new JwtConfigError(option, `must be one JWK (not a JWK Set), ${FORMS}`);
  // Checked before parsing: node would derive a public key from a private JWK, even a broken one.
  if ("d" in jwk !== (half === "private")) throw wrongHalf(option, half);
  return parsed({ key: jwk as JsonWebKey, format: "jwk" }, option, half);
}

/** The key `input` holds, which must be the `half` asked for. */
function parsed(input: { key: string; format: "pem" } | JsonWebKeyInput, option: string, half: "private" | "public"): KeyObject {
  // A private key also parses as a public one (node derives it): look for the private half first.
  // A JWK's half is known by its `d` (fromJwk): one with `d` that does not read is broken, not public.
  const privateKey = attempt(() => node().createPrivateKey(input));
  const key = privateKey ?? (input.format === "jwk" && half === "private" ? undefined : attempt(() => node().createPublicKey(input)));
  if (key === undefined) throw new JwtConfigError(option, `must be a ${half} key as ${FORMS}`);
  if ((privateKey !== undefined) !== (half === "private")) throw wrongHalf(option, half);
  return key;
}

function keyText(value: string | Uint8Array): string {
  const text = (typeof value === "string" ? value : new TextDecoder().decode(value)).trim();
  // Environment variables often carry PEM newlines as the two characters "\n"; a blank line
  // inside a PEM block (a body of exactly 64n characters, wrapped naively) stops OpenSSL.
  return (text.includes("\n") ? text : text.replace(/\\n/g, "\n")).replace(/\n\s*\n/g, "\n");
}
