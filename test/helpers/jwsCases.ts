// Tokens for the differential test of the native signature step against jose: for one pinned
// algorithm, valid tokens and every kind of near miss a verifier can get wrong, signed by hand
// with node:crypto (jose cannot produce most of them). Built once per algorithm.
import { constants, createHmac, createSecretKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import type { AuthType } from "trpc-jwt";
import { nextRsaKeyPair } from "./rsaKeys.js";

export const ALL_JWS_ALGORITHMS: readonly AuthType[] = [
  "HS256",
  "HS384",
  "HS512",
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
];
export const CASE_ISSUER = "differential";
export const CASE_NOW = 1_900_000_000;
/** The `kid`s of the rings under test: the current key and a previous ("other") key. */
export const CURRENT_KID = "k-current";
export const PREVIOUS_KID = "k-previous";

/** A private signing key (or HMAC secret) and the key a verifier holds. */
interface Pair {
  readonly signKey: KeyObject;
  readonly verifyKey: KeyObject;
}

const b64 = (data: string | Uint8Array) => Buffer.from(data).toString("base64url");
/** A key pair as a signer and a verifier hold it. */
const pairOf = ({ privateKey, publicKey }: { privateKey: KeyObject; publicKey: KeyObject }): Pair => ({ signKey: privateKey, verifyKey: publicKey });
const generated = (type: "ec" | "ed25519", options: object = {}): Pair => pairOf(generateKeyPairSync(type as "ec", options as { namedCurve: string }));
const secret = (bytes: number): Pair => {
  const key = createSecretKey(randomBytes(bytes));
  return { signKey: key, verifyKey: key };
};

// One key and one "other" key per family, made lazily: P-521 generation is slow (RSA keys are the suite's fixed ones).
const keyCache = new Map<string, Pair>();
function keyOf(name: string): Pair {
  let key = keyCache.get(name);
  if (key === undefined) {
    const [kind, which] = name.split(":") as [string, string];
    key =
      kind === "HS256"
        ? secret(32)
        : kind === "HS384"
          ? secret(48)
          : kind === "HS512"
            ? secret(64)
            : kind === "RSA"
              ? pairOf(nextRsaKeyPair())
              : kind === "P-256" || kind === "P-384" || kind === "P-521"
                ? generated("ec", { namedCurve: kind })
                : generated("ed25519");
    keyCache.set(`${kind}:${which}`, key);
  }
  return key;
}
const familyKey = (alg: AuthType) =>
  alg.startsWith("HS")
    ? alg
    : alg.startsWith("RS") || alg.startsWith("PS")
      ? "RSA"
      : alg === "ES256"
        ? "P-256"
        : alg === "ES384"
          ? "P-384"
          : alg === "ES512"
            ? "P-521"
            : "Ed25519";

/** The pinned algorithm's own key (`which` = "main") or a second key of the same kind ("other"). */
export function keyFor(alg: AuthType, which: "main" | "other" = "main"): Pair {
  return keyOf(`${familyKey(alg)}:${which}`);
}

/** Signs `input` as `alg` would (ECDSA as R || S unless `der`). */
export function signAs(alg: AuthType, key: KeyObject, input: string, der = false): Buffer {
  const bits = Number(alg.slice(2));
  if (alg.startsWith("HS")) return createHmac(`sha${bits}`, key).update(input).digest();
  if (alg === "EdDSA") return sign(null, Buffer.from(input), key);
  if (alg.startsWith("RS")) return sign(`sha${bits}`, Buffer.from(input), { key, padding: constants.RSA_PKCS1_PADDING });
  if (alg.startsWith("PS")) return sign(`sha${bits}`, Buffer.from(input), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: bits / 8 });
  return sign(`sha${bits}`, Buffer.from(input), { key, dsaEncoding: der ? "der" : "ieee-p1363" });
}

/** Curve orders (`openssl ecparam -param_enc explicit -text`), for high-S ECDSA (s -> n - s) and non-canonical Ed25519 (S -> S + L). */
const ORDER: Partial<Record<AuthType, bigint>> = {
  ES256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  ES384: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  ES512: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
};
const ED25519_L = 2n ** 252n + 27742317777372353535851937790883648493n;
const toBig = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString("hex") || "0"}`);
const fromBig = (value: bigint, length: number) => Buffer.from(value.toString(16).padStart(length * 2, "0"), "hex");

/**
 * An ECDSA token's high-S twin: the same r with s' = n - s. It verifies wherever the token does
 * (neither OpenSSL nor Web Crypto has a low-S rule), under another spelling.
 *
 * @example
 * ```ts
 * const twin = highSTwin("ES256", token); // a different string, the same header and payload
 * ```
 */
export function highSTwin(alg: AuthType, token: string): string {
  const n = ORDER[alg];
  if (n === undefined) throw new TypeError(`${alg} is not an ECDSA algorithm`);
  const dot = token.lastIndexOf(".");
  const signature = Buffer.from(token.slice(dot + 1), "base64url");
  const half = signature.length / 2;
  return `${token.slice(0, dot)}.${b64(Buffer.concat([signature.subarray(0, half), fromBig(n - toBig(signature.subarray(half)), half)]))}`;
}

/** A token from raw header and payload segments, signed by `key` as `signAlg`. */
function token(headerSegment: string, payloadSegment: string, signAlg: AuthType, key: KeyObject): string {
  const input = `${headerSegment}.${payloadSegment}`;
  return `${input}.${b64(signAs(signAlg, key, input))}`;
}

/** One base token of the pool, named for the failure report. */
export interface BaseCase {
  readonly label: string;
  readonly token: string;
}

const claims = (extra: object = {}) => ({ iss: CASE_ISSUER, iat: CASE_NOW - 10, exp: CASE_NOW + 3600, sub: "alice", type: "auth", jti: "j-1", ...extra });

/**
 * The pool for one pinned algorithm: valid tokens first (so a mutation usually starts from a token
 * that verifies), then header variants signed with the right key, wrong keys, wrong algorithms
 * and curves, and non-canonical signatures.
 */
export function baseCases(alg: AuthType): BaseCase[] {
  const main = keyFor(alg).signKey;
  const header = (value: object | string) => b64(typeof value === "string" ? value : JSON.stringify(value));
  const jwt = header({ alg, typ: "JWT" });
  const payload = (extra?: object) => b64(JSON.stringify(claims(extra)));
  const out: BaseCase[] = [];
  const add = (label: string, value: string) => out.push({ label, token: value });

  add("valid", token(jwt, payload(), alg, main));
  add("valid, scope and claims", token(jwt, payload({ scope: { admin: true }, org: "acme" }), alg, main));
  add("valid, refresh", token(jwt, payload({ type: "refresh" }), alg, main));
  add("valid, current kid", token(header({ alg, typ: "JWT", kid: CURRENT_KID }), payload(), alg, main));
  add("previous kid, signed by the previous key", token(header({ alg, typ: "JWT", kid: PREVIOUS_KID }), payload(), alg, keyFor(alg, "other").signKey));
  add("previous kid, signed by the current key", token(header({ alg, typ: "JWT", kid: PREVIOUS_KID }), payload(), alg, main));
  add("unknown kid", token(header({ alg, typ: "JWT", kid: "k-unknown" }), payload(), alg, main));
  add("kid not a string", token(header({ alg, typ: "JWT", kid: 1 }), payload(), alg, main));
  add("expired", token(jwt, payload({ exp: CASE_NOW - 1 }), alg, main));
  add("audience", token(jwt, payload({ aud: "x" }), alg, main));
  add("payload not JSON", token(jwt, b64("not json"), alg, main));

  add("header with BOM", token(b64(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ alg, typ: "JWT" }))])), payload(), alg, main));
  add(
    "header invalid UTF-8",
    token(b64(Buffer.concat([Buffer.from(`{"alg":"${alg}","typ":"JWT","x":"`), Buffer.from([0xc3, 0x28]), Buffer.from('"}')])), payload(), alg, main),
  );
  add("header not JSON", token(header(`{"alg":"${alg}"`), payload(), alg, main));
  add("header an array", token(header([alg]), payload(), alg, main));
  add("header without alg", token(header({ typ: "JWT" }), payload(), alg, main));
  add("header alg lower case", token(header({ alg: alg.toLowerCase(), typ: "JWT" }), payload(), alg, main));
  add("header alg none", token(header({ alg: "none", typ: "JWT" }), payload(), alg, main));
  add("header duplicate alg, pinned last", token(header(`{"alg":"none","alg":"${alg}","typ":"JWT"}`), payload(), alg, main));
  add("header duplicate alg, pinned first", token(header(`{"alg":"${alg}","alg":"none","typ":"JWT"}`), payload(), alg, main));
  add("header __proto__", token(header(`{"alg":"${alg}","typ":"JWT","__proto__":{"x":1}}`), payload(), alg, main));
  add("header crit b64 true", token(header({ alg, typ: "JWT", crit: ["b64"], b64: true }), payload(), alg, main));
  add("header crit b64 false", token(header({ alg, typ: "JWT", crit: ["b64"], b64: false }), payload(), alg, main));
  add("header crit unknown", token(header({ alg, typ: "JWT", crit: ["exp"], exp: 1 }), payload(), alg, main));
  add("header b64 false without crit", token(header({ alg, typ: "JWT", b64: false }), payload(), alg, main));
  add("header jwk", token(header({ alg, typ: "JWT", jwk: { kty: "oct", k: "AA" } }), payload(), alg, main));

  add("wrong key", token(jwt, payload(), alg, keyFor(alg, "other").signKey));
  // Every other algorithm's key and signature under this algorithm's header, and under its own.
  for (const other of ALL_JWS_ALGORITHMS) {
    if (other === alg) continue;
    const otherKey = keyFor(other).signKey;
    add(`signed as ${other}, header ${alg}`, token(jwt, payload(), other, otherKey));
    add(`signed as ${other}, header ${other}`, token(header({ alg: other, typ: "JWT" }), payload(), other, otherKey));
  }
  // Algorithm confusion: the public key's PEM (or DER) as an HMAC secret.
  const verifyKey = keyFor(alg).verifyKey;
  if (verifyKey.type === "public") {
    for (const [form, bytes] of [
      ["PEM", Buffer.from(verifyKey.export({ type: "spki", format: "pem" }))],
      ["DER", verifyKey.export({ type: "spki", format: "der" })],
    ] as const) {
      add(`HS256 with the public key's ${form}, header ${alg}`, token(jwt, payload(), "HS256", createSecretKey(bytes)));
      add(`HS256 with the public key's ${form}, header HS256`, token(header({ alg: "HS256", typ: "JWT" }), payload(), "HS256", createSecretKey(bytes)));
    }
  }

  const valid = out[0]!.token;
  const input = valid.slice(0, valid.lastIndexOf("."));
  const signature = Buffer.from(valid.slice(valid.lastIndexOf(".") + 1), "base64url");
  const withSignature = (label: string, bytes: Uint8Array) => add(label, `${input}.${b64(bytes)}`);
  const n = ORDER[alg];
  if (n !== undefined) {
    const half = signature.length / 2;
    const r = signature.subarray(0, half);
    const s = toBig(signature.subarray(half));
    add("ECDSA high-S (n - s)", highSTwin(alg, valid));
    withSignature("ECDSA DER-encoded", signAs(alg, main, input, true));
    withSignature("ECDSA r = 0", Buffer.concat([Buffer.alloc(half), signature.subarray(half)]));
    withSignature("ECDSA s = 0", Buffer.concat([r, Buffer.alloc(half)]));
    withSignature("ECDSA r and s swapped", Buffer.concat([signature.subarray(half), r]));
    if (n + s < 2n ** BigInt(8 * half)) withSignature("ECDSA s + n", Buffer.concat([r, fromBig(n + s, half)]));
    withSignature("ECDSA as JSON-padded (one extra zero byte each)", Buffer.concat([Buffer.alloc(1), r, Buffer.alloc(1), signature.subarray(half)]));
  }
  if (alg === "EdDSA") {
    const sBytes = Buffer.from(signature.subarray(32)).reverse(); // little-endian
    withSignature("Ed25519 S + L (non-canonical)", Buffer.concat([signature.subarray(0, 32), fromBig(toBig(sBytes) + ED25519_L, 32).reverse()]));
  }
  if (alg.startsWith("RS") || alg.startsWith("PS")) {
    const modulus = toBig(Buffer.from((keyFor(alg).verifyKey.export({ format: "jwk" }).n as string) ?? "", "base64url"));
    withSignature("RSA signature + n", fromBig(toBig(signature) + modulus, signature.length + 1));
    withSignature("RSA signature with a leading zero byte", Buffer.concat([Buffer.alloc(1), signature]));
    withSignature("RSA signature 0", Buffer.alloc(signature.length));
    withSignature("RSA signature 1", fromBig(1n, signature.length));
    // A signature whose first byte is zero, shortened by that byte (OpenSSL accepts this for PSS).
    if (alg === "RS256" || alg === "PS256") {
      for (let i = 0; i < 4000; i++) {
        const candidate = token(jwt, payload({ jti: `j-${i}` }), alg, main);
        const bytes = Buffer.from(candidate.slice(candidate.lastIndexOf(".") + 1), "base64url");
        if (bytes[0] !== 0) continue;
        add("RSA signature with its leading zero byte removed", `${candidate.slice(0, candidate.lastIndexOf("."))}.${b64(bytes.subarray(1))}`);
        break;
      }
    }
  }
  return out;
}
