import { attempt } from "./attempt.js";
import { nodeCrypto } from "./nodeCrypto.js";

// A PEM block anywhere (quoted, after `openssl ... -text` lines, with escaped newlines).
const PEM_MARKER = /-----BEGIN [A-Z0-9 ]+-----/;
// An OpenSSH public key line: the type, then a wire-format blob (which always starts "AAAA").
const SSH_LINE =
  /(?:^|[^A-Za-z0-9-])(?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-[a-z0-9-]+|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-[a-z0-9-]+@openssh\.com)\s+AAAA[A-Za-z0-9+/]/;
// The key types an OpenSSH wire blob (the base64 part of a key line) starts with.
const SSH_WIRE_TYPE = /^(?:ssh-|ecdsa-sha2-|sk-ssh-|sk-ecdsa-)/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

// With node:crypto, DER is tried as every key encoding (a parser that throws says no); without
// it (edge runtimes), any well-formed DER SEQUENCE spanning the whole input counts as a key:
// stricter, never looser.
const DER_PARSERS: readonly ((der: Uint8Array) => unknown)[] =
  nodeCrypto === undefined
    ? [isWholeDerSequence]
    : [
        ...(["spki", "pkcs1"] as const).map((type) => (der: Uint8Array) => nodeCrypto?.createPublicKey({ key: Buffer.from(der), format: "der", type })),
        ...(["pkcs8", "pkcs1", "sec1"] as const).map(
          (type) => (der: Uint8Array) => nodeCrypto?.createPrivateKey({ key: Buffer.from(der), format: "der", type }),
        ),
      ];

/**
 * Whether a would-be HMAC secret is in fact a key, in any form a key travels in: PEM (also
 * quoted, escaped or after text lines), DER (SPKI, PKCS#8, PKCS#1, SEC1) as raw bytes or as
 * base64 or hex text, a JWK or JWK Set (JSON text), or an OpenSSH key (line or bare blob).
 * Algorithm confusion starts with a public key used as an HMAC secret: anyone holding the
 * public key could then sign tokens.
 *
 * @example
 * ```ts
 * isKeyMaterial(publicPem); // true
 * isKeyMaterial(randomBytes(32)); // false
 * ```
 */
export function isKeyMaterial(secret: string | Uint8Array): boolean {
  const bytes = typeof secret === "string" ? new TextEncoder().encode(secret) : secret;
  if (isDerKey(bytes)) return true;
  const text = new TextDecoder().decode(bytes);
  // Every PEM block node:crypto reads has such a BEGIN line (OpenSSL's PEM reader needs it).
  if (PEM_MARKER.test(text) || SSH_LINE.test(text)) return true;
  const bare = unquote(text.trim());
  if (isJwkText(bare)) return true;
  const compact = bare.replace(/\\[nr]|\s+/g, "");
  if (BASE64.test(compact)) {
    const decoded = fromBase64(compact);
    if (decoded !== undefined && (isDerKey(decoded) || isSshWireBlob(decoded))) return true;
  }
  return HEX.test(compact) && isDerKey(Uint8Array.from(compact.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16)));
}

// Base64 or base64url text to bytes without Buffer (edge runtimes have none).
function fromBase64(text: string): Uint8Array | undefined {
  return attempt(() => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (char) => char.charCodeAt(0)));
}

function isDerKey(der: Uint8Array): boolean {
  // Every DER key is a SEQUENCE; the check spares the parsers most non-keys.
  if (der.length < 16 || der[0] !== 0x30) return false;
  return DER_PARSERS.some((parse) => attempt(() => parse(der)));
}

function isJwkText(text: string): boolean {
  return text.startsWith("{") && isJwkLike(attempt(() => JSON.parse(text)));
}

/**
 * Whether a value is a JWK (has `kty`) or a JWK Set (has `keys`).
 *
 * @example
 * ```ts
 * isJwkLike({ kty: "RSA", n, e }); // true
 * ```
 */
export function isJwkLike(value: unknown): boolean {
  return typeof value === "object" && value !== null && ("kty" in value || "keys" in value);
}

/** Whether `der` is one DER SEQUENCE (tag 0x30, definite length) spanning all of it. */
function isWholeDerSequence(der: Uint8Array): boolean {
  const first = der[1] ?? 0;
  const lengthBytes = first & 0x80 ? first & 0x7f : 0;
  let length = first & 0x80 ? 0 : first;
  for (let i = 0; i < lengthBytes; i++) length = length * 256 + (der[2 + i] ?? 0);
  return lengthBytes <= 4 && 2 + lengthBytes + length === der.length;
}

function isSshWireBlob(blob: Uint8Array): boolean {
  if (blob.length < 8) return false;
  const length = new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(0);
  return length > 0 && length < 64 && SSH_WIRE_TYPE.test(String.fromCharCode(...blob.subarray(4, 4 + length)));
}

function unquote(text: string): string {
  const first = text[0];
  return text.length >= 2 && (first === '"' || first === "'") && text.endsWith(first) ? text.slice(1, -1) : text;
}
