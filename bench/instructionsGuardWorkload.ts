// A workload to count under callgrind: N calls of bench:http's `profile` procedure, each with the
// context its server's createContext builds from a Node request's headers, through tRPC's
// procedure call (createCaller: every middleware, input parsing, the resolver), without the
// HTTP adapter and sockets, which are the same for every standalone server. The difference of
// two servers' counts at the same N is what their guarded calls cost beyond each other's; the
// difference between two N of one server, over the extra calls, its cost per call.
// Usage: node <bundle> <server kind> <HS256|ES256> <repeated|first-seen> <N> [tokens minted] [one|two]
import { generateKeyPairSync } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { AuthManager } from "trpc-jwt";
import { appOf } from "./http/serve.js";
import { ISSUER, type ServerKind } from "./http/serverKinds.js";

const [kind, alg, mode, count, minted, guards] = [
  process.argv[2] as ServerKind,
  process.argv[3] as "HS256" | "ES256",
  process.argv[4],
  Number(process.argv[5]),
  Number(process.argv[6] ?? process.argv[5]),
  (process.argv[7] ?? "one") as "one" | "two",
];
if (mode !== "repeated" && mode !== "first-seen") throw new Error("usage: <kind> <HS256|ES256> <repeated|first-seen> <N> [minted] [one|two]");
const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
const secret = alg === "HS256" ? "benchmark-secret-0123456789abcdef" : pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const publicKey = alg === "HS256" ? "" : pair.publicKey.export({ type: "spki", format: "pem" }).toString();
const issuer = new AuthManager({ issuer: ISSUER, authType: alg, secret });
// The same number of tokens minted whatever N is, so minting is not in the difference of two N;
// each request's headers as Node gives them (a new header string per request, as parsed).
const requests: { id: string; token: string }[] = [];
for (let i = 0; i < (mode === "repeated" ? 1 : minted); i++) {
  const id = mode === "repeated" ? "repeated-user" : `user-${i}`;
  requests.push({ id, token: (await issuer.authToken(id)).signed });
}
const { router, createContext } = await appOf({ kind, alg, secret, publicKey, guards });
const createCaller = (router as unknown as { createCaller: (ctx: unknown) => { profile: (input: { id: string }) => Promise<unknown> } }).createCaller;
let sink = 0;
for (let i = 0; i < count; i++) {
  const { id, token } = requests[i % requests.length]!;
  const authorization = `Bearer ${token}`.slice(0);
  const req = { headers: { host: "127.0.0.1", authorization }, rawHeaders: ["Host", "127.0.0.1", "Authorization", authorization] };
  const ctx = await createContext({ req: req as unknown as IncomingMessage, res: {} as ServerResponse });
  const result = (await createCaller(ctx).profile({ id })) as { id: string };
  sink += result.id.length;
}
if (sink === 0 && count > 0) throw new Error("no calls answered");
