import type { ApiKeyVerifier } from "../apiKeys/ApiKeyVerifier.js";
import type { JwtError } from "../errors.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import type { Verifier } from "../tokens/Verifier.js";

/**
 * The key of the one method by which an issuer (`AuthManager`, `RemoteIssuer`) hands a request
 * context its {@link Issuer}. A symbol, so it neither collides with nor shows among the public
 * methods, and nothing but a real issuer has it. Module-internal.
 */
export const ISSUER: unique symbol = Symbol("trpc-jwt: issuer");

/**
 * What the tRPC context needs of one issuer: its `iss`, a verifier (a cache hit comes back
 * without a promise, see `Verifier.cached`), its clock and `clockTolerance` (expiry and
 * `maxAuthAge` are re-checked by them on every use), and its revocation check when it has a
 * token store. Module-internal: `createJwtContext` reads it through {@link ISSUER}.
 *
 * @example
 * ```ts
 * const { verify, now, tolerance } = auth[ISSUER]();
 * ```
 */
export interface Issuer {
  /** The `iss` its tokens carry, exactly. */
  readonly issuer: string;
  readonly verify: Verifier;
  /** Now, in milliseconds, by the issuer's clock. */
  readonly now: () => number;
  /** Its `clockTolerance`, in seconds. */
  readonly tolerance: number;
  /** `undefined` when the issuer has no token store. */
  readonly revocation: Revocation | undefined;
  /** Its API keys' verifier (`requireToken({ apiKey: true })`); absent when it has none. */
  readonly apiKeys?: ApiKeyVerifier | undefined;
}

/** An issuer's revocation check, applied on every use of a token it verified. Module-internal. */
export interface Revocation {
  /** The token itself when nothing revokes it, else rejects with `JwtError`; synchronous when remembered. */
  check(token: JwtToken): JwtToken | Promise<JwtToken>;
  /**
   * Calls `onRevoked` once if `token` is revoked while watched (an open subscription); returns a
   * function that stops watching.
   */
  watch(token: JwtToken, onRevoked: (error: JwtError) => void): () => void;
}

/** Something a request context can verify tokens with: an `AuthManager` or a `RemoteIssuer`. Module-internal. */
export interface HasIssuer {
  [ISSUER](): Issuer;
}

/**
 * The moment, in milliseconds, from which `token` counts as expired: `exp` plus the issuer's
 * `clockTolerance`. The one formula behind `isUnexpired` and the subscription expiry watch.
 *
 * @example
 * ```ts
 * const unexpired = expiresAt(token, clockTolerance) > clock();
 * ```
 */
export function expiresAt(token: { readonly exp: number }, toleranceSeconds: number): number {
  return (token.exp + toleranceSeconds) * 1000;
}
