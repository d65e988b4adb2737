import { createPrivateKey, createPublicKey } from "node:crypto";

// A PEM block anywhere (quoted, after `openssl ... -text` lines, with escaped newlines).
const PEM_MARKER = /-----BEGIN [A-Z0-9 ]+-----/;
// An OpenSSH public key line: the type, then a wire-format blob (which always starts "AAAA").
const SSH_LINE = /(?:^|[^A-Za-z0-9-])(?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-[a-z0-9-]+|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-[a-z0-9-]+@openssh\.com)\s+AAAA[A-Za-z0-9+/]/;
// The key types an OpenSSH wire blob (the base64 part of a key line) starts with.
const SSH_WIRE_TYPE = /^(?:ssh-|ecdsa-sha2-|sk-ssh-|sk-ecdsa-)/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

const DER_PARSERS: readonly ((der: Buffer) => unknown)[] = [
  (der) => createPublicKey({ key: der, format: "der", type: "spki" }),
  (der) => createPublicKey({ key: der, format: "der", type: "pkcs1" }),
  (der) => createPrivateKey({ key: der, format: "der", type: "pkcs8" }),
  (der) => createPrivateKey({ key: der, format: "der", type: "pkcs1" }),
  (der) => createPrivateKey({ key: der, format: "der", type: "sec1" }),
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
  const bytes = typeof secret === "string" ? Buffer.from(secret, "utf8") : Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength);
  if (isDerKey(bytes)) return true;
  const text = bytes.toString("utf8");
  if (PEM_MARKER.test(text) || SSH_LINE.test(text) || parsesAsPem(text)) return true;
  const bare = unquote(text.trim());
  if (isJwkText(bare)) return true;
  const compact = bare.replace(/\\[nr]|\s+/g, "");
  if (BASE64.test(compact)) {
    const decoded = Buffer.from(compact, compact.includes("-") || compact.includes("_") ? "base64url" : "base64");
    if (isDerKey(decoded) || isSshWireBlob(decoded)) return true;
  }
  return HEX.test(compact) && isDerKey(Buffer.from(compact, "hex"));
}

function isDerKey(der: Buffer): boolean {
  // Every DER key is a SEQUENCE; the check spares the parsers most non-keys.
  if (der.length < 16 || der[0] !== 0x30) return false;
  return DER_PARSERS.some((parse) => succeeds(() => parse(der)));
}

function parsesAsPem(text: string): boolean {
  const pem = text.replace(/\\n/g, "\n");
  return succeeds(() => createPublicKey({ key: pem, format: "pem" })) || succeeds(() => createPrivateKey({ key: pem, format: "pem" }));
}

function isJwkText(text: string): boolean {
  if (!text.startsWith("{")) return false;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  return isJwkLike(value);
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

function isSshWireBlob(blob: Buffer): boolean {
  if (blob.length < 8) return false;
  const length = blob.readUInt32BE(0);
  return length > 0 && length < 64 && SSH_WIRE_TYPE.test(blob.subarray(4, 4 + length).toString("latin1"));
}

function unquote(text: string): string {
  const first = text[0];
  return text.length >= 2 && (first === '"' || first === "'") && text.endsWith(first) ? text.slice(1, -1) : text;
}

function succeeds(attempt: () => unknown): boolean {
  try {
    attempt();
    return true;
  } catch {
    return false;
  }
}
