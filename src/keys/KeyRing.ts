import type { AuthType } from "../jws/algorithms.js";
import { JwtConfigError } from "../errors.js";
import type { ImportedKey } from "./ImportedKey.js";
import type { JwkSet, PublicJwk } from "./JwkSet.js";
import { publicHalf } from "./publicHalf.js";

const NEVER_PUBLISHED = "keys are shared secrets and are never published; use an asymmetric authType";
const STILL_IMPORTING =
  "the keys are still being imported (this runtime has no node:crypto, so Web Crypto imports them asynchronously): `await auth.ready()` first";

/**
 * The manager's keys: the one signing key (none for a verify-only manager), and the keys that
 * verify (the current one first, then the previous ones of a rotation), each pinned to the
 * manager's algorithm; when they are all imported and checked (`ready`), and the public JWK Set
 * they publish. Module-internal.
 */
export class KeyRing {
  readonly alg: AuthType;
  /** Signs every new token (its `kid` goes into the header); undefined for a verify-only ring. */
  readonly signing: ImportedKey | undefined;
  /** The current verifying key: the only one for tokens without `kid`. */
  readonly current: ImportedKey;
  /** Every verifying key, current first. */
  readonly verifying: readonly ImportedKey[];
  /**
   * The private keys of previous asymmetric keys given with theirs (`previousKeys[i].secret`):
   * they never sign; API keys made under them stay valid.
   */
  readonly retired: readonly ImportedKey[];
  readonly #byKid: ReadonlyMap<string, ImportedKey>;
  readonly #ready: Promise<void>;
  // What jwks() returns, or the error it throws (rebuilt each time): set once known, so a
  // private field that a frozen ring may still change.
  #published: JwkSet | JwtConfigError;

  /**
   * `publicMembers`: the public JWK of each verifying key, in order; a promise while a Web Crypto
   * import is under way; undefined for HMAC keys, which are never published.
   */
  constructor(
    signing: ImportedKey | undefined,
    verifying: readonly [ImportedKey, ...ImportedKey[]],
    publicMembers?: readonly JsonWebKey[] | Promise<readonly JsonWebKey[]>,
    retired: readonly ImportedKey[] = [],
  ) {
    this.alg = verifying[0].alg;
    this.signing = signing;
    this.current = verifying[0];
    this.verifying = Object.freeze([...verifying]);
    this.retired = Object.freeze([...retired]);
    // Why jwks() can never publish these keys, whatever their imports do.
    const unpublishable = publicMembers === undefined ? new JwtConfigError("jwks", `${this.alg} ${NEVER_PUBLISHED}`) : missingKid(verifying);
    this.#published = unpublishable ?? (Array.isArray(publicMembers) ? publish(verifying, publicMembers) : new JwtConfigError("jwks", STILL_IMPORTING));
    // The first failure in ring order: the signing key's (`secret`, `publicKey`), then the previous keys'.
    this.#ready = Promise.allSettled([signing?.joseKey, ...verifying.map((key) => key.joseKey), publicMembers]).then((results) => {
      const failed = results.findIndex((result) => result.status === "rejected");
      if (failed >= 0) {
        const { reason } = results[failed] as PromiseRejectedResult;
        // Our import checks reject with JwtConfigError; anything else the runtime's Web Crypto threw
        // is reported the same way, naming the key it concerns, never with the runtime's text.
        const error =
          reason instanceof JwtConfigError
            ? reason
            : new JwtConfigError(optionOfKey(failed, verifying.length, signing === undefined), "could not be imported by this runtime's Web Crypto");
        this.#published = unpublishable ?? error;
        throw error;
      }
      if (publicMembers instanceof Promise)
        this.#published = unpublishable ?? publish(verifying, (results.at(-1) as PromiseFulfilledResult<readonly JsonWebKey[]>).value);
    });
    // Nobody need call ready(): a bad key also rejects signing, so this rejection is not lost.
    this.#ready.catch(() => undefined);
    // Last: the imports above are under way and their rejections handled when a repeated id throws.
    this.#byKid = byKid(verifying);
    Object.freeze(this);
  }

  /**
   * The key that checks a token whose header names `kid`: the key of that id, or the current key
   * when the token names none (Flask_PyJWT tokens). Undefined for an unknown or non-string kid.
   */
  select(kid: unknown): ImportedKey | undefined {
    if (kid === undefined) return this.current;
    return typeof kid === "string" ? this.#byKid.get(kid) : undefined;
  }

  /**
   * The key that signs; throws `JwtConfigError` naming `secret` for a verify-only ring, so that
   * every way of issuing a token fails the same way.
   */
  signingKey(): ImportedKey {
    if (this.signing === undefined) {
      throw new JwtConfigError(
        "secret",
        "is needed to sign: this manager was given publicKey without secret, so it only verifies tokens (sign them where the private key is)",
      );
    }
    return this.signing;
  }

  /** Resolves once every key is imported and checked; rejects with the first key's `JwtConfigError`. The same promise each call. */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** The public JWK Set; throws `JwtConfigError` for HMAC rings, and where it is not known (yet). */
  jwks(): JwkSet {
    const published = this.#published;
    if (published instanceof JwtConfigError) throw new JwtConfigError(published.option, published.problem);
    return published;
  }
}

function publish(verifying: readonly ImportedKey[], members: readonly JsonWebKey[]): JwkSet {
  return Object.freeze({ keys: Object.freeze(verifying.map((key, i) => publicJwk(key, members[i] ?? {}))) });
}

/** Without node:crypto a key's kid is its keyId or none; a published JWK must carry its tokens' kid. */
function missingKid(verifying: readonly ImportedKey[]): JwtConfigError | undefined {
  if (verifying.every((key) => key.kid !== undefined)) return undefined;
  return new JwtConfigError(
    "keyId",
    "is needed to publish keys with jwks() on a runtime without node:crypto: there tokens carry keyId as their kid (no RFC 7638 thumbprint), or no kid at all, and a published key must carry its tokens' kid",
  );
}

// The verifying keys by kid. The current key comes first, so a repeated id is a previous key's.
function byKid(verifying: readonly ImportedKey[]): ReadonlyMap<string, ImportedKey> {
  const keys = new Map<string, ImportedKey>();
  verifying.forEach((key, i) => {
    if (key.kid === undefined) return;
    if (keys.has(key.kid))
      throw new JwtConfigError(`previousKeys[${i - 1}].keyId`, "repeats the id of another key (the same key twice, or two keys with one id)");
    keys.set(key.kid, key);
  });
  return keys;
}

function publicJwk(key: ImportedKey, members: JsonWebKey): PublicJwk {
  // Only the public members are copied: no private member can slip in.
  return Object.freeze({ ...publicHalf(members), kid: key.kid as string, alg: key.alg, use: "sig" } as PublicJwk);
}

// The option behind the key at `index` of [signing, ...verifying, publicMembers]. Without a
// signing key the current one is publicKey's.
function optionOfKey(index: number, verifying: number, verifyOnly: boolean): string {
  if (index >= 2 && index <= verifying) return `previousKeys[${index - 2}].publicKey`;
  return verifyOnly ? "publicKey" : "secret";
}
