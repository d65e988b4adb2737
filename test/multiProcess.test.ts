// Several server processes sharing one real redis-server: propagation of revocations, concurrent
// rotation, and a Redis outage, observed over HTTP as clients see them.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasRedisServer, startRedisServer, type RedisServer } from "./helpers/redisServer.js";
import { client, outcome, sessionProcessTests, startProcess, stopProcess, type ServerProcess } from "./helpers/serverProcesses.js";

describe.runIf(hasRedisServer())("three server processes sharing one redis-server", () => {
  let redis: RedisServer;
  let servers: ServerProcess[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
    servers = await Promise.all([1, 2, 3].map(() => startProcess({ REDIS_URL: redis.url })));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(servers.map(stopProcess));
    await redis?.stop();
  });
  const a = () => servers[0]!.url;
  const b = () => servers[1]!.url;
  const c = () => servers[2]!.url;

  sessionProcessTests(() => [a(), b(), c()]);

  it("Redis stopped mid-run: only 503 STORE_UNAVAILABLE (no 200 for an unchecked token, no 500); normal service within 2 s of the restart", async () => {
    const pair = await client(a()).login.mutate({ sub: "carol" });
    const spare = await client(a()).login.mutate({ sub: "carol" });
    for (const url of [a(), b(), c()]) for (let i = 0; i < 3; i++) expect(await client(url, pair.authToken).me.query()).toBe("carol");

    const unseen = await client(a()).login.mutate({ sub: "carol" }); // never presented before the outage
    await redis.stop();
    const during: { process: number; call: string; status: number; jwtCode?: string | undefined }[] = [];
    const outageEnds = performance.now() + 1000;
    while (performance.now() < outageEnds) {
      for (const [process, url] of [a(), b(), c()].entries()) {
        const calls = {
          "known token": outcome(client(url, pair.authToken).me.query()),
          "unseen token": outcome(client(url, unseen.authToken).me.query()),
          login: outcome(client(url).login.mutate({ sub: "carol" })),
          rotate: outcome(client(url).rotate.mutate({ refresh: spare.refreshToken })),
        };
        for (const [call, result] of Object.entries(calls)) during.push({ process, call, ...(await result) });
      }
    }
    // A token this process verified before the outage is known unrevoked up to Redis's last
    // instant (a revocation travels ahead of the connection's end on the same socket). Until the
    // process has processed the end of its connections (a few event-loop turns), it may answer
    // one such request from that knowledge; nothing else, and nothing after.
    const fromMemory = during.filter((result) => result.status === 200);
    for (const result of fromMemory) {
      expect(result.call).toBe("known token");
      expect(during.find((other) => other.process === result.process)).toBe(result); // its process's first answer
    }
    const refused = during.filter((result) => result.status !== 200);
    expect([...new Set(refused.map((result) => `${result.status} ${result.jwtCode}`))]).toEqual(["503 STORE_UNAVAILABLE"]);
    console.log(
      `during the outage: ${during.length} calls: ${refused.length} got 503 STORE_UNAVAILABLE, ${fromMemory.length} (first call per process, known token) answered before the process saw the connection end; no 500, no other code`,
    );

    await redis.start();
    const restartedAt = performance.now();
    const recovered = await Promise.all(
      [a(), b(), c()].map(async (url) => {
        for (;;) {
          const [me, login] = await Promise.all([outcome(client(url, pair.authToken).me.query()), outcome(client(url).login.mutate({ sub: "carol" }))]);
          if (me.status === 200 && login.status === 200) return performance.now() - restartedAt;
          expect([me.status, login.status].every((status) => status === 200 || status === 503)).toBe(true);
          if (performance.now() - restartedAt > 5000) return Infinity;
          await sleep(10);
        }
      }),
    );
    console.log(`after the restart the processes served normally after ${recovered.map((ms) => `${ms.toFixed(0)} ms`).join(", ")} (bound: 2000 ms)`);
    for (const ms of recovered) expect(ms).toBeLessThan(2000);
    // And sessions work again end to end: login, rotate, logout, refusal.
    const fresh = await client(b()).login.mutate({ sub: "carol" });
    const next = await client(c()).rotate.mutate({ refresh: fresh.refreshToken });
    await client(a(), next.authToken).logout.mutate();
    expect(await outcome(client(b(), next.authToken).me.query())).toEqual({ status: 401, jwtCode: "TOKEN_REVOKED" });
    for (const server of servers) {
      expect(server.child.exitCode).toBeNull();
      expect(server.stderr).not.toContain("UNHANDLED_REJECTION");
    }
  });
});
