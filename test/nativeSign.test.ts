// Native signing (node:crypto) against the reference (jose's SignJWT): over all 13 algorithms,
// tokens that managers issue on the native path, with random subjects, scopes, claims, issuers,
// audiences and key ids, verify in jose and in fast-jwt, carry exactly the header and claims (in
// their order) that issuing documents, and equal jose's token byte for byte where the algorithm is
// deterministic (HMAC, RSA PKCS#1 v1.5, Ed25519). A seeded loop, in batches, so that jose's
// asynchronous work overlaps: 100,000 cases in seconds.
import { createPrivateKey, createSecretKey } from "node:crypto";
import { createVerifier } from "fast-jwt";
import { base64url, compactVerify, importPKCS8, importSPKI, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { AuthManager, type AuthType, type JwtToken } from "trpc-jwt";
import { ImportedKey } from "../src/keys/ImportedKey.js";
import { createTokenSigner } from "../src/tokens/createTokenSigner.js";
import { ALGORITHMS, fakeClock, pairFor, secretFor } from "./helpers/keys.js";

// Tokens per algorithm: 100,200 in all, nearly all HMAC (about 60 µs of CPU a case); Ed25519 and
// P-256 cost a few hundred µs, RSA signing and P-384 and P-521 verification milliseconds, so
// those get a few hundred cases or fewer, each algorithm still covered.
const RUNS: Record<AuthType, number> = {
  HS256: 45_000,
  HS384: 25_000,
  HS512: 22_000,
  RS256: 150,
  RS384: 60,
  RS512: 60,
  PS256: 150,
  PS384: 60,
  PS512: 60,
  ES256: 3_000,
  ES384: 100,
  ES512: 60,
  EdDSA: 4_500,
};
// A token byte for byte jose's verifies in jose as jose's own does: jose checks every token of
// the randomised algorithms, and every eighth of the deterministic ones.
const JOSE_VERIFIES_EVERY = 8;
const DETERMINISTIC = new Set<AuthType>(["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "EdDSA"]);
const BATCH = 100;
const NOW_MS = Date.UTC(2031, 4, 6, 7, 8, 9);

/** mulberry32: the same cases on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// What JSON text can get wrong: escapes, non-ASCII, astral characters, lone surrogates (which
// JSON.stringify escapes), U+2028, markup; names that are integers (objects list them first), or
// Object.prototype's own names.
const TEXTS = [
  "",
  "alice",
  'a"b',
  "back\\slash",
  "tab\tnew\nline",
  "\u0000nul",
  "ü",
  "名前",
  "🔑",
  "\ud800",
  "x\udfffy",
  "\u2028",
  "</script>",
  "é".normalize("NFD"),
  "0",
  "-1",
];
const NAMES = ["org", "role", "ünï", "名前", "emoji🔑", "0", "12", "4294967295", 'a"b', "line\nbreak", "toString", "constructor", "hasOwnProperty", "nested"];
const NUMBERS = [0, -0, 1, -1, 42, 0.1, 1e-7, 5e-324, 123456.789, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 31];

type Json = string | number | boolean | null | Json[] | { [name: string]: Json };

function randomJson(random: () => number, depth = 0): Json {
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  const kind = Math.floor(random() * (depth >= 3 ? 4 : 6));
  switch (kind) {
    case 0:
      return pick(TEXTS) + pick(TEXTS);
    case 1:
      return pick(NUMBERS);
    case 2:
      return random() < 0.5;
    case 3:
      return null;
    case 4:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth + 1));
    default:
      return randomObject(random, depth + 1);
  }
}

function randomObject(random: () => number, depth: number): { [name: string]: Json } {
  const object: { [name: string]: Json } = {};
  for (let i = Math.floor(random() * 4); i > 0; i--) object[NAMES[Math.floor(random() * NAMES.length)] as string] = randomJson(random, depth);
  return object;
}

/** One manager per header form: no kid or the key's thumbprint, and an explicit keyId with an audience. */
interface Issuer {
  readonly auth: AuthManager;
  readonly issuer: string;
  readonly audience: string | undefined;
  readonly header: { alg: AuthType; typ: "JWT"; kid?: string };
}

function issuers(alg: AuthType, clock: () => number): Issuer[] {
  const plain = new AuthManager({ issuer: "differential", authType: alg, secret: secretFor(alg), clock });
  const named = new AuthManager({ issuer: 'issuer "ü" 🔑', authType: alg, secret: secretFor(alg), clock, audience: "aud-✓", keyId: 'k/ü"1' });
  return [plain, named].map((auth) => ({
    auth,
    issuer: auth.issuer,
    audience: auth.audience,
    header: auth.keyId === undefined ? { alg, typ: "JWT" } : { alg, typ: "JWT", kid: auth.keyId },
  }));
}

const SESSION_CLAIMS = new Set(["sid", "auth_time", "csrf", "rot"]);
const sessionPart = (token: JwtToken) => Object.fromEntries(Object.entries(token.claims).filter(([name]) => SESSION_CLAIMS.has(name)));

/** One random issuing call and what it must produce: the documented claims, in their order. */
interface Case {
  readonly token: JwtToken;
  readonly expected: Record<string, unknown>;
  readonly header: Issuer["header"];
}

async function randomCases(random: () => number, managers: readonly Issuer[], count: number): Promise<Case[]> {
  const cases: Promise<Case[]>[] = [];
  for (let i = 0; i < count; i++) {
    const { auth, issuer, audience, header } = managers[Math.floor(random() * managers.length)] as Issuer;
    const sub = `${TEXTS[Math.floor(random() * TEXTS.length)]}user-${i}`;
    const scope = random() < 0.2 ? undefined : randomJson(random);
    const claims = random() < 0.3 ? undefined : randomObject(random, 1);
    const way = random();
    const iat = Math.floor(NOW_MS / 1000);
    const expected = (token: JwtToken, session?: object) => ({
      iss: issuer,
      ...(audience === undefined ? {} : { aud: audience }),
      iat,
      exp: iat + (token.tokenType === "auth" ? auth.authMaxAge : auth.refreshMaxAge),
      sub,
      type: token.tokenType,
      jti: token.jti,
      ...(token.tokenType === "auth" && scope !== undefined && scope !== null ? { scope } : {}),
      ...(token.tokenType === "auth" ? claims : {}),
      ...session,
    });
    if (way < 0.1) {
      cases.push(
        auth.login(sub, scope as never, claims as never).then(({ authToken, refreshToken }) =>
          // The session's claims (sid, auth_time, csrf; rot in refresh tokens) are the sessions'
          // business: taken from the token, they must come last, in the order issuing added them.
          [authToken, refreshToken].map((token) => ({ token, expected: expected(token, sessionPart(token)), header })),
        ),
      );
    } else {
      const issued = way < 0.2 ? auth.refreshToken(sub) : auth.authToken(sub, scope as never, claims as never);
      cases.push(issued.then((token) => [{ token, expected: expected(token), header }]));
    }
  }
  return (await Promise.all(cases)).flat();
}

/** The references' keys: jose's imported once (Web Crypto), fast-jwt's as the secret or the public PEM. */
interface ReferenceKeys {
  readonly sign: CryptoKey;
  readonly verify: CryptoKey;
  readonly fastJwt: string;
}

async function referenceKeys(alg: AuthType): Promise<ReferenceKeys> {
  if (alg.startsWith("HS")) {
    const hmac = { name: "HMAC", hash: `SHA-${alg.slice(2)}` };
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secretFor(alg)), hmac, false, ["sign", "verify"]);
    return { sign: key, verify: key, fastJwt: secretFor(alg) };
  }
  const { privateKey, publicKey } = pairFor(alg);
  return { sign: await importPKCS8(privateKey, alg), verify: await importSPKI(publicKey, alg), fastJwt: publicKey };
}

const segments = (token: string) => token.slice(0, token.lastIndexOf("."));

/**
 * jose's token for the expected header and claims. For the algorithms whose signatures are random
 * (ECDSA, RSA-PSS) only the signing input can be compared: it is written as SignJWT writes it (its
 * JSON texts, base64url by jose), without the slow signature.
 */
async function joseToken(alg: AuthType, key: CryptoKey, { expected, header }: Case): Promise<string> {
  if (DETERMINISTIC.has(alg)) return new SignJWT(expected).setProtectedHeader(header).sign(key);
  return `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(expected))}.`;
}

/** Every way one case can be wrong, as text; empty when it is right. */
async function problems(alg: AuthType, keys: ReferenceKeys, fastVerify: (token: string) => unknown, c: Case, index: number): Promise<string[]> {
  const { token, expected } = c;
  const found: string[] = [];
  const json = JSON.stringify(expected);
  const reference = await joseToken(alg, keys.sign, c);
  if (segments(token.signed) !== segments(reference)) found.push("header or claims differ from jose's");
  if (DETERMINISTIC.has(alg) && token.signed !== reference) found.push("signature differs from jose's");
  if (!DETERMINISTIC.has(alg) || index % JOSE_VERIFIES_EVERY === 0) {
    const verified = await compactVerify(token.signed, keys.verify, { algorithms: [alg] }).then(
      ({ payload }) => new TextDecoder().decode(payload),
      () => "refused",
    );
    if (verified !== json) found.push(`jose: ${verified === "refused" ? "refused" : "another payload"}`);
  }
  let fast: string;
  try {
    fast = JSON.stringify(fastVerify(token.signed));
  } catch (error) {
    fast = `refused (${(error as { code?: string }).code})`;
  }
  if (fast !== json) found.push(`fast-jwt: ${fast.startsWith("refused") ? fast : "another payload"}`);
  if (Object.getPrototypeOf(token.claims) !== null || !Object.isFrozen(token.claims) || JSON.stringify(token.claims) !== json) found.push("JwtToken claims");
  return found;
}

describe("native signing against jose", () => {
  it("covers all 13 algorithms with at least 100,000 cases", () => {
    expect(Object.keys(RUNS).sort()).toEqual([...ALGORITHMS].sort());
    expect(Object.values(RUNS).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(100_000);
  });

  it.each(ALGORITHMS)("signs on node:crypto, synchronously: %s", (alg) => {
    const keyObject = alg.startsWith("HS") ? createSecretKey(Buffer.from(secretFor(alg))) : createPrivateKey(pairFor(alg).privateKey);
    const key = new ImportedKey(undefined, alg, keyObject, ["sign"]);
    // A string, not a promise: the jose fallback is asynchronous.
    expect(createTokenSigner(key)('{"sub":"alice"}')).toBeTypeOf("string");
  });

  it.each(ALGORITHMS)(
    "issues %s tokens that verify in jose and fast-jwt and match jose's",
    async (alg) => {
      const clock = fakeClock(NOW_MS);
      const managers = issuers(alg, clock.now);
      const keys = await referenceKeys(alg);
      const fastVerify = createVerifier({ key: keys.fastJwt, algorithms: [alg], cache: false, clockTimestamp: NOW_MS });
      const random = seeded(ALGORITHMS.indexOf(alg) + 1);
      const failures: { problems: string[]; token: string }[] = [];
      let checked = 0;
      while (checked < RUNS[alg]) {
        const cases = await randomCases(random, managers, Math.min(BATCH, RUNS[alg] - checked));
        const found = await Promise.all(cases.map((c, i) => problems(alg, keys, fastVerify, c, i)));
        found.forEach((list, i) => list.length > 0 && failures.length < 3 && failures.push({ problems: list, token: cases[i]!.token.signed }));
        checked += cases.length;
      }
      expect(failures).toEqual([]);
    },
    60_000,
  );
});
