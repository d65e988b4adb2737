import { JwtConfigError } from "../errors.js";
import type { Limit } from "./limits.js";
import { suggestOption } from "./suggestOption.js";

// How trpc-jwt checks an option, once, at construction: each check returns the value (or its
// default) or throws JwtConfigError naming the option. Browser-safe: the client links use it too.

/** The keys an options object may have, and how an unknown one is reported. */
export interface OptionNames {
  /** Every key the object takes. */
  readonly names: readonly string[];
  /** What an unknown key is not: `"an AuthManager option"` gives `foo: is not an AuthManager option`. */
  readonly kind: string;
  /** Put before an unknown key in the error's option, e.g. `"cookies."`. Default none. */
  readonly prefix?: string;
}

/**
 * The option names of `T`, from a record TypeScript checks lists every one of them and nothing
 * else: an option added to the type cannot be forgotten by the unknown-key check.
 *
 * @example
 * ```ts
 * const NAMES = optionNames<RedisStoreOptions>({ prefix: true, timeout: true, pubsub: true, allowEviction: true });
 * ```
 */
export function optionNames<T>(names: { readonly [K in keyof T]-?: true }): readonly string[] {
  return Object.freeze(Object.keys(names));
}

/**
 * An options object: `value` itself when it is an object whose every own key is one of `keys`;
 * else `JwtConfigError` naming `name` (not an object) or the unknown key, with the nearest real
 * one ("did you mean").
 *
 * @example
 * ```ts
 * objectOf(options, "options", { names: ["issuer", "audience"], kind: "a RemoteIssuer option" });
 * ```
 */
export function objectOf<T>(value: T, name: string, keys: OptionNames): T {
  if (typeof value !== "object" || value === null) throw new JwtConfigError(name, "must be an object");
  unknownKeys(value, keys);
  return value;
}

/**
 * Throws `JwtConfigError` naming the first own key of `value` that is not one of `keys.names`,
 * with the nearest real one when one is close (`expiresIn` -> `did you mean "authMaxAge"?`).
 *
 * @example
 * ```ts
 * unknownKeys(rules, { names: RULE_NAMES, kind: "a rule", prefix: "requireToken." });
 * ```
 */
export function unknownKeys(value: object, keys: OptionNames): void {
  for (const key of Object.keys(value)) {
    if (keys.names.includes(key)) continue;
    const nearest = suggestOption(key, keys.names);
    throw new JwtConfigError(`${keys.prefix ?? ""}${key}`, `is not ${keys.kind}${nearest === undefined ? "" : `; did you mean "${nearest}"?`}`);
  }
}

/**
 * A whole-number option (a size, or a duration in the unit its `LIMITS` row names): the row's
 * `fallback` when unset, else a safe integer within the row's bounds.
 *
 * @example
 * ```ts
 * const clockTolerance = wholeNumber(options.clockTolerance, LIMITS.clockTolerance, "clockTolerance");
 * ```
 */
export function wholeNumber(value: unknown, limit: Limit, name: string): number {
  if (value === undefined) return limit.fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < limit.min || value > limit.max) {
    throw new JwtConfigError(name, `must be a whole number from ${limit.min} to ${limit.max}`);
  }
  return value;
}

/**
 * A finite number within `limit` (seconds that may have a fraction, such as `refreshBefore` for a
 * short-lived token), or its fallback when left out.
 *
 * @example
 * ```ts
 * const refreshBefore = numberWithin(options.refreshBefore, LIMITS.refreshBefore, "refreshBefore");
 * ```
 */
export function numberWithin(value: unknown, limit: Limit, name: string): number {
  if (value === undefined) return limit.fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < limit.min || value > limit.max) {
    throw new JwtConfigError(name, `must be a number from ${limit.min} to ${limit.max}`);
  }
  return value;
}

/**
 * A string with something in it besides whitespace (an issuer, an audience, a key id).
 *
 * @example
 * ```ts
 * const issuer = nonEmptyString(options.issuer, "issuer");
 * ```
 */
export function nonEmptyString(value: unknown, name: string, problem = "must be a non-empty string"): string {
  if (typeof value !== "string" || value.trim() === "") throw new JwtConfigError(name, problem);
  return value;
}

/**
 * A string option of a fixed form: `fallback` when unset, else a string `pattern` matches whole.
 *
 * @example
 * ```ts
 * const prefix = stringMatching(options.apiKeyPrefix, "tjk_", /^[a-z][a-z0-9]{0,15}_$/, "apiKeyPrefix", "must be ...");
 * ```
 */
export function stringMatching(value: unknown, fallback: string, pattern: RegExp, name: string, problem: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !pattern.test(value)) throw new JwtConfigError(name, problem);
  return value;
}

/**
 * One of a closed set of values.
 *
 * @example
 * ```ts
 * const sameSite = oneOf(options.sameSite ?? "lax", ["lax", "strict", "none"], "cookies.sameSite");
 * ```
 */
export function oneOf<const T>(value: unknown, allowed: readonly T[], name: string, problem = `must be one of ${allowed.join(", ")}`): T {
  if (!allowed.includes(value as T)) throw new JwtConfigError(name, problem);
  return value as T;
}

/**
 * A `true`/`false` option: `fallback` when unset.
 *
 * @example
 * ```ts
 * const secure = booleanOf(options.secure, true, "cookies.secure");
 * ```
 */
export function booleanOf(value: unknown, fallback: boolean, name: string): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new JwtConfigError(name, "must be a boolean");
  return value;
}

/**
 * An optional callback: `undefined` when unset.
 *
 * @example
 * ```ts
 * const onRefused = functionOf(config.onRefused, "onRefused");
 * ```
 */
export function functionOf<T extends (...args: never[]) => unknown>(value: T | undefined, name: string, problem = "must be a function"): T | undefined {
  if (value !== undefined && typeof value !== "function") throw new JwtConfigError(name, problem);
  return value;
}

/**
 * A `clock` option (the time in milliseconds since the epoch, for tests): `Date.now` when unset.
 *
 * @example
 * ```ts
 * const clock = clockOf(options.clock);
 * ```
 */
export function clockOf(value: (() => number) | undefined): () => number {
  return functionOf(value, "clock", "must be a function returning milliseconds since the epoch") ?? Date.now;
}

/**
 * A non-empty list of strings, each matching `pattern`: a frozen copy without repeats, or
 * `undefined` when unset.
 *
 * @example
 * ```ts
 * const acr = stringList(rules.acr, "requireToken.acr", /^\S+$/, "must be a non-empty list of acr values");
 * ```
 */
export function stringList(value: unknown, name: string, pattern: RegExp, problem: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((item) => typeof item === "string" && pattern.test(item))) {
    throw new JwtConfigError(name, problem);
  }
  return Object.freeze([...new Set(value as string[])]);
}
