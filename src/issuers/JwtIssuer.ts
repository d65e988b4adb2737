import type { AnyAuthManager, AuthTokenOf } from "../AuthManager.js";
import type { JwtToken } from "../tokens/JwtToken.js";
import type { RemoteIssuer } from "./RemoteIssuer.js";

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
