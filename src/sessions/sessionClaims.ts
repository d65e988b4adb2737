import { base64url } from "jose";
import { JwtConfigError, JwtError, refusal } from "../errors.js";
import { copyJson, isJsonObject, NOT_JSON, type JsonObject, type JsonValue } from "../tokens/json.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import { isTimestamp } from "../tokens/checkRegisteredClaims.js";
import { randomId } from "./randomId.js";
import { tokenRef } from "./tokenRef.js";
import type { SessionClaims } from "./sessionTypes.js";
import type { SessionData, TokenRef, TokenStore } from "../stores/TokenStore.js";

// The session logic's readers of tokens and arguments, and its mapping of failures to refusals:
// each a pure function of its input, apart from `Sessions` so that it reads as the protocol.

/** A `sub` or `sid` argument: a non-empty string, else JwtConfigError naming it. */
export function requireId(value: unknown, name: "sub" | "sid"): void {
  if (typeof value !== "string" || value === "") throw new JwtConfigError(name, "must be a non-empty string");
}

/** The store a session method needs, else JwtConfigError naming `store`. */
export function requireStore(store: TokenStore | undefined, method: string): TokenStore {
  if (store === undefined) throw new JwtConfigError("store", `${method}() needs a TokenStore (memoryStore() or redisStore(client))`);
  return store;
}

/** The session data to store: frozen copies of scope and claims (the caller may change its objects). */
export function sessionData(sub: string, scope: JsonValue | undefined, claims: JsonObject | undefined): SessionData {
  const data: { sub: string; scope?: JsonValue; claims?: JsonObject } = { sub };
  const scopeCopy = scope === undefined || scope === null ? NOT_JSON : copyJson(scope);
  if (scopeCopy !== NOT_JSON) data.scope = scopeCopy;
  const claimsCopy = claims === undefined ? NOT_JSON : copyJson(claims);
  if (isJsonObject(claimsCopy)) data.claims = claimsCopy;
  return data;
}

/** The ids of a verified token; a malformed `sid` is a refusal. */
export async function refOf(token: JwtToken): Promise<TokenRef> {
  try {
    return await tokenRef(token);
  } catch (error) {
    return asRefusal(error);
  }
}

/**
 * The session a sessionless refresh token starts: its id derived from the token's `jti`, so that
 * a second presentation (reuse) ends the session the first one started; `auth_time` its `iat`,
 * the latest the user can have logged in. Only tokens with a `jti` (trpc-jwt's): a token
 * identified by a hash of its text could be presented again in another spelling.
 */
export async function adoptedSession(token: JwtToken): Promise<SessionClaims> {
  if (token.jti === undefined || token.claims["csrf"] !== undefined || token.claims["auth_time"] !== undefined) throw refusal("TOKEN_INVALID");
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`trpc-jwt adopted session ${token.jti}`));
  return { sid: base64url.encode(new Uint8Array(hash).slice(0, 16)), auth_time: token.iat, csrf: randomId() };
}

/** The session claims of a token with a `sid`, its login's `acr` and `amr` included. */
export function sessionClaimsOf(token: JwtToken): SessionClaims {
  const { sid, auth_time, csrf, rot = 0, acr, amr } = token.claims;
  if (typeof sid !== "string" || sid === "" || typeof csrf !== "string" || csrf.length < 16) throw refusal("TOKEN_INVALID");
  if (!isTimestamp(auth_time)) throw refusal("TOKEN_INVALID");
  // Refresh tokens issued before rotations were counted have none: they are rotation 0.
  if (typeof rot !== "number" || !Number.isSafeInteger(rot) || rot < 0) throw refusal("TOKEN_INVALID");
  // Signed by this manager from checked options: anything else is not its token.
  if (acr !== undefined && typeof acr !== "string") throw refusal("TOKEN_INVALID");
  if (amr !== undefined && !(Array.isArray(amr) && amr.every((method) => typeof method === "string"))) throw refusal("TOKEN_INVALID");
  return { sid, auth_time, csrf, rot, ...(acr === undefined ? {} : { acr }), ...(amr === undefined ? {} : { amr: amr as string[] }) };
}

/** Runs a store call; any failure reaches the caller as 503 STORE_UNAVAILABLE, whatever the store threw. */
// Not async: one promise less on every login's and rotation's path.
export function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return Promise.resolve(call()).catch(storeUnavailable);
  } catch {
    return Promise.reject(refusal("STORE_UNAVAILABLE"));
  }
}

function storeUnavailable(): never {
  throw refusal("STORE_UNAVAILABLE");
}

/** Throws a `JwtError` as its refusal (a TRPCError), anything else as is. */
export function asRefusal(error: unknown): never {
  throw error instanceof JwtError ? refusal(error.code) : error;
}
