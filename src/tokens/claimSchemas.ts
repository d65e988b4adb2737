import { JwtConfigError, JwtError, refusal } from "../errors.js";
import { RESERVED_CLAIMS } from "./reservedClaims.js";
import { deepFreeze, emptyClaims, type JsonObject, type JsonValue } from "./json.js";
import { JwtToken, type RegisteredClaims, type TokenClaims, type TokenType } from "./JwtToken.js";
import { isStandardSchema, validate, type StandardInput, type StandardOutput, type StandardSchemaV1 } from "./standardSchema.js";
import type { Verifier } from "./Verifier.js";

/**
 * A schema for an auth token's extra claims (those besides `iss sub iat exp nbf jti type scope
 * aud`): any Standard Schema v1 validator whose output is an object (zod 3.24+ or 4, valibot 1,
 * arktype 2, ...).
 */
export type ClaimsSchema = StandardSchemaV1<unknown, object>;
/** A schema for an auth token's `scope` claim: any Standard Schema v1 validator. */
export type ScopeSchema = StandardSchemaV1;

/** The `claims` and `scope` options of an `AuthManager`, as given. */
export interface SchemaOptions<TClaims extends ClaimsSchema | undefined = undefined, TScope extends ScopeSchema | undefined = undefined> {
  /**
   * A schema for the extra claims of auth tokens, from any Standard Schema v1 library (zod,
   * valibot, arktype, ...): `authToken` checks them before signing (a failure throws
   * `JwtConfigError` naming the claim path, never its value, and signs nothing), verification
   * refuses auth tokens whose claims fail it (`TOKEN_INVALID`), and `ctx.token.claims` is typed
   * as its output. Use a non-strict object schema: the token also carries claims the schema does
   * not list. It must validate synchronously. Refresh tokens carry no extra claims.
   */
  readonly claims?: TClaims;
  /**
   * A schema for the `scope` claim of auth tokens, applied as `claims` is to tokens that carry
   * a scope. A token without one is valid whatever the schema says (its `scope` is `undefined`),
   * and issuing without a scope is never refused.
   */
  readonly scope?: TScope;
}

/** `ctx.token.claims` for a claims schema: the registered claims and the schema's output. */
export type TypedClaims<TClaims extends ClaimsSchema | undefined> = TClaims extends ClaimsSchema ? RegisteredClaims & StandardOutput<TClaims> : TokenClaims;
/**
 * `ctx.token.scope` for a scope schema: its output, or `undefined` for a token without scope;
 * without a schema, as today.
 */
export type TypedScope<TScope extends ScopeSchema | undefined> = TScope extends ScopeSchema ? StandardOutput<TScope> | undefined : JsonValue | undefined;
/** What `authToken` takes as extra claims: the schema's input; without one, any JSON object. */
export type ClaimsArgument<TClaims extends ClaimsSchema | undefined> = TClaims extends ClaimsSchema ? StandardInput<TClaims> : JsonObject;
/** What `authToken` takes as scope: the schema's input; without one, any JSON value. */
export type ScopeArgument<TScope extends ScopeSchema | undefined> = TScope extends ScopeSchema ? StandardInput<TScope> : JsonValue;

/** The schemas one manager checks, once validated. Module-internal. */
export interface ClaimSchemas {
  // Its output is checked to be an object where it is used: at run time it is any validator.
  readonly claims: StandardSchemaV1 | undefined;
  readonly scope: StandardSchemaV1 | undefined;
}

/**
 * The manager's schemas, or `undefined` when it has none. Throws `JwtConfigError` naming the
 * option for something that is not a Standard Schema v1 validator. Module-internal.
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

function schemaOption(value: unknown, option: string): StandardSchemaV1 | undefined {
  if (value === undefined) return undefined;
  if (!isStandardSchema(value)) throw new JwtConfigError(option, "must be a Standard Schema v1 validator (zod 3.24+ or 4, valibot 1, arktype 2, ...)");
  return value;
}

/**
 * Checks an auth token's scope and extra claims against the schemas before it is signed. Throws
 * `JwtConfigError` naming the first failing path (`claims.org.id`), never the value or the
 * validator's message (which may quote it). Module-internal.
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

function failurePath(schema: StandardSchemaV1, value: unknown, option: string): void {
  const result = validate(schema, value);
  if (result.ok) return;
  if (result.async === true) throw new JwtConfigError(option, "must validate synchronously (no async refinements or transforms)");
  throw new JwtConfigError([option, ...result.path].join("."), `does not fit the ${option} schema`);
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
    cached:
      cached &&
      ((signed: string, type?: TokenType) => {
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
  const claims: Record<string, unknown> = Object.assign(emptyClaims(), token.claims);
  // A token without scope has none to check: `scope` stays undefined, whatever the schema.
  if (schemas.scope !== undefined && token.scope !== undefined) {
    const scope = validate(schemas.scope, token.scope);
    if (!scope.ok) return new JwtError("TOKEN_INVALID");
    if (scope.value === undefined) delete claims["scope"];
    else claims["scope"] = scope.value;
  }
  if (schemas.claims !== undefined) {
    const extra: Record<string, unknown> = emptyClaims();
    for (const [name, value] of Object.entries(token.claims)) if (!RESERVED_CLAIMS.has(name)) extra[name] = value;
    const parsed = validate(schemas.claims, extra);
    if (!parsed.ok || typeof parsed.value !== "object" || parsed.value === null) return new JwtError("TOKEN_INVALID");
    for (const [name, value] of Object.entries(parsed.value)) if (!RESERVED_CLAIMS.has(name)) claims[name] = value;
  }
  return new JwtToken(deepFreeze(claims) as TokenClaims, token.signed);
}
