// Crockford's base32, lower case: no padding, no `-` or `_` inside the parts (a double click
// selects the whole key), no look-alikes (i l o u are left out).
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/** Random bytes of a key's id (128 bits) and bytes of its secret (160 bits of HMAC). */
const ID_BYTES = 16;
export const SECRET_BYTES = 20;
const ID_CHARS = Math.ceil((ID_BYTES * 8) / 5);
const SECRET_CHARS = Math.ceil((SECRET_BYTES * 8) / 5);
// CRC-32 in seven characters (35 bits, the top three always 0).
const CHECKSUM_CHARS = 7;
const ID = new RegExp(`^[${ALPHABET}]{${ID_CHARS}}$`);
// What follows the prefix: id, `_`, secret, checksum.
const KEY_TAIL = new RegExp(`^([${ALPHABET}]{${ID_CHARS}})_([${ALPHABET}]{${SECRET_CHARS}})[${ALPHABET}]{${CHECKSUM_CHARS}}$`);

/** A key as read from a request: its id and secret, and the checksum passed. Module-internal. */
export interface ParsedApiKey {
  readonly id: string;
  readonly secret: string;
}

/**
 * Bytes in base32 (Crockford's alphabet, lower case), most significant bit first.
 *
 * @example
 * ```ts
 * base32(new Uint8Array([255])); // "zw"
 * ```
 */
export function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  return bits > 0 ? out + ALPHABET[(buffer << (5 - bits)) & 31] : out;
}

/**
 * A fresh key id: 128 random bits in base32.
 *
 * @example
 * ```ts
 * newKeyId(); // "0v3k9..." (26 characters)
 * ```
 */
export function newKeyId(): string {
  return base32(crypto.getRandomValues(new Uint8Array(ID_BYTES)));
}

/**
 * The text of a key: `<prefix><id>_<secret><checksum>`, the checksum a CRC-32 of everything
 * before it, so that a typo or a truncated copy is refused without asking anyone.
 *
 * @example
 * ```ts
 * formatApiKey("tjk_", id, secret); // "tjk_<id>_<secret><checksum>"
 * ```
 */
export function formatApiKey(prefix: string, id: string, secret: string): string {
  const body = `${prefix}${id}_${secret}`;
  return body + checksumOf(body);
}

/**
 * The id and secret of `value` when it has the form of a key with this prefix and its checksum
 * holds; `undefined` for anything else (garbage, a typo, another prefix). Reads only the string.
 *
 * @example
 * ```ts
 * parseApiKey("tjk_", key)?.id;
 * ```
 */
export function parseApiKey(prefix: string, value: string): ParsedApiKey | undefined {
  const match = value.startsWith(prefix) ? KEY_TAIL.exec(value.slice(prefix.length)) : null;
  if (match === null || checksumOf(value.slice(0, -CHECKSUM_CHARS)) !== value.slice(-CHECKSUM_CHARS)) return undefined;
  return { id: match[1] as string, secret: match[2] as string };
}

/** Whether an id (from a caller of `revoke`) has the form this module gives ids. */
export function isKeyId(id: unknown): id is string {
  return typeof id === "string" && ID.test(id);
}

function checksumOf(text: string): string {
  const crc = crc32(text);
  let out = "";
  for (let shift = (CHECKSUM_CHARS - 1) * 5; shift >= 0; shift -= 5) out += ALPHABET[Math.floor(crc / 2 ** shift) & 31];
  return out;
}

const CRC_TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c >>> 0;
}

// CRC-32 (IEEE) of an ASCII string: keys are ASCII once their form is checked; a non-ASCII
// character is only ever compared against, and cannot pass the form check anyway.
function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = (CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
