import type { JwtToken, TokenType } from "./JwtToken.js";

/**
 * Verifies a compact token, optionally requiring its type. A cache hit returns the token itself,
 * so a caller on the hot path need not wait a tick; otherwise a promise. Refusals are always a
 * promise rejected with `JwtError`.
 */
export type Verifier = (signed: string, type?: TokenType) => JwtToken | Promise<JwtToken>;
