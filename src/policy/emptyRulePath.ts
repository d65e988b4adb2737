import type { JsonValue } from "../tokens/json.js";

/**
 * The path of the first empty object or array inside a rule value, or `undefined` when there is
 * none. An empty object or array requires nothing, so at any depth it would let every token
 * through (`override: { roles: [] }`): rules holding one are refused when they are compiled.
 *
 * @example
 * ```ts
 * emptyRulePath({ roles: [] }, "requireToken.override"); // "requireToken.override.roles"
 * emptyRulePath({ groups: [{}] }, "requireToken.claims"); // "requireToken.claims.groups[0]"
 * emptyRulePath({ admin: true }, "requireToken.scope");   // undefined
 * ```
 */
export function emptyRulePath(value: JsonValue, path: string): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const entries = Array.isArray(value)
    ? value.map((item, i) => [`${path}[${i}]`, item] as const)
    : Object.entries(value).map(([key, item]) => [`${path}.${key}`, item] as const);
  if (entries.length === 0) return path;
  for (const [at, item] of entries) {
    const found = emptyRulePath(item as JsonValue, at);
    if (found !== undefined) return found;
  }
  return undefined;
}
