import type { JsonWebKey } from "node:crypto";

/**
 * The JWK of an OpenSSH `ssh-rsa <base64 of (type, e, n)>` public key line, as Flask_PyJWT's own
 * test fixtures use. Throws on anything else.
 *
 * @example
 * ```ts
 * createPublicKey({ key: openSshPublicKey("ssh-rsa AAAAB3Nza... me@host"), format: "jwk" });
 * ```
 */
export function openSshPublicKey(line: string): JsonWebKey {
  const blob = Buffer.from(line.split(/\s+/)[1] ?? "", "base64");
  const fields: Buffer[] = [];
  for (let at = 0; at + 4 <= blob.length && fields.length < 3;) {
    const length = blob.readUInt32BE(at);
    fields.push(blob.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  const [type, e, n] = fields;
  if (type?.toString() !== "ssh-rsa" || !e || !n) throw new Error("not an ssh-rsa key");
  const unsigned = (b: Buffer) => (b[0] === 0 ? b.subarray(1) : b).toString("base64url");
  return { kty: "RSA", e: unsigned(e), n: unsigned(n) };
}
