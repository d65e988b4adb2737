import type { ClaimProblem } from "./tokenProblem.js";

/** What a verifier requires of the registered claims (RFC 7519 section 4.1). */
export interface ClaimPolicy {
  /** `iss` must equal it exactly. */
  readonly issuer: string;
  /** `aud` must be it or an array containing it; undefined: a token with any `aud` is refused. */
  readonly audience: string | undefined;
  /** Seconds of skew allowed on `exp`, `nbf` and a future `iat`. */
  readonly clockTolerance: number;
}

// 9999-12-31T23:59:59Z: beyond this a timestamp is not a sane lifetime.
const MAX_TIMESTAMP = 253402300799;
/**
 * Seconds an accepted token's `iat` may be ahead of our clock on top of `clockTolerance`: `iat`
 * has whole-second resolution, so a verifier a few milliseconds behind the issuer sees a fresh
 * token "from the future"; `exp` still bounds the token. Whatever compares an `iat` with our clock
 * (a sub-wide revocation) allows the same.
 */
export const IAT_ALLOWANCE = 60;

/**
 * Checks `iss`, `aud`, `iat`, `nbf`, `exp` and `jti` of a verified payload: `iss`, `iat` and `exp`
 * required, timestamps whole seconds. Returns the first problem (`issuer`, `audience`, `claims`),
 * `expired` only when everything else is right and `exp + clockTolerance <= now`, else
 * undefined. Shared by every issuer's verifier.
 *
 * @example
 * ```ts
 * checkRegisteredClaims(payload, { issuer: "api", audience: undefined, clockTolerance: 0 }, nowSeconds);
 * ```
 */
export function checkRegisteredClaims(payload: Readonly<Record<string, unknown>>, policy: ClaimPolicy, nowSeconds: number): ClaimProblem | undefined {
  const { iss, iat, exp, nbf, aud, jti } = payload;
  const { clockTolerance } = policy;
  if (iss !== policy.issuer) return "issuer";
  if (!isTimestamp(iat) || !isTimestamp(exp)) return "claims";
  if (iat > nowSeconds + clockTolerance + IAT_ALLOWANCE) return "claims";
  if (nbf !== undefined && (!isTimestamp(nbf) || nbf > nowSeconds + clockTolerance)) return "claims";
  if (!isAudienceOk(aud, policy.audience)) return "audience";
  if (jti !== undefined && (typeof jti !== "string" || jti === "")) return "claims";
  if (exp + clockTolerance <= nowSeconds) return "expired";
  return undefined;
}

/**
 * Whether an `aud` claim names `audience` (a string equal to it, or a non-empty array of strings
 * containing it); with no audience configured, whether the token names none (RFC 7519 4.1.3).
 *
 * @example
 * ```ts
 * isAudienceOk(["a", "b"], "b"); // true
 * ```
 */
export function isAudienceOk(aud: unknown, audience: string | undefined): boolean {
  // RFC 7519 4.1.3: with no audience configured, a token that names one is not for us.
  if (audience === undefined) return aud === undefined;
  return aud === audience || (Array.isArray(aud) && aud.length > 0 && aud.every((item) => typeof item === "string") && aud.includes(audience));
}

/**
 * Whether a claim is a timestamp: whole seconds since the epoch, at most year 9999.
 *
 * @example
 * ```ts
 * isTimestamp(1700000000); // true
 * ```
 */
export function isTimestamp(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value <= MAX_TIMESTAMP;
}
