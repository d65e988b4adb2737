/**
 * `value` parsed as an absolute URL, or `undefined` when it is not one. Module-internal.
 *
 * @example
 * ```ts
 * urlOf("https://app.example.com")?.host; // "app.example.com"
 * ```
 */
export function urlOf(value: unknown): URL | undefined {
  if (typeof value !== "string") return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
