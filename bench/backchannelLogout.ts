// Back-channel logout (issue 30): how long after an identity provider's logout token was answered
// by the endpoint in one "process" the other two refuse that session's access token: three
// RemoteIssuers, each on its own Redis connections (redisStore() on a real redis-server when
// there is one, else one memoryStore()), as three processes have. The contract: within 1 s.
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { SignJWT, type JWK } from "jose";
import { RemoteIssuer } from "trpc-jwt";
import { stores } from "./apiKeys.js";

const ISSUER = "https://idp.example.com/";
const AUDIENCE = "https://api.example.com";
const CLIENT_ID = "bench-app";
const LOGOUTS = 100;

/** The latency report: median, p90, p99 and max, in milliseconds, after the endpoint answered 200. */
export async function backchannelPropagation(): Promise<string> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keys = { keys: [{ ...(publicKey.export({ format: "jwk" }) as JWK), kid: "bench", alg: "RS256", use: "sig" }] };
  const sign = (claims: Record<string, unknown>, typ: string) =>
    new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "bench", typ }).setIssuer(ISSUER).setIssuedAt().sign(privateKey);
  const opened = await stores(3);
  try {
    const [receiving, ...others] = opened.stores.map((store) => new RemoteIssuer({ issuer: ISSUER, audience: AUDIENCE, keys, store }));
    const endpoint = receiving!.backchannelLogout({ clientId: CLIENT_ID });
    const latencies: number[] = [];
    const answering: number[] = [];
    for (let n = 0; n < LOGOUTS; n++) {
      const sid = randomUUID();
      const access = await sign({ sub: "alice", sid, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600, jti: randomUUID() }, "at+jwt");
      for (const other of others) await other!.verifyToken(access); // remembered as unrevoked
      const logoutToken = await sign(
        { sub: "alice", sid, aud: CLIENT_ID, jti: randomUUID(), events: { "http://schemas.openid.net/event/backchannel-logout": {} } },
        "logout+jwt",
      );
      const body = new URLSearchParams({ logout_token: logoutToken });
      const postedAt = performance.now();
      const response = await endpoint(
        new Request("https://api.example.com/logout", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body }),
      );
      if (response.status !== 200) throw new Error(`logout endpoint: ${response.status}`);
      const answeredAt = performance.now();
      answering.push(answeredAt - postedAt);
      await Promise.all(
        others.map(async (other) => {
          for (;;) {
            const refused = await other!.verifyToken(access).then(
              () => false,
              () => true,
            );
            if (refused) return void latencies.push(performance.now() - answeredAt);
            if (performance.now() - answeredAt > 5000) throw new Error("a logged-out session's token was still accepted after 5 s");
            await new Promise((resolve) => setImmediate(resolve));
          }
        }),
      );
    }
    const quantiles = (values: number[]) => {
      values.sort((a, b) => a - b);
      const at = (q: number) => (values[Math.min(values.length - 1, Math.floor(q * values.length))] as number).toFixed(2);
      return `median ${at(0.5)} ms, p90 ${at(0.9)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`;
    };
    return [
      `## Back-channel logout reaching two other RemoteIssuers (${opened.where}, each on its own connections)\n`,
      `The endpoint answered ${LOGOUTS} logout tokens (verify, jti used up, session revoked): ${quantiles(answering)}.`,
      `${latencies.length} refusals of the session's access token elsewhere: ${quantiles(latencies)} after the endpoint answered (target: within 1 s).`,
    ].join("\n");
  } finally {
    await opened.close();
  }
}
