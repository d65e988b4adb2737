import { copyJson, isJsonObject, NOT_JSON, type JsonObject } from "./json.js";

// Invalid UTF-8 is refused, not replaced, and a byte-order mark is kept (so JSON.parse refuses
// it): a payload reads one way only.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * A verified JWS payload as a frozen, prototype-free JSON object (see `copyJson`), or `undefined`
 * when it is not one: invalid UTF-8, a byte-order mark, malformed JSON, JSON that is not an
 * object or that `copyJson` refuses. Claims are read from this copy only, so a property on
 * `Object.prototype` is never a claim. The values are not checked yet.
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
  const copy = copyJson(payload);
  return copy !== NOT_JSON && isJsonObject(copy) ? copy : undefined;
}
