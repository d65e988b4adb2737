// Keys, signing and the node:crypto floor for each algorithm the benchmark measures: one place, so
// every group signs its tokens and draws its floor row the same way.
import {
  constants,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  sign,
  timingSafeEqual,
  verify,
  type KeyObject,
} from "node:crypto";
import { RSA_KEYS } from "./rsaKeys.js";

export type BenchAlg = "HS256" | "RS256" | "PS256" | "ES256" | "EdDSA";
export const BENCH_ALGS: readonly BenchAlg[] = ["HS256", "RS256", "PS256", "ES256", "EdDSA"];
export const HMAC_SECRET = "benchmark-secret-0123456789abcdef";

/** One algorithm's keys in every form the measured libraries take. */
export interface BenchKeys {
  readonly alg: BenchAlg;
  /** The HMAC secret, or the private key as PEM (what AuthManager's `secret` takes). */
  readonly secret: string;
  /** The HMAC secret, or the public key as PEM (what fast-jwt and jsonwebtoken take to verify). */
  readonly verifyMaterial: string;
  readonly signKey: KeyObject;
  readonly verifyKey: KeyObject;
}

const pem = (key: KeyObject) => key.export({ type: key.type === "private" ? "pkcs8" : "spki", format: "pem" }).toString();
const generated = new Map<BenchAlg, BenchKeys>();

/** The keys for `alg`: the fixed RSA pair for RS256 and PS256, fresh P-256 and Ed25519 pairs. */
export function benchKeys(alg: BenchAlg): BenchKeys {
  let keys = generated.get(alg);
  if (keys !== undefined) return keys;
  if (alg === "HS256") {
    const secret = createSecretKey(Buffer.from(HMAC_SECRET));
    keys = { alg, secret: HMAC_SECRET, verifyMaterial: HMAC_SECRET, signKey: secret, verifyKey: secret };
  } else {
    const { privateKey, publicKey } =
      alg === "ES256"
        ? generateKeyPairSync("ec", { namedCurve: "P-256" })
        : alg === "EdDSA"
          ? generateKeyPairSync("ed25519")
          : { privateKey: createPrivateKey(RSA_KEYS.privateKey), publicKey: createPublicKey(RSA_KEYS.privateKey) };
    keys = { alg, secret: pem(privateKey), verifyMaterial: pem(publicKey), signKey: privateKey, verifyKey: publicKey };
  }
  generated.set(alg, keys);
  return keys;
}

const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };

/** The JWS signature of `input` under `keys`, base64url. */
export function signJws(keys: BenchKeys, input: string): string {
  const data = Buffer.from(input);
  const { alg, signKey: key } = keys;
  const signature =
    alg === "HS256"
      ? createHmac("sha256", key).update(input).digest()
      : alg === "EdDSA"
        ? sign(null, data, key)
        : alg === "ES256"
          ? sign("sha256", data, { key, dsaEncoding: "ieee-p1363" })
          : sign("sha256", data, alg === "PS256" ? { key, ...PSS } : key);
  return signature.toString("base64url");
}

/**
 * The floor: one node:crypto call on the signature and JSON.parse of the payload, with no check
 * beyond `exp`: what no JWT verifier can go below.
 */
export function floorVerifier(keys: BenchKeys): (token: string) => unknown {
  const { alg, verifyKey: key } = keys;
  const check =
    alg === "HS256"
      ? (input: string, signature: Buffer) => {
          const expected = createHmac("sha256", key).update(input).digest();
          return expected.length === signature.length && timingSafeEqual(expected, signature);
        }
      : alg === "EdDSA"
        ? (input: string, signature: Buffer) => verify(null, Buffer.from(input), key, signature)
        : alg === "ES256"
          ? (input: string, signature: Buffer) => verify("sha256", Buffer.from(input), { key, dsaEncoding: "ieee-p1363" }, signature)
          : (input: string, signature: Buffer) => verify("sha256", Buffer.from(input), alg === "PS256" ? { key, ...PSS } : key, signature);
  return (token) => {
    const dot = token.lastIndexOf(".");
    const input = token.slice(0, dot);
    if (!check(input, Buffer.from(token.slice(dot + 1), "base64url"))) throw new Error("bad signature");
    const payload = JSON.parse(Buffer.from(input.slice(input.indexOf(".") + 1), "base64url").toString());
    if (payload.exp <= Date.now() / 1000) throw new Error("expired");
    return payload;
  };
}
