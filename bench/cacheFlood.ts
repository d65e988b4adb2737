// Issue #17, finding 14: one account minting 10,000 tokens (by refreshing) must not evict the
// cache entries of everyone else. Other users call in between the flood's tokens; a call served
// from the cache is answered without a promise (the internal verifier returns the token itself),
// so hits are counted exactly. Reports hit rates; asserts nothing.
import { createHmac, randomUUID } from "node:crypto";
import { AuthManager } from "trpc-jwt";
import { ISSUER } from "../src/issuers/Issuer.js";

const SECRET = "benchmark-secret-0123456789abcdef";
const OTHER_USERS = 1_000;
const FLOOD = 10_000;
const ROUNDS = 100;

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
function mint(sub: string): string {
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ iss: "bench", iat: now, exp: now + 3600, sub, type: "auth", jti: randomUUID() })}`;
  return `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`;
}

async function run(flood: number): Promise<{ calls: number; hits: number }> {
  const auth = new AuthManager({ issuer: "bench", authType: "HS256", secret: SECRET }); // default cache: 10,000
  const { verify } = auth[ISSUER]();
  const others = Array.from({ length: OTHER_USERS }, (_, i) => mint(`user-${i}`));
  let calls = 0;
  let hits = 0;
  const callOthers = async (count: boolean) => {
    for (const signed of others) {
      const result = verify(signed, "auth");
      if (result instanceof Promise) await result;
      else if (count) hits++;
      if (count) calls++;
    }
  };
  await callOthers(false);
  await callOthers(false); // each other user's token is now cached
  for (let round = 0; round < ROUNDS; round++) {
    // Each minted token is used twice (so each is admitted): the worst case for eviction.
    for (let i = 0; i < flood / ROUNDS; i++) {
      const signed = mint("flooder");
      await verify(signed, "auth");
      await verify(signed, "auth");
    }
    await callOthers(true);
  }
  return { calls, hits };
}

/** The flood section of `npm run bench`, as markdown. */
export async function cacheFlood(): Promise<string> {
  const lines = [
    `## Cache under a minting flood (issue #17)\n`,
    `Default cache (10,000 entries). ${OTHER_USERS.toLocaleString("en-US")} other users, each cached, call once per round; between rounds one account mints and uses (twice) ${FLOOD / ROUNDS} new tokens; ${ROUNDS} rounds.\n`,
    "| scenario | other users' calls | served from the cache | hit rate |",
    "|---|--:|--:|--:|",
  ];
  for (const [name, flood] of [
    ["no flood", 0],
    [`flood of ${FLOOD.toLocaleString("en-US")} minted tokens`, FLOOD],
  ] as const) {
    const { calls, hits } = await run(flood);
    lines.push(`| ${name} | ${calls.toLocaleString("en-US")} | ${hits.toLocaleString("en-US")} | ${((hits / calls) * 100).toFixed(1)}% |`);
  }
  return lines.join("\n");
}
