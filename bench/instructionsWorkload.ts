// The workload `bench/instructions.sh` runs under callgrind: N sequential first-seen HS256
// verifications, by jose with an imported key or by trpc-jwt. Usage: <jose|trpc-jwt> <N>
import { createHmac, randomUUID, webcrypto } from "node:crypto";
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
const verify = mode === "jose" ? (token: string) => jwtVerify(token, key, joseOptions) : (token: string) => auth.verifyToken(token, "auth");
if (mode !== "jose" && mode !== "trpc-jwt") throw new Error("usage: instructionsWorkload.ts <jose|trpc-jwt> <N>");
for (let i = 0; i < count; i++) await verify(pool[i]!);
