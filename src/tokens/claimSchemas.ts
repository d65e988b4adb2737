import type { z } from "zod";
import { JwtConfigError, JwtError, refusal } from "../errors.js";
import { RESERVED_CLAIMS } from "./reservedClaims.js";
import type { JsonObject, JsonValue } from "./json.js";
import { JwtToken, type TokenClaims, type TokenType } from "./JwtToken.js";
import type { Verifier } from "./Verifier.js";

/** A zod schema for an auth token's extra claims (those besides `iss sub iat exp nbf jti type scope aud`). */
export type ClaimsSchema = z.ZodType<object>;
/** A zod schema for an auth token's `scope` claim. */
export type ScopeSchema = z.ZodType;

/** The `claims` and `scope` options of an `AuthManager`, as given. */
export interface SchemaOptions<TClaims extends ClaimsSchema | undefined = undefined, TScope extends ScopeSchema | undefined = undefined> {
  /**
   * A zod schema for the extra claims of auth tokens: `authToken` checks them before signing
   * (a failure throws `JwtConfigError` naming the claim path, never its value, and signs
   * nothing), verification refuses auth tokens whose claims fail it (`TOKEN_INVALID`), and
   * `ctx.token.claims` is typed as its output. Use a non-strict object schema: the token also
   * carries claims the schema does not list. Refresh tokens carry no extra claims.
   */
  readonly claims?: TClaims;
  /**
   * A zod schema for the `scope` claim of auth tokens, applied as `claims` is to tokens that carry
   * a scope. A token without one is valid whatever the schema says (its `scope` is `undefined`),
   * and issuing without a scope is never refused.
   */
  readonly scope?: TScope;
}

/** The claims a verified token always has (those `TokenClaims` names), without its index signature. */
export interface RegisteredClaims {
  readonly iss: string;
  readonly sub: string;
  readonly iat: number;
  readonly exp: number;
  readonly type?: "auth" | "refresh";
}

/** `ctx.token.claims` for a claims schema: the registered claims and the schema's output. */
export type TypedClaims<TClaims extends ClaimsSchema | undefined> = TClaims extends ClaimsSchema ? RegisteredClaims & z.output<TClaims> : TokenClaims;
/**
 * `ctx.token.scope` for a scope schema: its output, or `undefined` for a token without scope;
 * without a schema, as today.
 */
export type TypedScope<TScope extends ScopeSchema | undefined> = TScope extends ScopeSchema ? z.output<TScope> | undefined : JsonValue | undefined;
/** What `authToken` takes as extra claims: the schema's input; without one, any JSON object. */
export type ClaimsArgument<TClaims extends ClaimsSchema | undefined> = TClaims extends ClaimsSchema ? z.input<TClaims> : JsonObject;
/** What `authToken` takes as scope: the schema's input; without one, any JSON value. */
export type ScopeArgument<TScope extends ScopeSchema | undefined> = TScope extends ScopeSchema ? z.input<TScope> : JsonValue;

/** The schemas one manager checks, once validated. Module-internal. */
export interface ClaimSchemas {
  readonly claims: ClaimsSchema | undefined;
  readonly scope: ScopeSchema | undefined;
}

/**
 * The manager's schemas, or `undefined` when it has none. Throws `JwtConfigError` naming the
 * option for something that is not a zod schema. Module-internal.
 *
 * @example
 * ```ts
 * const schemas = readSchemas({ claims: z.object({ org: z.string() }) });
 * ```
 */
export function readSchemas(options: { readonly claims?: unknown; readonly scope?: unknown }): ClaimSchemas | undefined {
  const claims = schemaOption(options.claims, "claims");
  const scope = schemaOption(options.scope, "scope");
  return claims === undefined && scope === undefined ? undefined : { claims, scope };
}

function schemaOption(value: unknown, option: string): z.ZodType<never> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || typeof (value as { safeParse?: unknown }).safeParse !== "function") {
    throw new JwtConfigError(option, "must be a zod schema");
  }
  return value as z.ZodType<never>;
}

/**
 * Checks an auth token's scope and extra claims against the schemas before it is signed. Throws
 * `JwtConfigError` naming the first failing path (`claims.org.id`), never the value or zod's
 * message (which may quote it). Module-internal.
 *
 * @example
 * ```ts
 * checkIssued(schemas, { scope: { admin: true }, claims: { org: { id: "o1" } } });
 * ```
 */
export function checkIssued(schemas: ClaimSchemas, fields: { readonly scope?: unknown; readonly claims?: unknown }): void {
  // A field that is absent is not being issued (rotate keeps the session's). No scope (undefined,
  // or null, which is not written either) is always allowed; claims that are present but
  // undefined mean none, which the schema may refuse.
  if (schemas.scope !== undefined && fields.scope !== undefined && fields.scope !== null) failurePath(schemas.scope, fields.scope, "scope");
  if (schemas.claims !== undefined && Object.hasOwn(fields, "claims")) failurePath(schemas.claims, fields.claims ?? {}, "claims");
}

function failurePath(schema: z.ZodType, value: unknown, option: string): void {
  const result = schema.safeParse(value);
  if (result.success) return;
  const path = result.error.issues[0]?.path ?? [];
  throw new JwtConfigError([option, ...path.map(String)].join("."), `does not fit the ${option} schema`);
}

/**
 * The verifier, with auth tokens checked against the schemas: a token whose extra claims or
 * scope fail them is `TOKEN_INVALID`; one that passes comes back with the schemas' output as its
 * `claims` and `scope`. Each verified token is checked once: the verifier's cache hands back the
 * same token, whose verdict is remembered (a weak map, gone with the token). Module-internal.
 *
 * @example
 * ```ts
 * const verify = withSchemas(createVerifier(options, keys), schemas);
 * ```
 */
export function withSchemas(verify: Verifier, schemas: ClaimSchemas): Verifier {
  const verdicts = new WeakMap<JwtToken, JwtToken | JwtError>();
  const check = (token: JwtToken): JwtToken | Promise<never> => {
    if (token.tokenType !== "auth") return token;
    let verdict = verdicts.get(token);
    if (verdict === undefined) {
      verdict = typedToken(token, schemas);
      verdicts.set(token, verdict);
    }
    return verdict instanceof JwtError ? Promise.reject(verdict) : verdict;
  };
  const typed = (found: JwtToken | Promise<JwtToken>) => (found instanceof Promise ? found.then(check) : check(found));
  const { cached } = verify;
  return Object.assign((signed: string, type?: TokenType) => typed(verify(signed, type)), {
    cached: cached && ((signed: string, type?: TokenType) => {
      const found = cached(signed, type);
      return found === undefined ? undefined : (typed(found) as JwtToken | Promise<never>);
    }),
  });
}

/**
 * A token just signed, as verification will see it: an auth token gets the schemas' output
 * (defaults filled in, transforms applied) as its claims and scope, so what `authToken`, `login`
 * and `rotate` return is what their types say. Rejects with `TOKEN_INVALID` claims that no
 * longer fit (a session's stored claims after the schema changed): every verifier would refuse
 * that token anyway. Module-internal.
 *
 * @example
 * ```ts
 * const token = typedIssued(await issueToken(options, keys, request), schemas);
 * ```
 */
export function typedIssued(token: JwtToken, schemas: ClaimSchemas): JwtToken {
  if (token.tokenType !== "auth") return token;
  const typed = typedToken(token, schemas);
  // A refusal: `rotate` answers its caller with it, as for any refresh that cannot go on.
  if (typed instanceof JwtError) throw refusal("TOKEN_INVALID");
  return typed;
}

function typedToken(token: JwtToken, schemas: ClaimSchemas): JwtToken | JwtError {
  const claims: Record<string, unknown> = Object.create(null);
  Object.assign(claims, token.claims);
  // A token without scope has none to check: `scope` stays undefined, whatever the schema.
  if (schemas.scope !== undefined && token.scope !== undefined) {
    const scope = schemas.scope.safeParse(token.scope);
    if (!scope.success) return new JwtError("TOKEN_INVALID");
    if (scope.data === undefined) delete claims["scope"];
    else claims["scope"] = scope.data;
  }
  if (schemas.claims !== undefined) {
    const extra: Record<string, unknown> = Object.create(null);
    for (const [name, value] of Object.entries(token.claims)) if (!RESERVED_CLAIMS.has(name)) extra[name] = value;
    const parsed = schemas.claims.safeParse(extra);
    if (!parsed.success) return new JwtError("TOKEN_INVALID");
    for (const [name, value] of Object.entries(parsed.data)) if (!RESERVED_CLAIMS.has(name)) claims[name] = value;
  }
  return new JwtToken(deepFreeze(claims) as TokenClaims, token.signed);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
