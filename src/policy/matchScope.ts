import type { JsonValue } from "../tokens/json.js";
import { matchValue } from "./matchClaims.js";

/**
 * A required scope: an OAuth scope string (space-separated words, all of which the token's
 * scope string must contain), or a JSON object or array matched as in `matchValue`.
 */
export type ScopeRequirement = string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * Whether a token's `scope` claim satisfies a required scope. A string requirement is a set of
 * words: `"read write"` is met by a token scope `"write admin read"`, never by `"readwrite"`.
 *
 * @example
 * ```ts
 * matchScope("admin", "user admin"); // true
 * matchScope({ admin: true }, { admin: 1 }); // false: no type coercion
 * ```
 */
export function matchScope(required: ScopeRequirement, actual: JsonValue | undefined): boolean {
  if (typeof required !== "string") return matchValue(required, actual);
  if (typeof actual !== "string") return false;
  const granted = new Set(scopeWords(actual));
  return scopeWords(required).every((word) => granted.has(word));
}

const scopeWords = (scope: string): string[] => scope.split(" ").filter((word) => word !== "");
