import { JwtConfigError } from "../errors.js";
import type { TokenSigner } from "./createTokenSigner.js";
import { copyJson, emptyClaims, isJsonObject, NOT_JSON, type JsonValue } from "./json.js";
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

/** What to put in a new token besides the registered claims: what a pair's tokens carry (`session` and `rot` are a pair's only), and its type. */
export interface IssueRequest extends Partial<PairRequest> {
  readonly type: TokenType;
  readonly sub: unknown;
  /** The subject's revocation generation in the store, for a sessionless token of a manager with one. */
  readonly generation?: number | undefined;
}

/** What `issuePair` puts in the two tokens of one session: the auth token's scope and claims, and the session claims. */
export interface PairRequest {
  readonly sub: unknown;
  readonly scope?: unknown;
  readonly claims?: unknown;
  /** The session claims of `login` / `rotate`, in both tokens of the pair. */
  readonly session: {
    readonly sid: string;
    readonly auth_time: number;
    readonly csrf: string;
    /** The login's `acr` and `amr`, when `login` was told them. */
    readonly acr?: string;
    readonly amr?: readonly string[];
  };
  /** The refresh token's rotation (written after the session claims but `amr`). */
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
  return signed(options, sign, payloadOf(options, request, sharedText(options, request)));
}

/**
 * The two tokens of a `login` or `rotate`, exactly as two `issueToken` calls would write them (an
 * auth token with the scope, claims and session claims; a refresh token with the session claims
 * and `rot`), issued at one instant and, on node:crypto, in one synchronous step: a login pays
 * for two signatures, not for two trips through the promise machinery, and writes the JSON of
 * what the two share (`iss`, `aud`, `iat`, `sub`, the session claims) once. Throws what
 * `issueToken` rejects with.
 *
 * @example
 * ```ts
 * const { authToken, refreshToken } = await issuePair(options, sign, { sub: "alice", session, rot: 0 });
 * ```
 */
export function issuePair(options: IssuePolicy, sign: TokenSigner, request: PairRequest): IssuedPair | Promise<IssuedPair> {
  const { sub, session } = request;
  const text = sharedText(options, request);
  const authToken = signed(options, sign, payloadOf(options, { type: "auth", sub, scope: request.scope, claims: request.claims, session }, text));
  const refreshToken = signed(options, sign, payloadOf(options, { type: "refresh", sub, session, rot: request.rot }, text));
  if (authToken instanceof Promise || refreshToken instanceof Promise) {
    return Promise.all([authToken, refreshToken]).then(([auth, refresh]) => ({ authToken: auth, refreshToken: refresh }));
  }
  return { authToken, refreshToken };
}

// The JSON text of what the tokens of one issuing call share, written once: the claims up to
// `iat`, the subject, and the session claims before `rot` (`sid`, `auth_time`, `csrf`, `acr`)
// and after it (`amr`).
type SharedText = ReturnType<typeof sharedText>;

function sharedText(options: IssuePolicy, request: { readonly sub: unknown; readonly session?: IssueRequest["session"] }) {
  const { sub, session } = request;
  const iat = Math.floor(options.clock() / 1000);
  if (typeof sub !== "string" || sub === "") throw new JwtConfigError("sub", "must be a non-empty string");
  const { issuer, audience } = options;
  const aud = audience === undefined ? "" : `,"aud":${JSON.stringify(audience)}`;
  const acr = session?.acr === undefined ? "" : `,"acr":${JSON.stringify(session.acr)}`;
  const sessionText =
    session === undefined ? "" : `,"sid":${JSON.stringify(session.sid)},"auth_time":${number(session.auth_time)},"csrf":${JSON.stringify(session.csrf)}${acr}`;
  const amr = session?.amr === undefined ? "" : `,"amr":${JSON.stringify(session.amr)}`;
  return { iat, head: `{"iss":${JSON.stringify(issuer)}${aud},"iat":${number(iat)}`, sub: JSON.stringify(sub), session: sessionText, amr };
}

// The claims of a new token, checked, and their JSON text: what JSON.stringify writes of them,
// built from the shared text and the token's own claims instead of serialising every name and
// value again (callgrind: JSON.stringify of a login's two payloads was 23,600 of its 142,500
// instructions; an HS256 authToken's, 7,100 of 60,600). Misuse throws JwtConfigError naming the argument.
function payloadOf(options: IssuePolicy, request: IssueRequest, text: SharedText): { claims: Record<string, JsonValue>; json: string } {
  const { type, session } = request;
  const { iat } = text;
  const sub = request.sub as string;
  const exp = iat + (type === "auth" ? options.authMaxAge : options.refreshMaxAge);
  const { issuer: iss, audience: aud } = options;
  const jti = crypto.randomUUID();
  // Prototype-free from the start, then filled in (see emptyClaims: a literal given a null
  // prototype once built froze eight times slower). Every value in it is a string, a number or a
  // frozen copy.
  const payload = emptyClaims();
  payload["iss"] = iss;
  if (aud !== undefined) payload["aud"] = aud;
  payload["iat"] = iat;
  payload["exp"] = exp;
  payload["sub"] = sub;
  payload["type"] = type;
  payload["jti"] = jti;
  // `type` is "auth" or "refresh" and `jti` a UUID: nothing in them needs escaping.
  let json = `${text.head},"exp":${number(exp)},"sub":${text.sub},"type":"${type}","jti":"${jti}"`;
  if (request.generation !== undefined) {
    payload[SUBJECT_GENERATION] = request.generation;
    json += `,"${SUBJECT_GENERATION}":${number(request.generation)}`;
  }
  if (request.scope !== undefined && request.scope !== null) {
    const scope = jsonArgument(request.scope, "scope");
    payload["scope"] = scope;
    json += `,"scope":${JSON.stringify(scope)}`;
  }
  // undefined when a claim's name is one JSON.stringify writes first (see addClaims).
  const claimsText = request.claims === undefined ? "" : addClaims(payload, request.claims);
  if (session !== undefined) {
    // In the order of `{ ...session, rot }` with `amr` last, as a frozen copy.
    payload["sid"] = session.sid;
    payload["auth_time"] = session.auth_time;
    payload["csrf"] = session.csrf;
    if (session.acr !== undefined) payload["acr"] = session.acr;
    if (request.rot !== undefined) payload["rot"] = request.rot;
    if (session.amr !== undefined) payload["amr"] = Object.freeze([...session.amr]);
  }
  if (claimsText === undefined) return { claims: payload, json: JSON.stringify(payload) };
  json += claimsText + text.session;
  if (session !== undefined && request.rot !== undefined) json += `,"rot":${number(request.rot)}`;
  return { claims: payload, json: `${json}${text.amr}}` };
}

// A number as JSON.stringify writes it (a template for the usual finite number; anything else a
// store or a caller got through, as JSON.stringify writes it).
function number(value: number): string {
  return typeof value === "number" && Number.isFinite(value) ? `${value}` : (JSON.stringify(value) as string);
}

// The token of a payload, as soon as its signature is there (at once on node:crypto).
function signed(options: IssuePolicy, sign: TokenSigner, payload: { claims: Record<string, JsonValue>; json: string }): JwtToken | Promise<JwtToken> {
  const signature = sign(payload.json);
  return typeof signature === "string" ? tokenOf(options, payload.claims, signature) : signature.then((text) => tokenOf(options, payload.claims, text));
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
  return new JwtToken(Object.freeze(payload) as TokenClaims, signed);
}

/**
 * Copies the caller's extra `claims` into `target`, checked: a plain object of JSON values, no
 * reserved claim; misuse throws `JwtConfigError` naming the claim. Returns their JSON text as
 * JSON.stringify writes each (`,"name":value`), or `undefined` when a name is an array index,
 * which JSON.stringify of `target` would write before all others. Module-internal (tokens and
 * API keys).
 *
 * @example
 * ```ts
 * addClaims(payload, { org: "acme" }); // ',"org":"acme"'
 * ```
 */
export function addClaims(target: Record<string, JsonValue>, claims: unknown): string | undefined {
  if (!isJsonObject(claims)) throw new JwtConfigError("claims", "must be a plain object");
  let text: string | undefined = "";
  for (const [name, value] of Object.entries(claims)) {
    if (RESERVED_CLAIMS.has(name)) throw new JwtConfigError(`claims.${name}`, "is a reserved claim and cannot be set");
    // Assigning "__proto__" would replace the payload's prototype instead of adding a claim.
    if (name === "__proto__") throw new JwtConfigError(`claims.${name}`, "is not a valid claim name");
    const claim = jsonArgument(value, `claims.${name}`);
    target[name] = claim;
    if (text !== undefined) text = ARRAY_INDEX.test(name) ? undefined : `${text},${JSON.stringify(name)}:${JSON.stringify(claim)}`;
  }
  return text;
}

// Names V8 keeps before all others in an object (array indices, 0 to 2^32 - 2; longer numerals too, to be safe).
const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/;

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
