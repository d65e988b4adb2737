// The workload `bench/instructions.sh` runs under callgrind: N sequential first-seen HS256
// verifications, by jose with an imported key, by fast-jwt without cache, or by trpc-jwt.
// Usage: <jose|fast-jwt|trpc-jwt> <N>
import { createHmac, randomUUID, webcrypto } from "node:crypto";
import { createVerifier } from "fast-jwt";
import { jwtVerify } from "jose";
import { AuthManager } from "trpc-jwt";

const [mode, count] = [process.argv[2], Number(process.argv[3])];
const SECRET = "benchmark-secret-0123456789abcdef";
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const now = Math.floor(Date.now() / 1000);
// More tokens than any run verifies, so trpc-jwt never serves one from its cache.
const pool = Array.from({ length: 32_768 }, (_, i) => {
  const input = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ iss: "bench", iat: now, exp: now + 3600, sub: `user-${i}`, type: "auth", jti: randomUUID(), scope: "read" })}`;
  return `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`;
});
const key = await webcrypto.subtle.importKey("raw", new TextEncoder().encode(SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
const auth = new AuthManager({ issuer: "bench", authType: "HS256", secret: SECRET });
const joseOptions = { algorithms: ["HS256"] };
const fastVerify = createVerifier({ key: SECRET, algorithms: ["HS256"], allowedIss: "bench", cache: false });
const verifiers: Record<string, (token: string) => unknown> = {
  jose: (token) => jwtVerify(token, key, joseOptions),
  "fast-jwt": (token) => fastVerify(token),
  "trpc-jwt": (token) => auth.verifyToken(token, "auth"),
};
const verify = verifiers[mode ?? ""];
if (verify === undefined) throw new Error("usage: instructionsWorkload.ts <jose|fast-jwt|trpc-jwt> <N>");
for (let i = 0; i < count; i++) await verify(pool[i]!);
