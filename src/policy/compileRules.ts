import { JwtConfigError } from "../errors.js";
import { booleanOf, functionOf, nonEmptyString, oneOf, stringList, unknownKeys } from "../options/validate.js";
import { copyJson, isJsonObject, NOT_JSON, type JsonObject, type JsonValue } from "../tokens/json.js";
import type { JwtToken, TokenType } from "../tokens/JwtToken.js";
import { emptyRulePath } from "./emptyRulePath.js";
import { CHALLENGE_VALUE } from "../wire/challengeValue.js";
import { isCookieName } from "../wire/isCookieName.js";
import type { InputBinding } from "./matchInput.js";
import type { ScopeRequirement } from "./matchScope.js";

/**
 * The app's own check in `requireToken({ allow })`: given the verified token and the procedure's
 * parsed input, `true` lets the call through; anything else is 403 `CLAIMS_MISMATCH`.
 */
export type AllowRule<TInput = never, TToken = JwtToken> = (args: { readonly token: TToken; readonly input: TInput }) => boolean;

/**
 * What a guarded procedure requires of its token. `TPath` is the set of input paths the compiler
 * allows and `TInput` the parsed input `allow` receives; `requireToken` fills both in from the
 * procedure's input, so users never write them.
 *
 * @example
 * ```ts
 * requireToken({ type: "auth", input: { sub: "username" }, scope: { admin: true }, override: { root: true } });
 * ```
 */
export interface RequireTokenRules<TPath extends string = string, TInput = never, TToken = JwtToken> {
  /**
   * The issuer whose tokens this procedure takes: its `iss` exactly, or the `AuthManager` or
   * `RemoteIssuer` itself. With several issuers in one context (`createJwtContext([auth, idp])`),
   * every rule below reads one namespace: a `sub` or a claim an identity provider lets its users
   * choose could satisfy a rule written for your own tokens. A token of another issuer is 403
   * `CLAIMS_MISMATCH`; `override` never skips this.
   *
   * @example
   * ```ts
   * requireToken({ issuer: auth, input: { sub: "userId" } })
   * ```
   */
  readonly issuer?: string | { readonly issuer: string } | undefined;
  /** The token type required: `"auth"` (default) or `"refresh"`. */
  readonly type?: TokenType | undefined;
  /** Read the token from this cookie instead of the `Authorization` header. */
  readonly cookie?: string | undefined;
  /** Claim name -> path into the parsed input: the claim must equal (or, if an array, contain) that input value. */
  readonly input?: { readonly [claim: string]: TPath } | undefined;
  /** Literal claims the token must carry (matched as `matchValue` describes). */
  readonly claims?: JsonObject | undefined;
  /** The scope the token's `scope` claim must satisfy: OAuth words, or an object/array. */
  readonly scope?: ScopeRequirement | undefined;
  /** Claims that, when the token has them, skip the `input`, `claims` and `scope` checks (never `allow`). */
  readonly override?: JsonObject | undefined;
  /**
   * A predicate for what the rules above cannot say ("the owner, or an admin"): called with the
   * verified token and the parsed input after every other rule passed; only `true` allows the
   * call, anything else is 403 `CLAIMS_MISMATCH`. It never replaces the token checks (signature,
   * expiry, type): it only runs on a token that passed them. `override` does not skip it: it is
   * the app's own check, so put an admin bypass inside it (`token.scope... || owner`). If it
   * throws, the call fails with that error and the procedure does not run (a `TRPCError` such as
   * `NOT_FOUND` reaches the client as is; anything else is a 500).
   *
   * @example
   * ```ts
   * requireToken({ allow: ({ token, input }) => token.sub === input.ownerId || token.claims["role"] === "admin" })
   * ```
   */
  readonly allow?: AllowRule<TInput, TToken> | undefined;
  /**
   * Seconds since the user last logged in (the token's `auth_time`), at most, for sensitive
   * operations. A token without `auth_time` fails; `override` never skips it. Alone, a refusal is
   * 401 `TOKEN_NOT_FRESH` ("log in again"); beside `acr` or `amr`, 401 `STEP_UP_REQUIRED`. Either
   * carries `maxAge` in the error data and the RFC 9470 `WWW-Authenticate` challenge on HTTP.
   */
  readonly maxAuthAge?: number | undefined;
  /**
   * Step-up (RFC 9470): the authentication context classes the login must have been one of
   * (the token's `acr`; any listed value fits). Otherwise 401 `STEP_UP_REQUIRED` with `acrValues`
   * in the error data and `WWW-Authenticate: Bearer error="insufficient_user_authentication",
   * acr_values="..."` on HTTP. `override` never skips it. See docs/step-up.md.
   *
   * @example
   * ```ts
   * requireToken({ acr: ["urn:mfa"], maxAuthAge: 300 })
   * ```
   */
  readonly acr?: readonly string[] | undefined;
  /**
   * Step-up: the authentication methods of which the login must have used at least one (the
   * token's `amr` array, RFC 8176 values such as `"otp"`, `"hwk"`). Otherwise 401
   * `STEP_UP_REQUIRED` (with `amrValues` in the error data). `override` never skips it.
   */
  readonly amr?: readonly string[] | undefined;
  /**
   * Accept an API key (`auth.apiKeys.create`) in the `Authorization` header as well as an auth
   * token: `ctx.token.type` is then `"apikey"`, with the key's `sub`, `scope` and `claims`, and
   * every other rule applies to it as to an auth token. Without it, a key is refused like any
   * credential that is not a JWT (401 `TOKEN_INVALID`). Not with `type: "refresh"` or `cookie`:
   * a key is sent in the header. Default `false`.
   *
   * @example
   * ```ts
   * requireToken({ apiKey: true, scope: { deploy: true } })
   * ```
   */
  readonly apiKey?: boolean | undefined;
}

/** Rules after validation: frozen copies, paths split. */
export type CompiledRules = ReturnType<typeof compileRules>;

const TOKEN_TYPES: readonly TokenType[] = ["auth", "refresh"];
// RFC 6749 3.3: scope-token *( SP scope-token ).
const OAUTH_SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/;
const PATH = /^[^.]+(\.[^.]+)*$/;

// Every rule, in the order the unknown-rule message lists them (a rule left out here is refused
// as unknown by every test of it).
type RuleName = keyof RequireTokenRules;
const RULE_NAMES: readonly RuleName[] = ["issuer", "type", "cookie", "input", "claims", "scope", "override", "allow", "maxAuthAge", "acr", "amr", "apiKey"];

/**
 * Validates `requireToken` rules once, when the middleware is created. Throws `JwtConfigError`
 * naming the rule; an unknown rule is reported once the known ones passed. A rule that requires
 * nothing (`{}`, `[]`, `""`, at any depth) is refused: an empty `override` would wave every token
 * through.
 *
 * @example
 * ```ts
 * const rules = compileRules({ scope: "read write" });
 * compileRules({ override: {} }); // JwtConfigError: requireToken.override: must be a non-empty object ...
 * ```
 */
export function compileRules(rules: RequireTokenRules) {
  if (!isJsonObject(rules as unknown)) throw new JwtConfigError("requireToken", "rules must be an object");
  // Own rules only: an `override` on a polluted Object.prototype is no rule.
  rules = Object.assign(Object.create(null) as RequireTokenRules, rules);
  // A misspelt rule first: it is the mistake to name even when another rule is invalid too.
  unknownKeys(rules, { names: RULE_NAMES, kind: `a rule (${RULE_NAMES.join(", ")})`, prefix: "requireToken." });
  const { type = "auth", cookie } = rules;
  oneOf(type, TOKEN_TYPES, "requireToken.type", 'must be "auth" or "refresh"');
  if (cookie !== undefined && !isCookieName(cookie)) throw new JwtConfigError("requireToken.cookie", "must be a valid cookie name");
  // Every rule compiled (`satisfies`).
  return Object.freeze({
    // The `iss` a token must carry, when pinned.
    issuer: compileIssuer(rules.issuer),
    type,
    cookie,
    input: compileInput(rules.input),
    claims: requiredObject(rules.claims, "requireToken.claims"),
    scope: compileScope(rules.scope),
    override: requiredObject(rules.override, "requireToken.override"),
    // The predicate is the app's code: it is kept as given and typed for any input from here on.
    allow: functionOf(rules.allow, "requireToken.allow", "must be a function returning true to allow") as AllowRule<unknown> | undefined,
    maxAuthAge: compileMaxAuthAge(rules.maxAuthAge),
    acr: stringList(rules.acr, "requireToken.acr", CHALLENGE_VALUE, "must be a non-empty list of acr values (printable, no spaces or quotes)"),
    amr: stringList(rules.amr, "requireToken.amr", CHALLENGE_VALUE, "must be a non-empty list of amr values (printable, no spaces or quotes)"),
    apiKey: compileApiKey(rules.apiKey, type, cookie),
  } satisfies { readonly [K in keyof RequireTokenRules]-?: unknown });
}

// Keys stand in for auth tokens, and are sent in the Authorization header only.
function compileApiKey(apiKey: unknown, type: TokenType, cookie: string | undefined): boolean {
  const accepted = booleanOf(apiKey, false, "requireToken.apiKey");
  if (accepted && type !== "auth") throw new JwtConfigError("requireToken.apiKey", 'stands in for auth tokens: not with type "refresh"');
  if (accepted && cookie !== undefined) throw new JwtConfigError("requireToken.apiKey", "keys are sent in the Authorization header, never in a cookie");
  return accepted;
}

// An issuer object is read once: its `iss` is what tokens are compared with.
function compileIssuer(issuer: unknown): string | undefined {
  if (issuer === undefined) return undefined;
  const iss = typeof issuer === "object" && issuer !== null && "issuer" in issuer ? (issuer as { issuer: unknown }).issuer : issuer;
  return nonEmptyString(iss, "requireToken.issuer", "must be an issuer string, an AuthManager or a RemoteIssuer");
}

function compileInput(input: RequireTokenRules["input"]): readonly InputBinding[] {
  if (input === undefined) return [];
  if (!isJsonObject(input) || Object.keys(input).length === 0) throw new JwtConfigError("requireToken.input", "must map at least one claim to an input path");
  return Object.freeze(
    Object.entries(input).map(([claim, path]) => {
      if (typeof path !== "string" || !PATH.test(path)) throw new JwtConfigError(`requireToken.input.${claim}`, "must be a dotted input path");
      return Object.freeze({ claim, path: Object.freeze(path.split(".")) });
    }),
  );
}

function compileScope(scope: unknown): ScopeRequirement | undefined {
  if (typeof scope !== "string") {
    const isObject = (copy: JsonValue) => typeof copy === "object" && copy !== null;
    return nonEmptyJson(scope, "requireToken.scope", isObject, "must be a scope string or a non-empty JSON object or array") as ScopeRequirement | undefined;
  }
  if (!OAUTH_SCOPE.test(scope)) throw new JwtConfigError("requireToken.scope", "must be space-separated OAuth scope words");
  return scope;
}

function requiredObject(value: unknown, name: string): JsonObject | undefined {
  return nonEmptyJson(value, name, isJsonObject, "must be a non-empty object of JSON claims") as JsonObject | undefined;
}

// A JSON copy of `value` that `fits` and is not empty, with no empty object or array inside either.
function nonEmptyJson(value: unknown, name: string, fits: (copy: JsonValue) => boolean, problem: string): JsonValue | undefined {
  if (value === undefined) return undefined;
  const copy = copyJson(value);
  if (copy === NOT_JSON || !fits(copy) || Object.keys(copy as object).length === 0) throw new JwtConfigError(name, problem);
  const empty = emptyRulePath(copy, name);
  if (empty !== undefined) throw new JwtConfigError(empty, "must not be empty: an empty object or array requires nothing, so it would match every token");
  return copy;
}

function compileMaxAuthAge(maxAuthAge: unknown): number | undefined {
  if (maxAuthAge === undefined) return undefined;
  if (!Number.isSafeInteger(maxAuthAge) || (maxAuthAge as number) <= 0)
    throw new JwtConfigError("requireToken.maxAuthAge", "must be a positive whole number of seconds");
  return maxAuthAge as number;
}
