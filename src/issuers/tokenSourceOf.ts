import { base64url } from "jose";
import { AuthManager, clockOf, revocationCheckOf, toleranceOf, verifierOf, type AnyAuthManager, type AuthTokenOf } from "../AuthManager.js";
import { JwtConfigError, JwtError } from "../errors.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import { tokenRefusal } from "../tokens/tokenProblem.js";
import type { Verifier } from "../tokens/Verifier.js";
import { RemoteIssuer, remoteClockOf, remoteToleranceOf, remoteVerifierOf } from "./RemoteIssuer.js";

/**
 * Something that verifies tokens of one issuer: your own `AuthManager`, or a `RemoteIssuer` for
 * an identity provider's access tokens.
 *
 * @example
 * ```ts
 * const issuers: JwtIssuer[] = [auth, idp];
 * ```
 */
export type JwtIssuer = AnyAuthManager | RemoteIssuer;

/**
 * The auth tokens a context built on `issuers` yields: an `AuthManager`'s typed from its
 * schemas, a `RemoteIssuer`'s plain `JwtToken`; with several issuers, the union.
 */
export type IssuedToken<TIssuers> = TIssuers extends readonly (infer TIssuer)[] ? TokenOfIssuer<TIssuer> : TokenOfIssuer<TIssuers>;
type TokenOfIssuer<TIssuer> = TIssuer extends AnyAuthManager ? AuthTokenOf<TIssuer> : JwtToken;

/**
 * What a request context needs from its issuers: a verifier (a cache hit comes back without a
 * promise) and the right clock to re-check a verified token's expiry and, for
 * `requireToken({ maxAuthAge })`, its freshness. Module-internal.
 */
export interface TokenSource {
  readonly verify: Verifier;
  readonly isUnexpired: (token: JwtToken) => boolean;
  /** Now, in milliseconds, by the clock of the issuer that verified `token`. */
  readonly now: (token: JwtToken) => number;
  /**
   * The moment, in milliseconds by that issuer's clock, from which `token` counts as expired:
   * `exp` plus the issuer's `clockTolerance` (what `isUnexpired` compares with).
   */
  readonly expiresAt: (token: JwtToken) => number;
  /**
   * The token itself when nothing revokes it (else rejects with `JwtError`), applied on every
   * use of a verified token; `undefined` when no issuer has a token store.
   */
  readonly unrevoked: ((token: JwtToken) => JwtToken | Promise<JwtToken>) | undefined;
  /**
   * Calls `onRevoked` once if `token` is revoked while watched (an open subscription); returns a
   * function that stops watching. `undefined` when no issuer has a token store.
   */
  readonly watchRevocation: ((token: JwtToken, onRevoked: (error: JwtError) => void) => () => void) | undefined;
}

// Longest payload segment read to find `iss` before verification; real ones are a few hundred
// characters, and each verifier applies its own, smaller, length limit afterwards.
const MAX_PEEK = 64 * 1024;
const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The token source for one issuer or several. With several, a token one of them has verified
 * before is answered from that issuer's cache (it passed that issuer's `iss` check, and a hit
 * must match it exactly); any other token's unverified `iss` picks the issuer, which then checks
 * everything (signature, `iss` again, lifetime, ...); an `iss` that none of them has is
 * `TOKEN_INVALID`. Throws `JwtConfigError("issuers")` for an empty list,
 * something that is not an issuer, or two issuers with the same `iss`. Module-internal.
 *
 * @example
 * ```ts
 * const source = tokenSourceOf([auth, idp]);
 * ```
 */
export function tokenSourceOf(issuers: JwtIssuer | readonly JwtIssuer[]): TokenSource {
  const list: readonly unknown[] = Array.isArray(issuers) ? issuers : [issuers];
  if (list.length === 0) throw new JwtConfigError("issuers", "must name at least one AuthManager or RemoteIssuer");
  const byIssuer = new Map<string, TokenSource>();
  for (const item of list) {
    const [issuer, source] = sourceOf(item);
    if (byIssuer.has(issuer)) throw new JwtConfigError("issuers", "two of them have the same issuer: a token's iss must pick one");
    byIssuer.set(issuer, source);
  }
  if (byIssuer.size === 1) return byIssuer.values().next().value as TokenSource;
  const anyStore = [...byIssuer.values()].some((source) => source.unrevoked !== undefined);
  // A token one of them has verified before is answered from its cache, unparsed.
  const caches = [...byIssuer.values()].flatMap(({ verify }) => (verify.cached === undefined ? [] : [verify.cached]));
  return {
    verify: (signed, type) => {
      for (const cached of caches) {
        const answer = cached(signed, type);
        if (answer !== undefined) return answer;
      }
      const iss = unverifiedIssuer(signed);
      const source = iss === undefined ? undefined : byIssuer.get(iss);
      return source === undefined ? Promise.reject(tokenRefusal("TOKEN_INVALID", "issuer")) : source.verify(signed, type);
    },
    // A verified token came from the issuer its iss names.
    isUnexpired: (token) => byIssuer.get(token.iss)?.isUnexpired(token) === true,
    // Never reached for a verified token; infinitely late, freshness would fail closed.
    now: (token) => byIssuer.get(token.iss)?.now(token) ?? Number.POSITIVE_INFINITY,
    expiresAt: (token) => byIssuer.get(token.iss)?.expiresAt(token) ?? Number.NEGATIVE_INFINITY,
    ...(anyStore
      ? {
          unrevoked: (token: JwtToken) => byIssuer.get(token.iss)?.unrevoked?.(token) ?? token,
          watchRevocation: (token: JwtToken, onRevoked: (error: JwtError) => void) =>
            byIssuer.get(token.iss)?.watchRevocation?.(token, onRevoked) ?? (() => undefined),
        }
      : { unrevoked: undefined, watchRevocation: undefined }),
  };
}

function sourceOf(issuer: unknown): [string, TokenSource] {
  if (issuer instanceof AuthManager) {
    const revocations = revocationCheckOf(issuer);
    const common = {
      verify: verifierOf(issuer),
      isUnexpired: (token: JwtToken) => issuer.isUnexpired(token),
      now: clockOf(issuer),
      expiresAt: expiryAfter(toleranceOf(issuer)),
    };
    if (revocations === undefined) return [issuer.issuer, { ...common, unrevoked: undefined, watchRevocation: undefined }];
    return [
      issuer.issuer,
      { ...common, unrevoked: (token) => revocations.check(token), watchRevocation: (token, onRevoked) => revocations.watch(token, onRevoked) },
    ];
  }
  if (issuer instanceof RemoteIssuer) {
    return [
      issuer.issuer,
      {
        verify: remoteVerifierOf(issuer),
        isUnexpired: (token) => issuer.isUnexpired(token),
        now: remoteClockOf(issuer),
        expiresAt: expiryAfter(remoteToleranceOf(issuer)),
        unrevoked: undefined,
        watchRevocation: undefined,
      },
    ];
  }
  throw new JwtConfigError("issuers", "must be an AuthManager, a RemoteIssuer, or a list of them");
}

// A token is expired from `exp + clockTolerance` seconds on, as `isUnexpired` decides.
const expiryAfter = (toleranceSeconds: number) => (token: JwtToken) => (token.exp + toleranceSeconds) * 1000;

/** The `iss` a compact token claims, unverified; `undefined` when it cannot be read. */
function unverifiedIssuer(signed: unknown): string | undefined {
  if (typeof signed !== "string") return undefined;
  const start = signed.indexOf(".") + 1;
  const end = signed.indexOf(".", start);
  if (start === 0 || end < 0 || end - start > MAX_PEEK) return undefined;
  try {
    const payload: unknown = JSON.parse(UTF8.decode(base64url.decode(signed.slice(start, end))));
    if (typeof payload !== "object" || payload === null || !Object.hasOwn(payload, "iss")) return undefined;
    const { iss } = payload as { iss: unknown };
    return typeof iss === "string" ? iss : undefined;
  } catch {
    return undefined;
  }
}
