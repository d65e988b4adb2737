import type { JwtToken, TokenType } from "./JwtToken.js";

/**
 * Verifies a compact token, optionally requiring its type. A cache hit, or a token whose
 * signature was checked synchronously (node:crypto), returns the token itself, so a caller on the
 * hot path need not wait a tick; otherwise a promise. Refusals are always a promise rejected with
 * `JwtError`.
 */
export type Verifier = ((signed: string, type?: TokenType) => JwtToken | Promise<JwtToken>) & {
  /**
   * The answer for a token the verifier has cached (the token, or a refusal: expired since, or
   * the wrong type), else `undefined`, and no verification starts. A context with several
   * issuers asks each of them before it reads a token's unverified `iss`.
   */
  readonly cached?: ((signed: string, type?: TokenType) => JwtToken | Promise<never> | undefined) | undefined;
};
