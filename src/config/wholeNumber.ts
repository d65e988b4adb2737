import { JwtConfigError } from "../errors.js";

/**
 * A whole-number option: `fallback` when unset, else a safe integer from `min` to `max`, or
 * `JwtConfigError` naming the option.
 *
 * @example
 * ```ts
 * const clockTolerance = wholeNumber(options.clockTolerance, 0, 0, 300, "clockTolerance");
 * ```
 */
export function wholeNumber(value: unknown, fallback: number, min: number, max: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new JwtConfigError(name, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}
