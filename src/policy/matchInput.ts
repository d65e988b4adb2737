import type { JsonObject, JsonValue } from "../tokens/json.js";

/** One `input` rule: the claim's value must equal (or, for an array claim, contain) the input at `path`. */
export interface InputBinding {
  readonly claim: string;
  readonly path: readonly string[];
}

/**
 * The scalar at a dotted path of a parsed input, or `undefined` when any step is missing or the
 * value is not a string, finite number or boolean (objects, null and absent values never bind).
 *
 * @example
 * ```ts
 * readInputPath({ org: { id: "acme" } }, ["org", "id"]); // "acme"
 * ```
 */
export function readInputPath(input: unknown, path: readonly string[]): string | number | boolean | undefined {
  let value = input;
  for (const segment of path) {
    if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  if (typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))) return value;
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
