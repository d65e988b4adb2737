// The suite's RSA 2048-bit key pairs: sixteen generated once and kept in rsaTestKeys.pem. The
// first is keys.ts's `otherRsa`, which files keep for the whole run; the other fifteen are handed
// out in turn: a draw differs from `otherRsa` and from the 14 draws before it in this process. A
// file draws five at most, so its keys differ from each other; in a worker shared by files
// (`isolate: false`) the turn wraps across files, and a later file may get a key an earlier one
// had (no key outlives its file: src keeps no key between managers, and the files run one at a
// time). Generating one took 73 ms to 1.4 s of CPU (the prime search is random), and the suite
// generated 58 of them (identity providers, key sets, "another key" cases): 27 s of its CPU on
// 2 cores.
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";

/** A key pair as node holds it. */
type KeyPair = { privateKey: KeyObject; publicKey: KeyObject };

const PEMS = readFileSync(new URL("./rsaTestKeys.pem", import.meta.url), "utf8").match(/-----BEGIN PRIVATE KEY-----[^-]+-----END PRIVATE KEY-----/g) ?? [];
if (PEMS.length !== 16) throw new Error(`rsaTestKeys.pem: expected 16 private keys, found ${PEMS.length}`);
let next = 0;

/** The next RSA 2048-bit key pair of the fifteen handed out in turn, as node's `KeyObject`s (see above). */
export function nextRsaKeyPair(): KeyPair {
  return pairOf(PEMS[1 + (next++ % (PEMS.length - 1))]!);
}

/** The first key pair, never handed out by the others: keys.ts's `otherRsa`, as PEM (PKCS#8 and SPKI). */
export function firstRsaPemPair(): { privateKey: string; publicKey: string } {
  return pemsOf(pairOf(PEMS[0]!), "pkcs8");
}

function pairOf(pem: string): KeyPair {
  const privateKey = createPrivateKey(pem);
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

function pemsOf({ privateKey, publicKey }: KeyPair, encoding: "pkcs8" | "pkcs1") {
  return {
    privateKey: privateKey.export({ type: encoding, format: "pem" }) as string,
    publicKey: publicKey.export({ type: encoding === "pkcs8" ? "spki" : "pkcs1", format: "pem" }) as string,
  };
}

/** The next RSA 2048-bit key pair of the fifteen handed out in turn, as PEM: PKCS#8 and SPKI, or both PKCS#1. */
export function nextRsaPemPair(encoding: "pkcs8" | "pkcs1" = "pkcs8"): { privateKey: string; publicKey: string } {
  return pemsOf(nextRsaKeyPair(), encoding);
}
