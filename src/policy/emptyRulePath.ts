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
  if (Array.isArray(value)) {
    if (value.length === 0) return path;
    for (let i = 0; i < value.length; i++) {
      const found = emptyRulePath(value[i] as JsonValue, `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return path;
  for (const key of keys) {
    const found = emptyRulePath((value as { readonly [key: string]: JsonValue })[key] as JsonValue, `${path}.${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}
