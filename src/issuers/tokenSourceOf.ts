import { JwtConfigError, JwtError } from "../errors.js";
import { decodeSegment } from "../jws/decodeSegment.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import { tokenRefusal } from "../tokens/tokenProblem.js";
import type { Verifier } from "../tokens/Verifier.js";
import { expiresAt, ISSUER, type HasIssuer, type Issuer } from "./Issuer.js";

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
  /**
   * For `requireToken({ apiKey: true })`: the token of an API key (a refusal when it is not a
   * valid, unrevoked key), or `undefined` when `credential` starts with no issuer's API key prefix
   * (it is then read as a JWT). `undefined` when no issuer has API keys.
   */
  readonly apiKey: ((credential: string) => JwtToken | Promise<JwtToken> | undefined) | undefined;
}

// Longest payload segment read to find `iss` before verification; real ones are a few hundred
// characters, and each verifier applies its own, smaller, length limit afterwards.
const MAX_PEEK = 64 * 1024;

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
export function tokenSourceOf(issuers: HasIssuer | readonly HasIssuer[]): TokenSource {
  const list: readonly unknown[] = Array.isArray(issuers) ? issuers : [issuers];
  if (list.length === 0) throw new JwtConfigError("issuers", "must name at least one AuthManager or RemoteIssuer");
  const byIssuer = new Map<string, TokenSource>();
  const prefixes = new Set<string>();
  for (const item of list) {
    const issuer = issuerOf(item);
    if (byIssuer.has(issuer.issuer)) throw new JwtConfigError("issuers", "two of them have the same issuer: a token's iss must pick one");
    byIssuer.set(issuer.issuer, sourceOf(issuer));
    if (issuer.apiKeys !== undefined) prefixes.add(issuer.apiKeys.prefix);
  }
  const sources = [...byIssuer.values()];
  if (sources.length === 1) return sources[0] as TokenSource;
  const anyStore = sources.some((source) => source.unrevoked !== undefined);
  const apiKeySources = sources.flatMap(({ apiKey }) => (apiKey === undefined ? [] : [apiKey]));
  // Each issuer's keys have their own prefix: a key is verified by the one whose prefix it has.
  if (prefixes.size < apiKeySources.length)
    throw new JwtConfigError("issuers", "two of them make API keys with the same apiKeyPrefix: a key's prefix must pick one");
  // A token one of them has verified before is answered from its cache, unparsed.
  const caches = sources.flatMap(({ verify }) => (verify.cached === undefined ? [] : [verify.cached]));
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
    unrevoked: anyStore ? (token) => byIssuer.get(token.iss)?.unrevoked?.(token) ?? token : undefined,
    watchRevocation: anyStore ? (token, onRevoked) => byIssuer.get(token.iss)?.watchRevocation?.(token, onRevoked) ?? (() => undefined) : undefined,
    apiKey:
      apiKeySources.length === 0
        ? undefined
        : (credential) => {
            for (const apiKey of apiKeySources) {
              const token = apiKey(credential);
              if (token !== undefined) return token;
            }
            return undefined;
          },
  };
}

function sourceOf({ verify, now, tolerance, revocation, apiKeys }: Issuer): TokenSource {
  return {
    verify,
    isUnexpired: (token) => expiresAt(token, tolerance) > now(),
    now,
    expiresAt: (token) => expiresAt(token, tolerance),
    unrevoked: revocation === undefined ? undefined : (token) => revocation.check(token),
    watchRevocation: revocation === undefined ? undefined : (token, onRevoked) => revocation.watch(token, onRevoked),
    apiKey: apiKeys === undefined ? undefined : (credential) => (credential.startsWith(apiKeys.prefix) ? apiKeys.verify(credential) : undefined),
  };
}

// Only an AuthManager or a RemoteIssuer has the method (its key is module-internal).
function issuerOf(item: unknown): Issuer {
  const method = typeof item === "object" && item !== null ? (item as Partial<HasIssuer>)[ISSUER] : undefined;
  if (typeof method !== "function") throw new JwtConfigError("issuers", "must be an AuthManager, a RemoteIssuer, or a list of them");
  return method.call(item);
}

/** The `iss` a compact token claims, unverified; `undefined` when it cannot be read. */
function unverifiedIssuer(signed: unknown): string | undefined {
  if (typeof signed !== "string") return undefined;
  const start = signed.indexOf(".") + 1;
  const end = signed.indexOf(".", start);
  if (start === 0 || end < 0 || end - start > MAX_PEEK) return undefined;
  const payload = decodeSegment(signed.slice(start, end));
  const iss = payload !== undefined && Object.hasOwn(payload, "iss") ? payload["iss"] : undefined;
  return typeof iss === "string" ? iss : undefined;
}
