import { JwtError } from "../errors.js";
import type { RevocationCheck } from "../sessions/RevocationCheck.js";
import type { ApiKeyRecord } from "../stores/ApiKeyStore.js";
import type { ClaimSchemas } from "../tokens/claimSchemas.js";
import { typedIssued } from "../tokens/claimSchemas.js";
import { deepFreeze, emptyClaims } from "../tokens/json.js";
import { JwtToken, type TokenClaims } from "../tokens/JwtToken.js";
import { tokenRefusal } from "../tokens/tokenProblem.js";
import { parseApiKey } from "./apiKeyFormat.js";
import type { ApiKeySecrets } from "./ApiKeySecrets.js";

/** What verifying API keys needs of a manager. Module-internal. */
export interface ApiKeySettings {
  readonly prefix: string;
  readonly issuer: string;
  /** Keys remembered as verified (by their text), so a repeated key costs a map lookup. */
  readonly cacheSize: number;
  readonly secrets: ApiKeySecrets;
  readonly check: RevocationCheck;
  readonly schemas: ClaimSchemas | undefined;
}

// The `exp` of a key that does not expire: the last second readClaims would accept (year 9999).
const NEVER = 253_402_300_799;

/**
 * Turns a presented API key into its token, cheapest step first: a key verified before is
 * known by its text; any other must have the form and checksum of a key (garbage and typos stop
 * here) and a secret that is the HMAC of its id under the manager's key material (forgeries stop
 * here), all without the store. Only then is its record asked for, once per process while the
 * store's revocation channel is up (`RevocationCheck.apiKey`). Refusals: `TOKEN_INVALID`,
 * `TOKEN_REVOKED`, `STORE_UNAVAILABLE`; expiry is the guard's check, as for every token.
 * Module-internal.
 *
 * @example
 * ```ts
 * const token = await verifier.verify(presented);
 * ```
 */
export class ApiKeyVerifier {
  readonly prefix: string;
  readonly #settings: ApiKeySettings;
  // Key text -> id, for keys whose secret has been checked: never a key that failed.
  readonly #verified = new Map<string, string>();
  readonly #toToken: (record: ApiKeyRecord) => JwtToken;

  constructor(settings: ApiKeySettings) {
    this.prefix = settings.prefix;
    this.#settings = settings;
    this.#toToken = (record) => {
      // The secret already binds the key to this issuer; a record filed by another manager (or
      // altered in the store) is refused too.
      if (record.issuer !== settings.issuer) throw tokenRefusal("TOKEN_INVALID", "issuer");
      return apiKeyToken(record, settings.issuer, settings.schemas);
    };
  }

  /** The token of `key` (synchronous when known and remembered), or a rejection with a refusal. */
  verify(key: string): JwtToken | Promise<JwtToken> {
    const id = this.#verified.get(key) ?? this.#checked(key);
    if (id instanceof JwtError) return Promise.reject(id);
    return this.#settings.check.apiKey(id, this.#toToken);
  }

  #checked(key: string): string | JwtError {
    const parsed = parseApiKey(this.prefix, key);
    if (parsed === undefined) return tokenRefusal("TOKEN_INVALID", "format");
    if (!this.#settings.secrets.matches(parsed.id, parsed.secret)) return tokenRefusal("TOKEN_INVALID", "signature");
    const { cacheSize } = this.#settings;
    if (cacheSize > 0) {
      if (this.#verified.size >= cacheSize) this.#verified.delete(this.#verified.keys().next().value as string);
      this.#verified.set(key, parsed.id);
    }
    return parsed.id;
  }
}

/**
 * The token an API key's record stands for: its `sub`, `scope` and `claims`, `type: "apikey"`,
 * `jti` its id, `iat` its creation and `exp` its expiry; typed by the manager's schemas as auth
 * tokens are. Its `signed` is empty: the key is never kept.
 */
function apiKeyToken(record: ApiKeyRecord, iss: string, schemas: ClaimSchemas | undefined): JwtToken {
  const claims: Record<string, unknown> = Object.assign(emptyClaims(), record.claims ?? {}, {
    iss,
    sub: record.sub,
    iat: Math.floor(record.createdAt / 1000),
    exp: record.expiresAt === undefined ? NEVER : Math.floor(record.expiresAt / 1000),
    type: "apikey",
    jti: record.id,
  });
  if (record.scope !== undefined) claims["scope"] = record.scope;
  const token = new JwtToken(deepFreeze(claims) as TokenClaims, "");
  return schemas === undefined ? token : typedIssued(token, schemas);
}
