import { isJsonObject, jsonEqual, type JsonValue } from "../tokens/json.js";

/**
 * Whether a token value satisfies a required value. Objects match when every required key is
 * present and matches, recursively (every key, not only up to the first nested object as in
 * Flask_PyJWT); arrays match when every required element is present in the token's array;
 * scalars match with `===` (`true` never equals `1`). A missing value never matches.
 *
 * @example
 * ```ts
 * matchValue({ roles: ["admin"] }, { roles: ["admin", "dev"], org: "acme" }); // true
 * ```
 */
export function matchValue(required: JsonValue, actual: JsonValue | undefined): boolean {
  if (actual === undefined) return false;
  if (Array.isArray(required)) {
    return Array.isArray(actual) && required.every((item: JsonValue) => actual.some((have: JsonValue) => jsonEqual(item, have)));
  }
  if (isJsonObject(required)) {
    return isJsonObject(actual) && Object.keys(required).every((key) => Object.hasOwn(actual, key) && matchValue(required[key] as JsonValue, actual[key]));
  }
  return required === actual;
}
