import { isJsonObject, type JsonObject } from "./json.js";

// Invalid UTF-8 is refused, not replaced, and a byte-order mark is kept (so JSON.parse refuses
// it): a payload reads one way only.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * A verified JWS payload as a JSON object, or `undefined` when it is not one: invalid UTF-8, a
 * byte-order mark, malformed JSON, or JSON that is not an object. The values are not checked yet.
 *
 * @example
 * ```ts
 * const payload = parsePayload(verified.payload); // JsonObject | undefined
 * ```
 */
export function parsePayload(payloadBytes: Uint8Array): JsonObject | undefined {
  let payload: unknown;
  try {
    payload = JSON.parse(UTF8.decode(payloadBytes));
  } catch {
    return undefined;
  }
  return isJsonObject(payload) ? payload : undefined;
}
