import type { AuthType } from "../config/options.js";
import { JwtConfigError } from "../errors.js";
import type { ImportedKey } from "./ImportedKey.js";
import type { JwkSet, PublicJwk } from "./JwkSet.js";

/**
 * The manager's keys: the one signing key, and the keys that verify (the current one first, then
 * the previous ones of a rotation), each pinned to the manager's algorithm. Module-internal.
 */
export class KeyRing {
  readonly alg: AuthType;
  /** Signs every new token; its `kid` goes into the header. */
  readonly signing: ImportedKey;
  /** The current verifying key: the only one for tokens without `kid`. */
  readonly current: ImportedKey;
  /** Every verifying key, current first. */
  readonly verifying: readonly ImportedKey[];
  readonly #byKid: ReadonlyMap<string, ImportedKey>;
  readonly #jwks: JwkSet | undefined;

  constructor(signing: ImportedKey, verifying: readonly [ImportedKey, ...ImportedKey[]]) {
    this.alg = signing.alg;
    this.signing = signing;
    this.current = verifying[0];
    this.verifying = Object.freeze([...verifying]);
    this.#byKid = new Map(verifying.filter((key) => key.kid !== undefined).map((key) => [key.kid as string, key]));
    this.#jwks = verifying.every((key) => key.keyObject?.type === "public") ? Object.freeze({ keys: Object.freeze(verifying.map(publicJwk)) }) : undefined;
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

  /** The public JWK Set; HMAC rings have none and throw `JwtConfigError`. */
  jwks(): JwkSet {
    if (this.#jwks === undefined) {
      throw new JwtConfigError("jwks", this.alg.startsWith("HS") ? `${this.alg} keys are shared secrets and are never published; use an asymmetric authType` : "needs node:crypto to export the public keys, which this runtime lacks");
    }
    return this.#jwks;
  }
}

function publicJwk(key: ImportedKey): PublicJwk {
  // A public KeyObject exports only public members: no private member can slip in.
  const members = key.keyObject?.export({ format: "jwk" }) as Record<string, string>;
  return Object.freeze({ ...members, kid: key.kid as string, alg: key.alg, use: "sig" } as PublicJwk);
}
