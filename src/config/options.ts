import { JwtConfigError } from "../errors.js";

/** The signing algorithms trpc-jwt supports (Flask_PyJWT's `JWT_AUTHTYPE` values). */
export type AuthType = "HS256" | "HS512" | "RS256" | "RS512";

/**
 * Every supported `authType`, in a stable order.
 *
 * @example
 * ```ts
 * if (!AUTH_TYPES.includes(process.env.JWT_AUTHTYPE as AuthType)) throw new Error("unsupported");
 * ```
 */
export const AUTH_TYPES: readonly AuthType[] = Object.freeze(["HS256", "HS512", "RS256", "RS512"]);

/**
 * Options for `new AuthManager(options)`.
 *
 * @example
 * ```ts
 * const options: AuthManagerOptions = { issuer: "my-api", authType: "HS256", secret: process.env.JWT_SECRET! };
 * ```
 */
export interface AuthManagerOptions {
  /** The `iss` claim written into tokens and required when verifying. Non-empty. */
  issuer: string;
  /** The one algorithm this manager signs with and accepts. */
  authType: AuthType;
  /**
   * HS256/HS512: the shared secret, a string (UTF-8) or bytes, at least as long as the hash
   * (32 bytes for HS256, 64 for HS512). RS256/RS512: the PEM RSA private key (PKCS#8 or PKCS#1),
   * at least 2048 bits.
   */
  secret: string | Uint8Array;
  /**
   * RS256/RS512 only: the PEM (SPKI or PKCS#1) or OpenSSH (`ssh-rsa ...`) public key. Derived
   * from `secret` when omitted; when given it must be the public half of `secret`.
   */
  publicKey?: string | Uint8Array | undefined;
  /** Lifetime of auth tokens, in whole seconds. Default 3600. */
  authMaxAge?: number | undefined;
  /** Lifetime of refresh tokens, in whole seconds. Default 604800 (7 days). */
  refreshMaxAge?: number | undefined;
  /** Longest token string accepted, in characters; longer ones are refused unread. Default 8192. */
  maxTokenLength?: number | undefined;
  /**
   * How many verified tokens to remember, so a repeated token is not verified again. An entry
   * never outlives its token's `exp`. `0` turns the cache off. Default 10000.
   */
  cacheSize?: number | undefined;
  /** The current time in milliseconds since the epoch; for tests. Default `Date.now`. */
  clock?: (() => number) | undefined;
}

/** Options after validation, with every default filled in. */
export interface ResolvedOptions {
  readonly issuer: string;
  readonly authType: AuthType;
  readonly secret: string | Uint8Array;
  readonly publicKey: string | Uint8Array | undefined;
  readonly authMaxAge: number;
  readonly refreshMaxAge: number;
  readonly maxTokenLength: number;
  readonly cacheSize: number;
  readonly clock: () => number;
}

const OPTION_NAMES: ReadonlySet<string> = new Set<keyof AuthManagerOptions>([
  "issuer", "authType", "secret", "publicKey", "authMaxAge", "refreshMaxAge", "maxTokenLength", "cacheSize", "clock",
]);

const DEFAULTS = { authMaxAge: 3600, refreshMaxAge: 604800, maxTokenLength: 8192, cacheSize: 10_000 };

// JWT headers and payloads need room; below this no real token fits.
const MIN_TOKEN_LENGTH = 64;

/**
 * Checks every option once and fills in the defaults. Keys are checked separately, by
 * `importKeys`. Throws `JwtConfigError` naming the first bad option; never echoes a secret.
 */
export function resolveOptions(options: AuthManagerOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new JwtConfigError("options", "must be an object");
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.has(key)) throw new JwtConfigError(key, "is not an AuthManager option");
  }
  const { issuer, authType, secret, publicKey, clock } = options;
  if (typeof issuer !== "string" || issuer.trim() === "") {
    throw new JwtConfigError("issuer", "must be a non-empty string");
  }
  if (!AUTH_TYPES.includes(authType)) {
    throw new JwtConfigError("authType", `must be one of ${AUTH_TYPES.join(", ")}`);
  }
  if (typeof secret !== "string" && !(secret instanceof Uint8Array)) {
    throw new JwtConfigError("secret", "must be a string or a Uint8Array");
  }
  if (publicKey !== undefined && typeof publicKey !== "string" && !(publicKey instanceof Uint8Array)) {
    throw new JwtConfigError("publicKey", "must be a string or a Uint8Array");
  }
  if (clock !== undefined && typeof clock !== "function") {
    throw new JwtConfigError("clock", "must be a function returning milliseconds since the epoch");
  }
  return {
    issuer,
    authType,
    secret,
    publicKey,
    authMaxAge: wholeNumber(options.authMaxAge, DEFAULTS.authMaxAge, 1, "authMaxAge"),
    refreshMaxAge: wholeNumber(options.refreshMaxAge, DEFAULTS.refreshMaxAge, 1, "refreshMaxAge"),
    maxTokenLength: wholeNumber(options.maxTokenLength, DEFAULTS.maxTokenLength, MIN_TOKEN_LENGTH, "maxTokenLength"),
    cacheSize: wholeNumber(options.cacheSize, DEFAULTS.cacheSize, 0, "cacheSize"),
    clock: clock ?? Date.now,
  };
}

function wholeNumber(value: unknown, fallback: number, min: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    throw new JwtConfigError(name, `must be a whole number >= ${min}`);
  }
  return value;
}
