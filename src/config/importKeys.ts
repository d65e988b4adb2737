import type { JsonWebKey, KeyObject } from "node:crypto";
import { JwtConfigError } from "../errors.js";
import { nodeCrypto } from "../keys/nodeCrypto.js";
import type { AuthType, ResolvedOptions } from "./options.js";

/** The manager's keys: imported once, pinned to one algorithm, typed as keys. */
export interface ManagerKeys {
  readonly alg: AuthType;
  /** Resolves to the signing key (HMAC secret or RSA private key). */
  readonly signKey: Promise<CryptoKey>;
  /** Resolves to the verifying key (the same HMAC secret, or the RSA public key). */
  readonly verifyKey: Promise<CryptoKey>;
}

const HASH = { HS256: "SHA-256", HS512: "SHA-512", RS256: "SHA-256", RS512: "SHA-512" } as const satisfies Record<AuthType, string>;
// RFC 7518 section 3.2: an HMAC key must be at least as long as the hash output.
const MIN_HMAC_BYTES = { HS256: 32, HS512: 64 } as const;
const MIN_RSA_BITS = 2048;
// The PEM helpers below run only where node:crypto is present (importKeys checked).
const node = () => nodeCrypto as NonNullable<typeof nodeCrypto>;
const KEY_MATERIAL = /^\s*(-----BEGIN |ssh-(rsa|ed25519|dss) |ecdsa-sha2-)/;

/**
 * Validates the configured key material synchronously (so bad keys fail in the constructor) and
 * starts importing it as WebCrypto keys for jose. Throws `JwtConfigError`; never echoes a key.
 * Without node:crypto (edge runtimes) RSA keys go through Web Crypto alone: see `importRsaWithWebCrypto`.
 */
export function importKeys(options: ResolvedOptions): ManagerKeys {
  const { authType: alg } = options;
  if (alg === "HS256" || alg === "HS512") {
    if (options.publicKey !== undefined) {
      throw new JwtConfigError("publicKey", `is only used with RS256/RS512, not ${alg}`);
    }
    const bytes = hmacBytes(options.secret, alg, "secret");
    const key = settle(crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: HASH[alg] }, false, ["sign", "verify"]));
    return { alg, signKey: key, verifyKey: key };
  }
  if (nodeCrypto === undefined) return importRsaWithWebCrypto(options, alg);
  const privateKey = rsaPrivateKey(options.secret, "secret");
  const publicKey = options.publicKey === undefined ? nodeCrypto.createPublicKey(privateKey) : rsaPublicKey(options.publicKey, "publicKey");
  const derivedSpki = nodeCrypto.createPublicKey(privateKey).export({ type: "spki", format: "der" });
  if (!derivedSpki.equals(publicKey.export({ type: "spki", format: "der" }))) {
    throw new JwtConfigError("publicKey", `is not the public half of secret`);
  }
  const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: HASH[alg] };
  return {
    alg,
    signKey: settle(crypto.subtle.importKey("pkcs8", privateKey.export({ type: "pkcs8", format: "der" }), algorithm, false, ["sign"])),
    verifyKey: settle(crypto.subtle.importKey("spki", derivedSpki, algorithm, false, ["verify"])),
  };
}

function hmacBytes(secret: string | Uint8Array, alg: "HS256" | "HS512", name: string): Uint8Array<ArrayBuffer> {
  const text = typeof secret === "string" ? secret : new TextDecoder("utf-8", { fatal: false }).decode(secret.subarray(0, 64));
  if (KEY_MATERIAL.test(text)) {
    // Algorithm confusion starts with a public key used as an HMAC secret: refuse key material.
    throw new JwtConfigError(name, `looks like a PEM or SSH key; ${alg} needs a random shared secret`);
  }
  const bytes = typeof secret === "string" ? new TextEncoder().encode(secret) : new Uint8Array(secret);
  if (bytes.byteLength < MIN_HMAC_BYTES[alg]) {
    throw new JwtConfigError(name, `must be at least ${MIN_HMAC_BYTES[alg]} bytes for ${alg}`);
  }
  return bytes;
}

function pemText(value: string | Uint8Array): string {
  const text = typeof value === "string" ? value : new TextDecoder().decode(value);
  // Environment variables often carry PEM newlines as the two characters "\n".
  return text.includes("\n") ? text : text.replace(/\\n/g, "\n");
}

function rsaPrivateKey(secret: string | Uint8Array, name: string): KeyObject {
  const pem = pemText(secret);
  let key: KeyObject;
  try {
    key = node().createPrivateKey({ key: pem, format: "pem" });
  } catch {
    throw new JwtConfigError(name, isPublicKey(pem) ? "is a public key; RS256/RS512 need the RSA private key here" : "must be a PEM RSA private key (PKCS#8 or PKCS#1)");
  }
  checkRsa(key, name);
  return key;
}

function rsaPublicKey(value: string | Uint8Array, name: string): KeyObject {
  const text = pemText(value).trim();
  if (isPrivateKey(text)) throw new JwtConfigError(name, "is a private key; pass the public half");
  let key: KeyObject;
  try {
    key = text.startsWith("ssh-rsa ") ? node().createPublicKey({ key: openSshToJwk(text), format: "jwk" }) : node().createPublicKey({ key: text, format: "pem" });
  } catch {
    throw new JwtConfigError(name, "must be a PEM (SPKI or PKCS#1) or OpenSSH ssh-rsa public key");
  }
  checkRsa(key, name);
  return key;
}

function checkRsa(key: KeyObject, name: string): void {
  if (key.asymmetricKeyType !== "rsa") throw new JwtConfigError(name, "must be an RSA key");
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw new JwtConfigError(name, `must be an RSA key of at least ${MIN_RSA_BITS} bits`);
}

function isPrivateKey(text: string): boolean {
  try {
    node().createPrivateKey({ key: text, format: "pem" });
    return true;
  } catch {
    return false;
  }
}

function isPublicKey(text: string): boolean {
  try {
    return node().createPublicKey({ key: text, format: "pem" }).type === "public";
  } catch {
    return false;
  }
}

/** Flask_PyJWT's own test fixtures use OpenSSH public keys: `ssh-rsa <base64 of (type, e, n)>`. */
function openSshToJwk(line: string): JsonWebKey {
  const blob = Buffer.from(line.split(/\s+/)[1] ?? "", "base64");
  const fields: Buffer[] = [];
  for (let at = 0; at < blob.length && fields.length < 3; ) {
    const length = blob.readUInt32BE(at);
    fields.push(blob.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  const [type, e, n] = fields;
  if (type?.toString() !== "ssh-rsa" || !e || !n) throw new Error("not an ssh-rsa key");
  const unsigned = (b: Buffer) => (b[0] === 0 ? b.subarray(1) : b).toString("base64url");
  return { kty: "RSA", e: unsigned(e), n: unsigned(n) };
}

/**
 * RSA keys where node:crypto is missing (edge runtimes): PKCS#8 and SPKI PEM, which Web Crypto
 * reads. What it cannot read (PKCS#1, OpenSSH) throws `JwtConfigError` here, naming the option.
 * The size and pairing checks need the imported key, so they run as the import does: a bad key
 * rejects the first signing with `JwtConfigError` naming the option, and verification with that
 * key refuses every token (fails closed) instead of the constructor throwing.
 */
function importRsaWithWebCrypto(options: ResolvedOptions, alg: "RS256" | "RS512"): ManagerKeys {
  const secret = pemText(options.secret);
  const privateDer = pemBody(secret, "PRIVATE KEY");
  if (privateDer === undefined) {
    throw new JwtConfigError(
      "secret",
      pemBody(secret, "PUBLIC KEY") !== undefined
        ? "is a public key; RS256/RS512 need the RSA private key here"
        : `must be a PKCS#8 PEM RSA private key ("BEGIN PRIVATE KEY"): this runtime has no node:crypto to read PKCS#1`,
    );
  }
  let publicDer: Uint8Array<ArrayBuffer> | undefined;
  if (options.publicKey !== undefined) {
    const text = pemText(options.publicKey);
    if (pemBody(text, "PRIVATE KEY") !== undefined || text.includes("PRIVATE KEY-----")) throw new JwtConfigError("publicKey", "is a private key; pass the public half");
    publicDer = pemBody(text, "PUBLIC KEY");
    if (publicDer === undefined) throw new JwtConfigError("publicKey", `must be an SPKI PEM public key ("BEGIN PUBLIC KEY"), or omitted: this runtime has no node:crypto to read PKCS#1 or OpenSSH keys`);
  }
  const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: HASH[alg] };
  const imported = (async () => {
    const privateKey = await crypto.subtle
      .importKey("pkcs8", privateDer, algorithm, true, ["sign"])
      .catch(() => Promise.reject(new JwtConfigError("secret", "must be a PEM RSA private key (PKCS#8)")));
    if ((privateKey.algorithm as RsaHashedKeyAlgorithm).modulusLength < MIN_RSA_BITS) throw new JwtConfigError("secret", `must be an RSA key of at least ${MIN_RSA_BITS} bits`);
    const privateJwk = await crypto.subtle.exportKey("jwk", privateKey);
    const { n = "", e = "" } = privateJwk;
    if (publicDer !== undefined) {
      const given = await crypto.subtle
        .importKey("spki", publicDer, algorithm, true, ["verify"])
        .then((key) => crypto.subtle.exportKey("jwk", key), () => Promise.reject(new JwtConfigError("publicKey", "must be a PEM (SPKI) RSA public key")));
      if (given.n !== n || given.e !== e) throw new JwtConfigError("publicKey", "is not the public half of secret");
    }
    const { ext: _ext, key_ops: _ops, ...jwk } = privateJwk;
    return {
      signKey: await crypto.subtle.importKey("jwk", jwk, algorithm, false, ["sign"]),
      verifyKey: await crypto.subtle.importKey("jwk", { kty: "RSA", n, e }, algorithm, false, ["verify"]),
    };
  })();
  return { alg, signKey: settle(imported.then((keys) => keys.signKey)), verifyKey: settle(imported.then((keys) => keys.verifyKey)) };
}

/** The DER bytes of the first PEM block with exactly this label, or `undefined`. */
function pemBody(text: string, label: string): Uint8Array<ArrayBuffer> | undefined {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(text);
  if (match === null) return undefined;
  try {
    return Uint8Array.from(atob((match[1] ?? "").replace(/\s+/g, "")), (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}

// The import cannot fail after the checks above; should it, the rejection is surfaced on first
// use rather than as an unhandled rejection at start-up.
function settle(promise: Promise<CryptoKey>): Promise<CryptoKey> {
  promise.catch(() => undefined);
  return promise;
}
