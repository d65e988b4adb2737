import { base64url } from "jose";
import { JwtError } from "../errors.js";
import type { TokenRef } from "../stores/TokenStore.js";
import type { JwtToken } from "../tokens/JwtToken.js";

/**
 * The ids a store files a token under: its `jti`, or for a token without one (Flask_PyJWT's, or
 * another issuer's sharing the key) a hash of its signing input (header and payload, without the
 * signature: an ECDSA signature has a twin, s' = n - s, that verifies too, so a hash of the whole
 * token would let the twin pass a revocation); its `sid` claim; its subject. A `sid` that is not a
 * non-empty string is TOKEN_INVALID: a session token must be checkable. Synchronous for a token
 * with a `jti` (every token trpc-jwt issues), so a check asks the store at once; the hash is Web
 * Crypto's, which every runtime has (the same ids as node:crypto's `createHash`). `namespace`
 * prefixes all three (an identity provider's tokens: see `RevocationCheck`).
 *
 * @example
 * ```ts
 * const { tokenId, sid, sub } = await tokenRef(token);
 * ```
 */
export function tokenRef(token: JwtToken, namespace = ""): TokenRef | Promise<TokenRef> {
  const claimed = token.claims["sid"];
  if (claimed !== undefined && (typeof claimed !== "string" || claimed === "")) throw new JwtError("TOKEN_INVALID");
  const { jti } = token;
  const sid = claimed === undefined ? undefined : namespace + claimed;
  const sub = namespace + token.sub;
  if (jti !== undefined) return { tokenId: namespace + jti, sid, sub };
  const signingInput = token.signed.slice(0, token.signed.lastIndexOf("."));
  return crypto.subtle
    .digest("SHA-256", new TextEncoder().encode(signingInput))
    .then((hash) => ({ tokenId: namespace + base64url.encode(new Uint8Array(hash)), sid, sub }));
}
