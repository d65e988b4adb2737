import type { JsonObject, JsonValue } from "../tokens/json.js";

/** One `input` rule: the claim's value must equal (or, for an array claim, contain) the input at `path`. */
export interface InputBinding {
  readonly claim: string;
  readonly path: readonly string[];
}

/**
 * The scalar at a dotted path of a parsed input, or `undefined` when any step is missing or the
 * value is not a string, safe number or boolean (objects, null, absent values and numbers beyond
 * 2^53 never bind). A path is read one way only: where the input also has a key that spells
 * several of the remaining steps with their dots (`"org.id"` beside `org: { id }`), the value is
 * ambiguous and never binds. `InputPath` admits no key containing a dot, so such a key is never
 * what the rule meant.
 *
 * @example
 * ```ts
 * readInputPath({ org: { id: "acme" } }, ["org", "id"]); // "acme"
 * ```
 */
export function readInputPath(input: unknown, path: readonly string[]): string | number | boolean | undefined {
  let value = input;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] as string;
    if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, segment)) return undefined;
    if (hasDottedKey(value, path, i)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  if (typeof value === "string" || typeof value === "boolean") return value;
  // Also refuses non-finite numbers; beyond 2^53, two inputs can share one double.
  if (typeof value === "number" && Math.abs(value) <= Number.MAX_SAFE_INTEGER) return value;
  return undefined;
}

/**
 * Whether every binding holds: `claims[claim] === input[path]`, or membership when the claim is
 * an array (`input: { orgs: "orgId" }`). Type-strict: the number 7 never equals the string "7".
 *
 * @example
 * ```ts
 * matchInput([{ claim: "sub", path: ["username"] }], token.claims, { username: "alice" });
 * ```
 */
export function matchInput(bindings: readonly InputBinding[], claims: JsonObject, input: unknown): boolean {
  return bindings.every(({ claim, path }) => {
    const value = readInputPath(input, path);
    if (value === undefined || !Object.hasOwn(claims, claim)) return false;
    const held = claims[claim] as JsonValue;
    return Array.isArray(held) ? held.includes(value) : held === value;
  });
}

// Whether `value` has an own key joining path[from..to] with dots, for some to > from + 1.
function hasDottedKey(value: object, path: readonly string[], from: number): boolean {
  let key = path[from] as string;
  for (let i = from + 1; i < path.length; i++) {
    key += `.${path[i] as string}`;
    if (Object.hasOwn(value, key)) return true;
  }
  return false;
}
