// The native signature step (node:crypto) against the reference (jose's compactVerify): over all
// 13 algorithms, valid tokens, wrong keys, wrong algorithms and curves, non-canonical signatures
// and random edits anywhere must get the same decision from both, every time.
import { generateKeyPairSync, KeyObject } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import type { AuthType } from "trpc-jwt";

const jose = vi.hoisted(() => ({ calls: 0, failWith: undefined as unknown }));
vi.mock("jose", async (importOriginal) => (await import("./helpers/countingSignatureChecks.js")).countingJose(importOriginal, jose));

const { ImportedKey } = await import("../src/keys/ImportedKey.js");
const { KeyRing } = await import("../src/keys/KeyRing.js");
const { assertKeyFits, nativeVerify } = await import("../src/keys/nativeVerify.js");
const { useNativeCrypto } = await import("../src/keys/nodeCrypto.js");
const { createSignatureStep } = await import("../src/tokens/createSignatureStep.js");
const { isCompactJws } = await import("../src/tokens/isCompactJws.js");
const { readClaims } = await import("../src/tokens/readClaims.js");
const { claimRefusal } = await import("../src/tokens/tokenProblem.js");
const { ALL_JWS_ALGORITHMS, baseCases, CASE_ISSUER, CASE_NOW, CURRENT_KID, keyFor, PREVIOUS_KID } = await import("./helpers/jwsCases.js");
type SignatureStep = import("../src/tokens/createSignatureStep.js").SignatureStep;
type VerifiedJws = import("../src/tokens/createSignatureStep.js").VerifiedJws;
/** A signature step in continuation form: the verified JWS to `verified`, a refusal to `refused`. */
type SignatureCheck = <T>(signed: string, verified: (result: VerifiedJws) => T, refused: () => never) => Promise<T>;
const continuation =
  (step: SignatureStep): SignatureCheck =>
  (signed, verified, refused) =>
    Promise.resolve(step(signed)).then((result) => (result === undefined ? refused() : verified(result)));

const MAX_LENGTH = 8192;
// Cases per algorithm: 100,400 in all, HMAC-heavy (cheap), every algorithm well covered.
const RUNS: Record<AuthType, number> = {
  HS256: 24_000,
  HS384: 12_000,
  HS512: 12_000,
  RS256: 6_000,
  RS384: 3_500,
  RS512: 3_500,
  PS256: 6_000,
  PS384: 3_500,
  PS512: 3_500,
  ES256: 9_000,
  ES384: 3_000,
  ES512: 1_400,
  EdDSA: 13_000,
};
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const POLICY = { issuer: CASE_ISSUER, audience: undefined, clockTolerance: 0 };
const REFUSED = Symbol("refused");

/** What a signature check decides: refused, or accepted with the verified header, payload and readClaims' verdict. */
function outcome(verified: VerifiedJws): string {
  const claims = readClaims(verified.protectedHeader, verified.payload, POLICY, CASE_NOW);
  return `accepted ${JSON.stringify(verified.protectedHeader)} ${Buffer.from(verified.payload).toString("base64url")} -> ${typeof claims === "string" ? claimRefusal(claims).code : JSON.stringify(claims)}`;
}

async function decideWith(check: SignatureCheck, token: string): Promise<string> {
  return check(token, outcome, () => {
    throw REFUSED;
  }).catch((error: unknown) => {
    if (error === REFUSED) return "refused";
    throw error;
  });
}

/** Both paths on one token, after the same strict gate verifyToken applies first. */
async function decide(paths: Paths, token: string): Promise<[native: string, jose: string]> {
  if (!isCompactJws(token, MAX_LENGTH)) return ["gate", "gate"];
  const before = jose.calls;
  const fast = await decideWith(paths.native, token);
  // Asserted only when it fails: an expect per case was a tenth of this file's time (100,400 cases).
  if (jose.calls !== before) expect(jose.calls, "the native path never calls jose").toBe(before);
  // The reference's decision on a token it has decided before is the one it gave then (the same
  // keys, the same text): the random edits repeat tokens (the valid ones unedited, short
  // truncations), and jose's check, through Web Crypto, costs many times the native one.
  let reference = paths.decided.get(token);
  if (reference === undefined) paths.decided.set(token, (reference = await referenceDecision(paths, token)));
  return [fast, reference];
}

async function referenceDecision(paths: Paths, token: string): Promise<string> {
  const reference = await decideWith(paths.jose, token);
  // The native step refuses any `crit` header; jose accepts `crit: ["b64"]`, and readClaims then
  // refuses the header: the same final decision, taken one step earlier.
  if (/^accepted \{[^ ]*"crit":/.test(reference)) {
    expect(reference).toMatch(/-> TOKEN_INVALID$/);
    return "refused";
  }
  return reference;
}

interface Paths {
  readonly native: SignatureCheck;
  readonly jose: SignatureCheck;
  /** The jose path's decision on each token it has decided. */
  readonly decided: Map<string, string>;
}

/**
 * Both signature checks over one ring: the current key alone (`kid` "k-current"), or with the
 * "other" key as a previous key ("k-previous"), which takes jose's key-resolver path.
 */
function pathsFor(alg: AuthType, withPrevious: boolean): Paths {
  return onBothPaths(() => ringCheck(alg, withPrevious));
}

/** Builds `make()` once on node:crypto and once forced onto the jose fallback. */
function onBothPaths(make: () => SignatureCheck): Paths {
  const native = make();
  useNativeCrypto(false);
  try {
    return { native, jose: make(), decided: new Map() };
  } finally {
    useNativeCrypto(true);
  }
}

/**
 * The one-key signature step a caller that picked the key itself uses (RemoteIssuer, by `kid`
 * from a key set): `createSignatureStep` with one key, jose's as the CryptoKey RemoteIssuer holds.
 */
async function singleKeyPaths(alg: AuthType): Promise<Paths> {
  const joseKey = await new ImportedKey(undefined, alg, keyFor(alg).verifyKey, ["verify"]).joseKey;
  const key = { keyObject: KeyObject.from(joseKey), joseKey };
  return onBothPaths(() => continuation(createSignatureStep(alg, key)));
}

function ringCheck(alg: AuthType, withPrevious: boolean): SignatureCheck {
  const main = keyFor(alg);
  const verifying: [InstanceType<typeof ImportedKey>, ...InstanceType<typeof ImportedKey>[]] = [new ImportedKey(CURRENT_KID, alg, main.verifyKey, ["verify"])];
  if (withPrevious) verifying.push(new ImportedKey(PREVIOUS_KID, alg, keyFor(alg, "other").verifyKey, ["verify"]));
  const ring = new KeyRing(new ImportedKey(CURRENT_KID, alg, main.signKey, ["sign"]), verifying);
  return continuation(createSignatureStep(alg, ring));
}

const reencode = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
type Segments = [string, string, string];

/** The mutations, as plain data fast-check can generate and shrink cheaply. */
const mutation = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: "none" as const }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("char" as const), at: fc.nat(), char: fc.constantFrom(...BASE64URL, ".", "=", " ", "+", "/") }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("byte" as const), segment: fc.nat({ max: 2 }), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("bit" as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncate" as const), fromStart: fc.boolean(), count: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("pad" as const), atStart: fc.boolean(), bytes: fc.uint8Array({ minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("random" as const), seed: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("swap" as const), from: fc.nat() }) },
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(token: string, m: Mutation, pool: readonly string[]): string {
  const segments = token.split(".") as Segments;
  const signature = Buffer.from(segments[2], "base64url");
  const withSignature = (bytes: Uint8Array) => `${segments[0]}.${segments[1]}.${reencode(bytes)}`;
  switch (m.kind) {
    case "none":
      return token;
    case "char": {
      const at = m.at % token.length;
      return token.slice(0, at) + m.char + token.slice(at + 1);
    }
    case "byte": {
      const bytes = Buffer.from(segments[m.segment]!, "base64url");
      if (bytes.length === 0) return token;
      bytes[m.at % bytes.length]! ^= m.xor;
      segments[m.segment] = reencode(bytes);
      return segments.join(".");
    }
    case "bit": {
      if (signature.length === 0) return token;
      signature[Math.floor(m.at / 8) % signature.length]! ^= 1 << m.bit;
      return withSignature(signature);
    }
    case "truncate":
      return withSignature(m.fromStart ? signature.subarray(m.count) : signature.subarray(0, Math.max(0, signature.length - m.count)));
    case "pad":
      return withSignature(m.atStart ? Buffer.concat([m.bytes, signature]) : Buffer.concat([signature, m.bytes]));
    case "random": {
      const random = Buffer.alloc(signature.length);
      for (let i = 0, x = m.seed | 1; i < random.length; i++) random[i] = (x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) ^ i) & 0xff;
      return withSignature(random);
    }
    case "swap":
      return `${segments[0]}.${segments[1]}.${(pool[m.from % pool.length] as string).split(".")[2]}`;
  }
}

describe("native signature step against jose", () => {
  it("covers all 13 algorithms with at least 100,000 cases", () => {
    expect(Object.keys(RUNS).sort()).toEqual([...ALL_JWS_ALGORITHMS].sort());
    expect(Object.values(RUNS).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(100_000);
  });

  describe.each(ALL_JWS_ALGORITHMS)("%s", (alg) => {
    it.each([
      ["the current key alone", false],
      ["the current key and a previous key", true],
    ])("decides every named near miss as jose does, and accepts exactly the valid ones, with %s", async (_ring, withPrevious) => {
      const paths = pathsFor(alg, withPrevious);
      const decisions: Record<string, string> = {};
      for (const { label, token } of baseCases(alg)) {
        const [fast, reference] = await decide(paths, token);
        expect({ label, decision: fast }).toEqual({ label, decision: reference });
        decisions[label] = fast.replace(/^accepted .* -> /, "accepted -> ");
      }
      // The verdicts themselves, so that "the same" is never "both wrong".
      const accepted = /^accepted -> \{/;
      for (const label of ["valid", "valid, current kid", "header duplicate alg, pinned last", "header with BOM" /* jose drops a BOM, and so do we */]) {
        expect({ label, decision: decisions[label] }).toEqual({ label, decision: expect.stringMatching(accepted) });
      }
      expect(decisions["expired"]).toBe("accepted -> TOKEN_EXPIRED");
      expect(decisions["previous kid, signed by the previous key"]).toMatch(withPrevious ? accepted : /^refused$/);
      for (const label of [
        "wrong key",
        "previous kid, signed by the current key",
        "unknown kid",
        "kid not a string",
        "header without alg",
        "header alg none",
        "header alg lower case",
        "header duplicate alg, pinned first",
        "header crit b64 true",
        "header invalid UTF-8",
      ]) {
        expect({ label, decision: decisions[label] }).toEqual({ label, decision: "refused" });
      }
      for (const [label, decision] of Object.entries(decisions)) {
        if (
          label.startsWith("signed as") ||
          label.startsWith("HS256 with") ||
          label.includes("DER") ||
          label.includes("S + L") ||
          label.includes("= 0") ||
          label.includes("RSA signature ")
        ) {
          expect({ label, decision }).toEqual({ label, decision: "refused" });
        }
      }
      // OpenSSL alone would accept it for PSS; both paths refuse any signature not of the modulus length.
      if (alg === "RS256" || alg === "PS256") expect(decisions["RSA signature with its leading zero byte removed"]).toBe("refused");
      if (alg.startsWith("ES")) expect(decisions["ECDSA high-S (n - s)"]).toMatch(accepted); // OpenSSL has no low-S rule
    });

    it(`decides ${RUNS[alg].toLocaleString("en")} random edits of those tokens as jose does`, async () => {
      // A manager's ring of one key, of two keys, and the one-key step RemoteIssuer uses.
      const paths = [pathsFor(alg, false), pathsFor(alg, true), await singleKeyPaths(alg)];
      const pool = baseCases(alg).map((c) => c.token);
      // Mostly mutate the valid tokens, which only a correct check refuses after an edit.
      const base = fc.oneof(
        { weight: 3, arbitrary: fc.constant(0) },
        { weight: 1, arbitrary: fc.nat({ max: 3 }) },
        { weight: 2, arbitrary: fc.nat({ max: pool.length - 1 }) },
      );
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(base, mutation, fc.nat({ max: paths.length - 1 }), async (index, m, which) => {
          const token = mutate(pool[index]!, m, pool);
          const [fast, reference] = await decide(paths[which]!, token);
          if (fast.startsWith("accepted")) accepted++;
          if (fast !== reference) expect(fast).toBe(reference);
        }),
        { numRuns: RUNS[alg]! },
      );
      expect(accepted).toBeGreaterThan(0);
    }, 120_000);
  });
});

describe("key checks", () => {
  it("refuses keys that cannot be the algorithm's, naming only the algorithm", () => {
    const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const smallRsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
    const refusals: [AuthType, KeyObject][] = [
      ["ES256", p384.publicKey],
      ["ES512", p384.publicKey],
      ["RS256", smallRsa.publicKey],
      ["PS256", keyFor("ES256").verifyKey],
      ["EdDSA", keyFor("ES256").verifyKey],
      ["HS256", keyFor("RS256").verifyKey],
      ["RS256", keyFor("HS256").verifyKey],
      ["RS256", keyFor("RS256").signKey], // a private key where a verification key belongs
    ];
    for (const [alg, key] of refusals) {
      expect(() => nativeVerify(alg, key)).toThrow(new TypeError(`the verification key does not fit ${alg}`));
    }
    for (const alg of ALL_JWS_ALGORITHMS) expect(() => assertKeyFits(alg, keyFor(alg).verifyKey)).not.toThrow();
  });

  it("gives no native check when switched off (the jose fallback)", () => {
    useNativeCrypto(false);
    try {
      expect(nativeVerify("HS256", keyFor("HS256").verifyKey)).toBeUndefined();
    } finally {
      useNativeCrypto(true);
    }
    expect(nativeVerify("HS256", keyFor("HS256").verifyKey)).toBeTypeOf("function");
  });
});
