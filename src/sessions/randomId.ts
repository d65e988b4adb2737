import { base64url } from "jose";

const ID_BYTES = 16;
// Ids per draw. Node's getRandomValues asks OpenSSL on every call, whatever its size: measured,
// two draws of 16 bytes were a third of a login's time. randomUUID keeps a batch the same way.
const IDS_PER_DRAW = 64;
let pool = new Uint8Array(0);
let next = 0;
// Buffer's encoder where the runtime has one, reading the pool in place: jose's took four times as
// long (measured, about 2 µs an id), and a Buffer view per id was an allocation a login made
// twice; jose's where there is no Buffer (edge runtimes).
const hasBuffer = globalThis.Buffer !== undefined;
const encode: (pool: Uint8Array, start: number, end: number) => string = hasBuffer
  ? (bytes, start, end) => (bytes as Buffer).toString("base64url", start, end)
  : (bytes, start, end) => base64url.encode(bytes.subarray(start, end));

/**
 * A fresh random id: 16 bytes (128 bits) from Web Crypto's generator (every runtime has it),
 * base64url, 22 characters. Bytes are drawn 64 ids at a time and each is handed out once.
 *
 * @example
 * ```ts
 * const session = { sid: randomId(), csrf: randomId() };
 * ```
 */
export function randomId(): string {
  if (next === pool.length) {
    const bytes = crypto.getRandomValues(new Uint8Array(ID_BYTES * IDS_PER_DRAW));
    pool = hasBuffer ? Buffer.from(bytes.buffer) : bytes;
    next = 0;
  }
  return encode(pool, next, (next += ID_BYTES));
}
