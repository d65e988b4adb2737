import type { AuthType } from "../jws/algorithms.js";

/** A public JWK as `auth.jwks()` publishes it: the key's public members plus `kid`, `alg`, `use`. */
export interface PublicJwk {
  readonly kty: string;
  readonly kid: string;
  readonly alg: AuthType;
  readonly use: "sig";
  readonly [member: string]: string;
}

/** A JWK Set (RFC 7517 section 5): what `/.well-known/jwks.json` serves. */
export interface JwkSet {
  readonly keys: readonly PublicJwk[];
}
