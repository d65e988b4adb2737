import type { AnyAuthManager, AuthTokenOf } from "../AuthManager.js";
import { JwtConfigError } from "../errors.js";
import type { JsonObject, JsonValue } from "../tokens/json.js";
import type { TokenType } from "../tokens/JwtToken.js";
import { createJwtContext, type JwtContext, type JwtContextConfig } from "../trpc/createJwtContext.js";

/**
 * Who calls, for {@link testContext}: a subject with the scope and claims its token should carry
 * (a token of `type`, default `"auth"`, is minted by the manager), or a signed `token` made
 * elsewhere (an expired or foreign token, to test refusals).
 */
export type TestCaller =
  | { readonly sub: string; readonly scope?: JsonValue | undefined; readonly claims?: JsonObject | undefined; readonly type?: TokenType | undefined }
  | { readonly token: string };

/**
 * A context for `router.createCaller(...)`, as `createJwtContext(auth, config)` builds it for a
 * request that carries the caller's token as a bearer header: guards run exactly as over HTTP,
 * with no server. Without a caller, the request carries no token (a public or refused call).
 *
 * @example
 * ```ts
 * const caller = appRouter.createCaller(await testContext(auth, { sub: "alice", scope: { admin: true } }));
 * expect(await caller.admin()).toBe("Welcome, admin");
 * // an app context with more in it:
 * const ctx = { ...(await testContext(auth, { sub: "bob", claims: { org: "o1" } })), db };
 * ```
 */
export async function testContext<TAuth extends AnyAuthManager>(
  auth: TAuth,
  caller?: TestCaller | null,
  config?: JwtContextConfig,
): Promise<JwtContext<AuthTokenOf<TAuth>>> {
  const token = caller ? await signedTokenOf(auth, caller) : undefined;
  const headers = new Headers(token === undefined ? {} : { authorization: `Bearer ${token}` });
  return createJwtContext(auth, config)({ req: new Request("http://localhost/", { headers }) }) as JwtContext<AuthTokenOf<TAuth>>;
}

async function signedTokenOf(auth: AnyAuthManager, caller: TestCaller): Promise<string> {
  if ("token" in caller) return caller.token;
  const { sub, scope, claims, type = "auth" } = caller;
  if (type === "refresh" && (scope !== undefined || claims !== undefined)) {
    throw new JwtConfigError("testContext.caller", "a refresh token carries no scope or claims");
  }
  const minted = type === "refresh" ? await auth.refreshToken(sub) : await auth.authToken(sub, scope, claims);
  return minted.signed;
}
