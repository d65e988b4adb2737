// A workload to count under callgrind: N calls of bench:http's `profile` procedure, each with the
// context its server's createContext builds from a Node request's headers, through tRPC's
// procedure call (createCaller: every middleware, input parsing, the resolver), without the
// HTTP adapter and sockets, which are the same for every standalone server. The difference of
// two servers' counts at the same N is what their guarded calls cost beyond each other's; the
// difference between two N of one server, over the extra calls, its cost per call.
// Usage: node <bundle> <server kind> <HS256|ES256> <repeated|first-seen> <N> [tokens minted] [one|two]
import { createHmac, generateKeyPairSync, randomUUID, sign } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
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
// Tokens as `authToken` mints them (the same header, claims and order), signed here with
// node:crypto directly: minting 16,000 through AuthManager cost more under callgrind than the
// calls measured, and with it cheap a run can afford a window of calls late enough to be past
// V8's tier-up (a function called once per request is optimised only after a few thousand calls:
// a window of 2,000 to 6,000 calls counted 40,000 instructions per call of TurboFan compiling).
// The same number minted whatever N is, so minting is not in the difference of two N; each
// request's headers as Node gives them (a new header string per request, as parsed).
const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const now = Math.floor(Date.now() / 1000);
const mint = (sub: string) => {
  const input = `${segment({ alg, typ: "JWT" })}.${segment({ iss: ISSUER, iat: now, exp: now + 3600, sub, type: "auth", jti: randomUUID() })}`;
  const signature =
    alg === "HS256"
      ? createHmac("sha256", secret).update(input).digest()
      : sign("sha256", Buffer.from(input), { key: pair.privateKey, dsaEncoding: "ieee-p1363" });
  return `${input}.${signature.toString("base64url")}`;
};
const requests: { id: string; token: string }[] = [];
for (let i = 0; i < (mode === "repeated" ? 1 : minted); i++) {
  const id = mode === "repeated" ? "repeated-user" : `user-${i}`;
  requests.push({ id, token: mint(id) });
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
