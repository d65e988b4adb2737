import { createHmac, createPrivateKey, createSecretKey } from "node:crypto";
import { CompactSign } from "jose";
import type { AuthType } from "trpc-jwt";
import { HS256_SECRET, RSA_PRIVATE_PEM, secretFor } from "./keys.js";

/** What an attacker (or a buggy issuer) can put in a token: any header, any payload text. */
export interface Forgery {
  header: Record<string, unknown>;
  /** Claims, JSON text, or raw bytes (for payloads no JSON text can produce, such as invalid UTF-8). */
  payload: Record<string, unknown> | string | Uint8Array;
}

const b64 = (data: string | Uint8Array) => Buffer.from(data).toString("base64url");
const text = (payload: Forgery["payload"]) => (typeof payload === "string" || payload instanceof Uint8Array ? payload : JSON.stringify(payload));

/**
 * Signs any header and payload with HMAC over `secret` (default: the suite's HS256 secret), by
 * hand, so that even headers a JOSE library refuses to produce (crit, odd algs) can be forged.
 */
export async function forgeHmac({ header, payload }: Forgery, secret: Uint8Array | string = HS256_SECRET): Promise<string> {
  return hmacToken(header, b64(text(payload)), secret);
}

/** `header.payloadSegment.signature`, HMAC-signed with SHA-512 for an HS512 header, else SHA-256. */
function hmacToken(header: Record<string, unknown>, payloadSegment: string, secret: Uint8Array | string): string {
  const fullHeader = { alg: "HS256", ...header };
  const signingInput = `${b64(JSON.stringify(fullHeader))}.${payloadSegment}`;
  const hash = fullHeader.alg === "HS512" ? "sha512" : "sha256";
  return `${signingInput}.${createHmac(hash, secret).update(signingInput).digest("base64url")}`;
}

/** Signs any header and payload with the suite's RSA private key (RS256, RS512 or PS256 per `header.alg`). */
export function forgeRsa({ header, payload }: Forgery, pem = RSA_PRIVATE_PEM): Promise<string> {
  const data = text(payload);
  return new CompactSign(typeof data === "string" ? new TextEncoder().encode(data) : data)
    .setProtectedHeader({ alg: "RS256", ...header } as never)
    .sign(createPrivateKey(pem));
}

/** An unsigned token with whatever header and signature segment the attacker likes. */
export function forgeUnsigned({ header, payload }: Forgery, signature = ""): string {
  return `${b64(JSON.stringify(header))}.${b64(text(payload))}.${signature}`;
}

/** A claim set the suite's managers accept, `exp` an hour away. */
export function goodClaims(overrides: Record<string, unknown> = {}, nowSeconds = Math.floor(Date.now() / 1000)): Record<string, unknown> {
  return { iss: "Flask_PyJWT", iat: nowSeconds - 10, exp: nowSeconds + 3600, sub: "mallory-sub-7f3a", type: "auth", ...overrides };
}

/** HMAC-signs an unencoded-payload JWS (RFC 7797: `b64: false`, the payload segment is the raw text). */
export function forgeUnencodedHmac(header: Record<string, unknown>, rawPayload: string, secret: Uint8Array | string = HS256_SECRET): string {
  return hmacToken(header, rawPayload, secret);
}

/**
 * Signs claims (or any payload) under any algorithm with the suite's key for it, header
 * `{ alg, typ: "JWT", ...header }`: a token as an outside issuer with our key would make it.
 */
export function forgeWith(alg: AuthType, payload: Forgery["payload"], header: Record<string, unknown> = {}): Promise<string> {
  const data = text(payload);
  const key = alg.startsWith("HS") ? createSecretKey(Buffer.from(secretFor(alg))) : createPrivateKey(secretFor(alg));
  return new CompactSign(typeof data === "string" ? new TextEncoder().encode(data) : data).setProtectedHeader({ alg, typ: "JWT", ...header }).sign(key);
}
