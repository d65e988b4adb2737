import { JwtConfigError } from "../errors.js";
import type { TokenSigner } from "./createTokenSigner.js";
import { copyJson, isJsonObject, NOT_JSON, type JsonObject, type JsonValue } from "./json.js";
import { JwtToken, type TokenClaims, type TokenType } from "./JwtToken.js";
import { RESERVED_CLAIMS, SUBJECT_GENERATION } from "./reservedClaims.js";

/** What issuing reads of the manager's options (its resolved options are one). */
export interface IssuePolicy {
  readonly issuer: string;
  readonly audience: string | undefined;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  /** Lifetimes in seconds. */
  readonly authMaxAge: number;
  readonly refreshMaxAge: number;
  /** The manager's own verifier refuses longer tokens unread. */
  readonly maxTokenLength: number;
}

/** What to put in a new token besides the registered claims. */
export interface IssueRequest {
  readonly type: TokenType;
  readonly sub: unknown;
  readonly scope?: unknown;
  readonly claims?: unknown;
  /** The session claims of `login` / `rotate`, in both tokens of a pair (`rot` in refresh tokens only). */
  readonly session?: (PairRequest["session"] & { readonly rot?: number }) | undefined;
  /** The subject's revocation generation in the store, for a sessionless token of a manager with one. */
  readonly generation?: number | undefined;
}

/** What `issuePair` puts in the two tokens of one session: the auth token's scope and claims, and the session claims. */
export interface PairRequest {
  readonly sub: unknown;
  readonly scope?: unknown;
  readonly claims?: unknown;
  readonly session: {
    readonly sid: string;
    readonly auth_time: number;
    readonly csrf: string;
    /** The login's `acr` and `amr`, when `login` was told them. */
    readonly acr?: string;
    readonly amr?: readonly string[];
  };
  /** The refresh token's rotation. */
  readonly rot: number;
}

/** The auth and the refresh token `issuePair` signs. */
export interface IssuedPair {
  readonly authToken: JwtToken;
  readonly refreshToken: JwtToken;
}

/**
 * Signs a new token with the manager's signer (`createTokenSigner`: its key's `kid` in the
 * header): `iss`, `aud` (when an audience is configured), `iat`, `exp`, `sub`, `type`, `jti`,
 * `sub_gen` (when given), then the scope (auth tokens, when given), extra claims and the session
 * claims. Misuse (an empty subject, a reserved or non-JSON claim) rejects with `JwtConfigError`
 * naming the argument; a token longer than the manager's own `maxTokenLength` (its verifier would
 * refuse it unread), with `JwtConfigError` naming that limit.
 */
export async function issueToken(options: IssuePolicy, sign: TokenSigner, request: IssueRequest): Promise<JwtToken> {
  const payload = payloadOf(options, request, Math.floor(options.clock() / 1000));
  const signature = sign(JSON.stringify(payload));
  return tokenOf(options, payload, typeof signature === "string" ? signature : await signature);
}

/**
 * The two tokens of a `login` or `rotate`, exactly as two `issueToken` calls would write them (an
 * auth token with the scope, claims and session claims; a refresh token with the session claims
 * and `rot`), issued at one instant and, on node:crypto, in one synchronous step: a login pays
 * for two signatures, not for two trips through the promise machinery. Throws what `issueToken`
 * rejects with.
 *
 * @example
 * ```ts
 * const { authToken, refreshToken } = await issuePair(options, sign, { sub: "alice", session, rot: 0 });
 * ```
 */
export function issuePair(options: IssuePolicy, sign: TokenSigner, request: PairRequest): IssuedPair | Promise<IssuedPair> {
  const { sub, session } = request;
  const iat = Math.floor(options.clock() / 1000);
  const auth = payloadOf(options, { type: "auth", sub, scope: request.scope, claims: request.claims, session }, iat);
  const refresh = payloadOf(options, { type: "refresh", sub, session: { ...session, rot: request.rot } }, iat);
  const authSigned = sign(JSON.stringify(auth));
  const refreshSigned = sign(JSON.stringify(refresh));
  if (typeof authSigned === "string" && typeof refreshSigned === "string") {
    return { authToken: tokenOf(options, auth, authSigned), refreshToken: tokenOf(options, refresh, refreshSigned) };
  }
  return Promise.all([authSigned, refreshSigned]).then(([a, r]) => ({ authToken: tokenOf(options, auth, a), refreshToken: tokenOf(options, refresh, r) }));
}

// The claims of a new token, checked; misuse throws JwtConfigError naming the argument.
function payloadOf(options: IssuePolicy, request: IssueRequest, iat: number): Record<string, JsonValue> {
  const { type, sub } = request;
  if (typeof sub !== "string" || sub === "") throw new JwtConfigError("sub", "must be a non-empty string");
  const exp = iat + (type === "auth" ? options.authMaxAge : options.refreshMaxAge);
  const { issuer: iss, audience: aud } = options;
  const jti = crypto.randomUUID();
  // An ordinary object while it is built and written out (V8's fast paths), prototype-free once
  // frozen into the token's claims. Every value in it is a string, a number or a frozen copy.
  const payload: Record<string, JsonValue> = aud === undefined ? { iss, iat, exp, sub, type, jti } : { iss, aud, iat, exp, sub, type, jti };
  if (request.generation !== undefined) payload[SUBJECT_GENERATION] = request.generation;
  if (request.scope !== undefined && request.scope !== null) payload["scope"] = jsonArgument(request.scope, "scope");
  if (request.claims !== undefined) addClaims(payload, request.claims);
  if (request.session !== undefined) Object.assign(payload, sessionPayload(request.session));
  return payload;
}

// Session claims as JSON: a frozen copy of `amr`, and no `rot` of an auth token's session.
function sessionPayload(session: NonNullable<IssueRequest["session"]>): Record<string, JsonValue> {
  const { amr, ...rest } = session;
  return amr === undefined ? { ...rest } : { ...rest, amr: Object.freeze([...amr]) };
}

// The token of a signed payload; a token its own verifier would refuse unread (isCompactJws) is
// the caller's mistake, not a token.
function tokenOf(options: IssuePolicy, payload: Record<string, JsonValue>, signed: string): JwtToken {
  if (signed.length > options.maxTokenLength) {
    throw new JwtConfigError(
      "maxTokenLength",
      `is ${options.maxTokenLength} characters, and this token would be ${signed.length}: its verifier would refuse it; issue smaller claims or raise maxTokenLength`,
    );
  }
  return new JwtToken(Object.freeze(Object.setPrototypeOf(payload, null)) as TokenClaims, signed);
}

/**
 * Copies the caller's extra `claims` into `target`, checked: a plain object of JSON values, no
 * reserved claim; misuse throws `JwtConfigError` naming the claim. Module-internal (tokens and
 * API keys).
 *
 * @example
 * ```ts
 * addClaims(payload, { org: "acme" });
 * ```
 */
export function addClaims(target: Record<string, JsonValue>, claims: unknown): void {
  if (!isJsonObject(claims)) throw new JwtConfigError("claims", "must be a plain object");
  for (const [name, value] of Object.entries(claims)) {
    if (RESERVED_CLAIMS.has(name)) throw new JwtConfigError(`claims.${name}`, "is a reserved claim and cannot be set");
    // Assigning "__proto__" would replace the payload's prototype instead of adding a claim.
    if (name === "__proto__") throw new JwtConfigError(`claims.${name}`, "is not a valid claim name");
    target[name] = jsonArgument(value, `claims.${name}`);
  }
}

/**
 * A copy of a JSON argument (a scope, a claim); `JwtConfigError` naming it when it is not plain JSON. Module-internal.
 *
 * @example
 * ```ts
 * const scope = jsonArgument(request.scope, "scope");
 * ```
 */
export function jsonArgument(value: unknown, name: string): JsonValue {
  const copy = copyJson(value);
  if (copy === NOT_JSON)
    throw new JwtConfigError(name, "must be plain JSON (no undefined, functions, class instances, non-finite numbers or integers beyond 2^53)");
  return copy;
}
