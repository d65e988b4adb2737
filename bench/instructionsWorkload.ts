// The workload `bench/instructions.sh` runs under callgrind. Usage: <mode> <N>, where mode is
//   jose | trpc-jwt: N sequential first-seen HS256 verifications, by jose with an imported key or
//                    by trpc-jwt's verifyToken;
//   public | authed: N sequential tRPC calls through fetchRequestHandler, to a public procedure or
//                    to an authedProcedure, with the same repeated bearer token.
import { createHmac, randomUUID, webcrypto } from "node:crypto";
import { initTRPC } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { jwtVerify } from "jose";
import { AuthManager, createJwtContext, createJwtProcedures } from "trpc-jwt";

const [mode, count] = [process.argv[2], Number(process.argv[3])];
const SECRET = "benchmark-secret-0123456789abcdef";
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const now = Math.floor(Date.now() / 1000);
const makeToken = (sub: string) => {
  const input = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ iss: "bench", iat: now, exp: now + 3600, sub, type: "auth", jti: randomUUID(), scope: "read" })}`;
  return `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`;
};
const auth = new AuthManager({ issuer: "bench", authType: "HS256", secret: SECRET });

async function verifications(): Promise<(i: number) => Promise<unknown>> {
  // More tokens than any run verifies, so trpc-jwt never serves one from its cache.
  const pool = Array.from({ length: 32_768 }, (_, i) => makeToken(`user-${i}`));
  const key = await webcrypto.subtle.importKey("raw", new TextEncoder().encode(SECRET), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const joseOptions = { algorithms: ["HS256"] };
  return mode === "jose" ? (i) => jwtVerify(pool[i]!, key, joseOptions) : (i) => auth.verifyToken(pool[i]!, "auth");
}

function calls(): (i: number) => Promise<unknown> {
  const createContext = createJwtContext(auth);
  const t = initTRPC.context<typeof createContext>().create();
  const { authedProcedure } = createJwtProcedures(t);
  const router = t.router({ hello: t.procedure.query(() => "hello"), me: authedProcedure.query(({ ctx }) => ctx.token.sub) });
  const headers = { authorization: `Bearer ${makeToken("alice")}` };
  const path = mode === "public" ? "hello" : "me";
  return async () => {
    const res = await fetchRequestHandler({ endpoint: "/trpc", router, createContext, req: new Request(`http://localhost/trpc/${path}`, { headers }) });
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return res.text();
  };
}

if (!["jose", "trpc-jwt", "public", "authed"].includes(mode ?? "")) throw new Error("usage: instructionsWorkload.ts <jose|trpc-jwt|public|authed> <N>");
const op = mode === "jose" || mode === "trpc-jwt" ? await verifications() : calls();
for (let i = 0; i < count; i++) await op(i);
